/**
 * The container service driven by the stock `openstack appcontainer` CLI (python3-zunclient) against a
 * real Docker engine, as the "Done when" list has it, on each database: run, list, show, exec
 * (plain and interactive on a terminal), logs, top, stats, stop/start/pause/unpause typed back to back,
 * cp both ways, action list, delete --force, host and service list; then the cases around them (what
 * `run` options reach the engine, an unknown image, commands that exit, delete of a running container).
 *
 * Steps build on each other; independent ones run concurrently. A CLI start costs about a second of CPU,
 * so commands whose exit status does not matter share one CLI process (its interactive shell); the
 * commands of the "Done when" list that change something run one process each, as a user types them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, waitFor } from './helpers.js';
import {
  cliSession, deleteAllContainers, eachEngineDialect, engineContainers, engineEvents, engineSkipReason, inOrder,
  inspectEngine, jsonDocuments, runOnPty, startEngineServer, stopEngineServer, waitStatus, zunAs, type EngineServer, type Zun,
} from './containers-fixture.js';

const skip = await engineSkipReason();

eachEngineDialect(skip, (dialect) => {
  let s: EngineServer;
  let env: Record<string, string>;
  let zun: Zun;
  let work: string;
  let adminUserId: string;
  let adminProjectId: string;
  const uuid: Record<string, string> = {};
  const ghostImage = `berth-test-no-such-image-${process.pid}:missing`;

  const ok = async (args: string[]) => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, `openstack ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
    return r;
  };
  /** `openstack CMD -f json REST`: the format option goes before the arguments, which `run` would swallow. */
  const json = async (cmd: string[], rest: string[] = []) => {
    const r = await ok([...cmd, '-f', 'json', ...rest]);
    try {
      return JSON.parse(r.stdout);
    } catch {
      throw new Error(`openstack ${cmd.join(' ')} printed no JSON: ${r.stdout}`);
    }
  };
  /** Commands in one CLI session; every one must succeed. Returns their JSON documents and the text after them. */
  const session = async (lines: string[], cwd?: string) => {
    const r = await cliSession(lines, env, cwd);
    assert.equal(r.code, 0, `${lines.join(' / ')}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /HTTP \d{3}|Traceback|[Ee]rror/, `${lines.join(' / ')}: ${r.stderr}`);
    return jsonDocuments(r.stdout);
  };
  const engineHas = async (id: string) => (await engineContainers(`berth.container-uuid=${id}`)).length > 0;

  before(async () => {
    s = await startEngineServer(dialect, 'cli');
    env = s.openrcEnv();
    const token = await s.adminToken();
    zun = zunAs(s, token);
    const me = await s.request('GET', '/identity/v3/auth/tokens', { token, headers: { 'X-Subject-Token': token } });
    adminUserId = me.json.token.user.id;
    adminProjectId = me.json.token.project.id;
    work = mkdtempSync(join(tmpdir(), 'berth-cli-'));
  });
  after(async () => {
    await stopEngineServer(s);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('run --name web busybox sleep 3600 (and the other containers of this flow) until web is Running', async () => {
    // Containers that only serve as objects of later commands and need shell operators come from the API.
    const viaApi = async (name: string, command: string[]) => {
      const r = await zun('POST', '/containers?run=true', { body: { name, image: 'busybox', command } });
      assert.equal(r.status, 202, r.text);
      return [r.json];
    };
    const [[web], cfg, others, talk, seven] = await Promise.all([
      json(['appcontainer', 'run'], ['--name', 'web', 'busybox', 'sleep', '3600']).then((c) => [c]),
      json(['appcontainer', 'run'], [
        '--name', 'cfg', '--environment', 'GREETING=hello world', '--environment', 'MODE=test', '--label', 'team=blue',
        '--label', 'tier=web', '--workdir', '/tmp', '--cpu', '0.5', '--memory', '64', 'busybox', 'sleep', '3600',
      ]).then((c) => [c]),
      session([
        `appcontainer run -f json --name ghost ${ghostImage} true`,
        'appcontainer run -f json --name once busybox true',
        'appcontainer run -f json --name keep busybox sleep 3600',
      ]).then((r) => r.docs),
      viaApi('talk', ['sh', '-c', 'echo out-line; echo err-line >&2; exec sleep 3600']),
      viaApi('seven', ['sh', '-c', 'exit 7']),
    ]);
    const runs = [web, ...cfg, ...others, ...talk, ...seven];
    assert.deepEqual(runs.map((c: any) => c.name), ['web', 'cfg', 'ghost', 'once', 'keep', 'talk', 'seven']);
    for (const c of runs) {
      assert.match(c.uuid, /^[0-9a-f-]{36}$/);
      assert.ok(['Creating', 'Created', 'Running', 'Error', 'Stopped'].includes(c.status), `${c.name}: ${c.status}`);
      uuid[c.name] = c.uuid;
    }
    assert.equal(web.image, 'busybox');
    assert.deepEqual(web.command, ['sleep', '3600']);
    assert.equal(web.host, s.hostName);
    await waitStatus(zun, uuid.web, ['Running'], 60_000);
  });

  describe('while web runs', { concurrency: true }, () => {
    it('show, list, logs, stats, top, exec echo, host list and service list (one CLI session)', async () => {
      // What the session shows must have happened first.
      await Promise.all([
        waitFor('talk to have written both lines', async () => {
          const r = await zun('GET', `/containers/${uuid.talk}/logs`);
          return r.status === 200 && /out-line/.test(r.json) && /err-line/.test(r.json);
        }, 30_000, 200),
        waitStatus(zun, uuid.ghost, ['Error'], 60_000),
        waitStatus(zun, uuid.once, ['Stopped'], 60_000),
        waitStatus(zun, uuid.seven, ['Stopped'], 60_000),
      ]);
      const { docs, rest } = await session([
        'appcontainer show web -f json',
        'appcontainer list -f json',
        'appcontainer stats web -f json',
        'appcontainer host list -f json',
        'appcontainer service list -f json',
        'appcontainer show ghost -f json',
        'appcontainer show once -f json',
        'appcontainer show seven -f json',
        'appcontainer logs talk',
        'appcontainer exec web echo hello-from-exec',
      ]);
      assert.equal(docs.length, 8, JSON.stringify(docs).slice(0, 500));
      const [web, list, stats, hosts, services, ghost, once, seven] = docs;

      assert.equal(web.status, 'Running', 'show says Running');
      assert.equal(web.uuid, uuid.web);
      assert.deepEqual(web.command, ['sleep', '3600']);
      assert.equal(web.host, s.hostName);
      assert.equal(web.project_id, adminProjectId);
      assert.equal(web.user_id, adminUserId);
      assert.equal(web.cpu, 1);
      assert.equal(web.memory, '512');
      assert.equal(web.task_state, null);

      // (keep may already be gone: its deletion runs alongside.)
      assert.deepEqual(list.map((c: any) => c.name).filter((n: string) => n !== 'keep').sort(), ['cfg', 'ghost', 'once', 'seven', 'talk', 'web']);
      const row = list.find((c: any) => c.name === 'web');
      assert.equal(row.uuid, uuid.web);
      assert.equal(row.status, 'Running');
      assert.equal(row.image, 'busybox');

      assert.equal(stats.CONTAINER, 'web');
      for (const k of ['CPU %', 'MEM USAGE(MiB)', 'MEM LIMIT(MiB)', 'MEM %']) assert.equal(typeof stats[k], 'number', `stats ${k}: ${JSON.stringify(stats)}`);
      assert.ok(stats['MEM USAGE(MiB)'] > 0, JSON.stringify(stats));
      assert.equal(stats['MEM LIMIT(MiB)'], 512);
      assert.match(stats['BLOCK I/O(B)'], /^\d+\/\d+$/);
      assert.match(stats['NET I/O(B)'], /^\d+\/\d+$/);

      const h = hosts.find((x: any) => x.hostname === s.hostName);
      assert.ok(h && h.cpus > 0 && h.mem_total > 0, JSON.stringify(hosts));
      const svc = services.find((x: any) => x.Host === s.hostName);
      assert.ok(svc, JSON.stringify(services));
      assert.equal(svc.State, 'up');
      assert.equal(svc.Binary, 'zun-compute');
      assert.equal(svc.Disabled, false);

      // An unknown image: Error with a reason naming it, not a hang.
      assert.equal(ghost.status, 'Error');
      assert.ok(String(ghost.status_reason).includes(ghostImage), `status_reason: ${ghost.status_reason}`);
      // Commands that exit: Stopped, with the exit status.
      assert.equal(once.status, 'Stopped');
      assert.equal(once.status_detail, 'Exited(0)');
      assert.equal(once.status_reason, null);
      assert.equal(seven.status, 'Stopped');
      assert.equal(seven.status_detail, 'Exited(7)');
      assert.equal(seven.status_reason, 'exited with code 7');

      // logs: stdout and stderr together, in either order (apart through the API); then the exec's output.
      const at = (text: string) => rest.indexOf(text);
      assert.ok(at('out-line') >= 0 && at('err-line') >= 0, rest);
      assert.ok(at('\nhello-from-exec\n') > Math.max(at('out-line'), at('err-line')), rest);
      const [out, err] = await Promise.all([
        zun('GET', `/containers/${uuid.talk}/logs?stdout=True&stderr=False`),
        zun('GET', `/containers/${uuid.talk}/logs?stdout=False&stderr=True`),
      ]);
      assert.ok(/out-line/.test(out.json) && !/err-line/.test(out.json), out.text);
      assert.ok(/err-line/.test(err.json) && !/out-line/.test(err.json), err.text);
    });

    it('exec web echo hello prints hello; exec web sh -c "exit 3" exits 3 (one process each: the exit status)', async () => {
      const [hello, three] = await Promise.all([
        runCli(['appcontainer', 'exec', 'web', 'echo', 'hello'], env),
        runCli(['appcontainer', 'exec', 'web', 'sh', '-c', 'exit 3'], env),
      ]);
      assert.equal(hello.code, 0, hello.stderr);
      assert.equal(hello.stdout.trim(), 'hello');
      assert.equal(three.code, 3, `exit status of the command: ${three.stderr}${three.stdout}`);
    });

    it('exec --interactive web sh: a shell on a terminal', async () => {
      const r = await runOnPty(['openstack', 'appcontainer', 'exec', '--interactive', 'web', 'sh'],
        [['# ', 'echo inter-$((40+2))\r'], ['inter-42', 'exit\r']], env, 60);
      assert.match(r.stdout, /\binter-42\r?\n/, `terminal showed: ${JSON.stringify(r.stdout)} ${r.stderr}`);
      assert.equal(r.code, 0, `terminal showed: ${JSON.stringify(r.stdout)} ${r.stderr}`);
    });

    it('top: the process table through the API, and the CLI gets it', async () => {
      const [api, cli] = await Promise.all([zun('GET', `/containers/${uuid.web}/top`), runCli(['appcontainer', 'top', 'web'], env)]);
      assert.equal(api.status, 200, api.text);
      assert.ok(Array.isArray(api.json.Titles) && api.json.Titles.includes('PID'), api.text);
      assert.ok(Array.isArray(api.json.Processes) && api.json.Processes.length >= 1, api.text);
      assert.ok(api.json.Processes.some((p: string[]) => p.join(' ').includes('sleep 3600')), api.text);
      // zunclient 4.5 formats the table with a Python 2 print statement: it prints the first column's
      // format and then fails on `print(...) % title`. Reaching that line means the API answered.
      assert.match(cli.stdout, /%-20s/, `${cli.stdout}${cli.stderr}`);
      assert.doesNotMatch(cli.stderr, /HTTP \d{3}/, cli.stderr);
    });

    it('cp ./file web:/tmp/file and cp web:/tmp/file ./back', async () => {
      const content = `payload ${Date.now()}\nsecond line\n`;
      writeFileSync(join(work, 'file'), content);
      await session(['appcontainer cp ./file web:/tmp/file', 'appcontainer cp web:/tmp/file ./back'], work);
      assert.equal(readFileSync(join(work, 'back', 'file'), 'utf8'), content);
      const cat = await zun('POST', `/containers/${uuid.web}/execute?command=${encodeURIComponent('cat /tmp/file')}&run=true`);
      assert.equal(cat.status, 200, cat.text);
      assert.equal(cat.json.output, content);
    });

    it('run --environment/--label/--workdir/--cpu/--memory reach the engine container', async () => {
      const c = await waitStatus(zun, uuid.cfg, ['Running'], 60_000);
      assert.deepEqual(c.environment, { GREETING: 'hello world', MODE: 'test' });
      assert.deepEqual(c.labels, { team: 'blue', tier: 'web' });
      assert.equal(c.workdir, '/tmp');
      assert.equal(c.cpu, 0.5);
      assert.equal(c.memory, '64');
      const ids = await engineContainers(`berth.container-uuid=${uuid.cfg}`);
      assert.equal(ids.length, 1);
      const e = await inspectEngine(ids[0]);
      assert.ok(e.Config.Env.includes('GREETING=hello world'), JSON.stringify(e.Config.Env));
      assert.ok(e.Config.Env.includes('MODE=test'), JSON.stringify(e.Config.Env));
      assert.equal(e.Config.WorkingDir, '/tmp');
      assert.deepEqual(e.Config.Cmd, ['sleep', '3600']);
      assert.equal(e.HostConfig.NanoCpus, 500_000_000);
      assert.equal(e.HostConfig.Memory, 64 * 1024 * 1024);
      const labels = e.Config.Labels;
      assert.equal(labels.team, 'blue');
      assert.equal(labels.tier, 'web');
      assert.equal(labels['berth.cloud'], s.cloudId);
      assert.equal(labels['berth.container-uuid'], uuid.cfg);
      assert.equal(labels['berth.project'], adminProjectId);
      assert.equal(labels['berth.name'], 'cfg');
      assert.equal(labels['berth.host'], s.hostName);
    });

    it('delete of a running container without --force is a 409; delete --stop removes it', async () => {
      await waitStatus(zun, uuid.keep, ['Running'], 60_000);
      const r = await cliSession(['appcontainer delete keep', 'appcontainer delete --stop keep'], env);
      assert.match(r.stdout + r.stderr, new RegExp(`Cannot delete container ${uuid.keep} in Running state\\. \\(HTTP 409\\)`));
      assert.match(r.stdout, /Request to delete container keep has been accepted/);
      await waitFor('keep to be gone from the API and the engine', async () =>
        (await zun('GET', `/containers/${uuid.keep}`)).status === 404 && !(await engineHas(uuid.keep)), 30_000, 200);
    });
  });

  it('stop, start, pause, unpause typed back to back: statuses follow, applied in order', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const seen: string[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const r = await zun('GET', `/containers/${uuid.web}`);
        if (r.status === 200 && seen[seen.length - 1] !== r.json.status) seen.push(r.json.status);
        await new Promise((res) => setTimeout(res, 50));
      }
    })();
    try {
      for (const args of [['stop', '--timeout', '1', 'web'], ['start', 'web'], ['pause', 'web'], ['unpause', 'web']]) {
        const r = await ok(['appcontainer', ...args]);
        assert.match(r.stdout, /accepted/, `${args[0]}: ${r.stdout}`);
      }
      await waitFor('the four actions to finish', async () => {
        const r = await zun('GET', `/containers/${uuid.web}/container_actions`);
        const mine = r.json.containerActions.filter((a: any) => ['stop', 'start', 'pause', 'unpause'].includes(a.action));
        return mine.length === 4 && mine.every((a: any) => a.finish_time !== null);
      }, 30_000, 100);
      await waitStatus(zun, uuid.web, ['Running'], 60_000);
    } finally {
      polling = false;
      await poller;
    }
    assert.ok(inOrder(seen, ['Running', 'Stopped', 'Running', 'Paused', 'Running']), `statuses seen: ${seen.join(' → ')}`);
    const events = await waitFor('the engine events of the four actions', async () => {
      const ev = await engineEvents(uuid.web, since, Math.ceil(Date.now() / 1000) + 1);
      return inOrder(ev, ['die', 'start', 'pause', 'unpause']) ? ev : undefined;
    }, 10_000, 500);
    assert.ok(inOrder(events, ['die', 'start', 'pause', 'unpause']), events.join(' '));
    const actions = (await zun('GET', `/containers/${uuid.web}/container_actions`)).json.containerActions;
    for (const a of actions.filter((x: any) => ['stop', 'start', 'pause', 'unpause'].includes(x.action))) assert.equal(a.message, null, JSON.stringify(a));
  });

  it('action list shows every action with its request id; action show finds one', async () => {
    const stop = (await zun('GET', `/containers/${uuid.web}/container_actions`)).json.containerActions.find((a: any) => a.action === 'stop');
    const { docs: [rows, shown] } = await session(['appcontainer action list web -f json', `appcontainer action show web ${stop.request_id} -f json`]);
    const names = new Set(rows.map((r: any) => r.action));
    for (const a of ['run', 'exec', 'stop', 'start', 'pause', 'unpause', 'put_archive', 'get_archive']) assert.ok(names.has(a), `${a} in ${[...names].join(' ')}`);
    const ids = rows.map((r: any) => r.request_id);
    for (const id of ids) assert.match(id, /^req-[0-9a-f-]{36}$/);
    assert.equal(new Set(ids).size, ids.length, 'request ids are unique');
    for (const r of rows) {
      assert.equal(r.container_uuid, uuid.web);
      assert.equal(r.user_id, adminUserId);
    }
    assert.equal(shown.action, 'stop');
    assert.equal(shown.request_id, stop.request_id);
    assert.ok(shown.finish_time, JSON.stringify(shown));
  });

  it('delete --force web: gone from appcontainer list and from the engine within seconds', async () => {
    assert.ok(await engineHas(uuid.web));
    const r = await ok(['appcontainer', 'delete', '--force', 'web']);
    assert.match(r.stdout, /accepted/);
    // Within a few seconds of the CLI's answer (its own start-up is not the cloud's time).
    await waitFor('web to be gone from the API and the engine', async () =>
      (await zun('GET', `/containers/${uuid.web}`)).status === 404 && !(await engineHas(uuid.web)), 10_000, 100);
    const names = (await json(['appcontainer', 'list'])).map((c: any) => c.name);
    assert.ok(!names.includes('web') && !names.includes('keep'), names.join(' '));
  });

  it('no container of this cloud is left on the engine', async () => {
    assert.deepEqual(await deleteAllContainers(s), []);
  });
}, { timeout: 420_000, concurrent: true });
