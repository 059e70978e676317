/**
 * Berth across several compute hosts, each a real Docker engine with a real `berth agent` process:
 * host-1 and host-2 from scripts/test-hosts.sh (a network namespace and dockerd each) and a third agent
 * on the main engine. The server runs no agent of its own, so these three are the whole fleet. Every
 * host offers 3 containers (and 1 cpu, 1 GiB), so fill-first visibly fills one host before the next.
 *
 * Steps run in order and build on each other; the comment above each says what the fleet holds then.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import { DOWN_AFTER_SECONDS, LABEL_CLOUD, LABEL_HOST, LABEL_UUID } from '../src/agent/protocol.js';
import { cliJson, dialects, eachDialect, runCli, startTestServer, waitFor, type TestServer } from './helpers.js';
import {
  docker, dockerOk, downTestHosts, engineIds, mainEngine, removeCloudContainers, startAgent, uniqueHostName, upTestHosts,
  type AgentProcess, type EngineHost,
} from './hosts-fixture.js';

const PER_HOST = 3;
const MEMORY_MB = 256;
const CAPACITY = { cpus: 1, memoryMb: 1024, maxContainers: PER_HOST };

let testHosts: EngineHost[] = [];
let main = '';

before(async () => {
  main = await mainEngine();
  testHosts = await upTestHosts(2);
}, { timeout: 300_000 });

after(async () => {
  await downTestHosts();
}, { timeout: 300_000 });

eachDialect((dialect) => {
  let s: TestServer;
  let token: string;
  let admin: Record<string, string>;
  /** The fleet in fill-first order: host-1, host-2, then the main engine's host. */
  let fleet: EngineHost[] = [];
  const firstDialect = dialect.name === dialects()[0].name;
  /** The first dialect drives every step the CLI offers through it; later ones only some creates. */
  const cliEverywhere = firstDialect;
  const agents = new Map<string, AgentProcess>();
  /** Where each live container was placed: uuid → host name. */
  const placed = new Map<string, string>();
  const uuidOf = new Map<string, string>();

  const api = (method: string, path: string, body?: unknown) =>
    s.request(method, `/container/v1${path}`, { token, body, headers: { 'OpenStack-API-Version': 'container 1.40' } });
  const engineOf = (host: string) => fleet.find((h) => h.name === host)!.engine;
  const hostAt = (i: number) => fleet[i].name;
  const show = async (uuid: string) => {
    const r = await api('GET', `/containers/${uuid}`);
    assert.equal(r.status, 200, r.text);
    return r.json;
  };
  const waitStatus = (uuid: string, status: string, timeoutMs = 20_000) =>
    waitFor(`${uuid} to be ${status}`, async () => {
      const c = await show(uuid);
      return c.status === status ? c : undefined;
    }, timeoutMs, 100);
  /** Engine containers of one Berth container on `host`'s engine (running ones unless `all`). */
  const onEngine = (host: string, uuid: string, all = false) => engineIds(engineOf(host), { [LABEL_UUID]: uuid }, { running: !all });

  /** Creates and starts a busybox sleeper through the API; returns the create answer. */
  const runApi = async (name: string) => {
    const r = await api('POST', '/containers?run=true', { name, image: 'busybox', command: 'sleep 3600', memory: MEMORY_MB });
    assert.equal(r.status, 202, r.text);
    return r.json;
  };
  /** The same through `openstack appcontainer run`. */
  const runCliContainer = async (name: string) => {
    // NOTE: the output options go before the image: everything after it is the container's command.
    const args = ['appcontainer', 'run', '-f', 'json', '--name', name, '--memory', String(MEMORY_MB), 'busybox', 'sleep', '3600'];
    const r = await runCli(args, admin);
    assert.equal(r.code, 0, `openstack ${args.join(' ')} failed: ${r.stderr}`);
    const c = JSON.parse(r.stdout);
    assert.deepEqual(c.command, ['sleep', '3600']);
    return c;
  };
  const remember = (c: { uuid: string; name: string; host: string }) => {
    placed.set(c.uuid, c.host);
    uuidOf.set(c.name, c.uuid);
  };
  /** Force-deletes containers and waits until they are gone from the API and their engine. */
  const deleteAll = async (names: string[]) => {
    for (const name of names) {
      const r = await api('DELETE', `/containers/${uuidOf.get(name)}?force=true`);
      assert.equal(r.status, 204, r.text);
    }
    for (const name of names) {
      const uuid = uuidOf.get(name)!;
      const host = placed.get(uuid)!;
      await waitFor(`${name} to be gone`, async () =>
        (await api('GET', `/containers/${uuid}`)).status === 404 && (await onEngine(host, uuid, true)).length === 0, 20_000, 100);
      placed.delete(uuid);
      uuidOf.delete(name);
    }
  };
  const services = async () => {
    const r = await api('GET', '/services');
    assert.equal(r.status, 200, r.text);
    return new Map<string, any>(r.json.services.map((x: any) => [x.host, x]));
  };
  const cliServices = async () => new Map<string, any>((await cliJson(['appcontainer', 'service', 'list'], admin)).map((x: any) => [x.Host, x]));
  /**
   * `openstack appcontainer service ARGS` on the first dialect; on the others the request zunclient
   * sends for it (a CLI run costs seconds, and what it sends does not depend on the database).
   */
  const serviceAction = async (args: string[], path: string) => {
    if (cliEverywhere) {
      const r = await runCli(['appcontainer', 'service', ...args], admin);
      assert.equal(r.code, 0, `openstack appcontainer service ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
    } else {
      const r = await api('PUT', path);
      assert.equal(r.status, 200, r.text);
    }
  };
  /** Checks that the container runs on exactly the engine of the host it was placed on. */
  const assertRunsOn = async (uuid: string, host: string) => {
    assert.equal((await onEngine(host, uuid)).length, 1, `${uuid} runs on ${host}'s engine`);
    for (const other of fleet) if (other.name !== host) assert.equal((await onEngine(other.name, uuid, true)).length, 0, `${uuid} is not on ${other.name}`);
  };

  before(async () => {
    s = await startTestServer(dialect, { BERTH_LOCAL_AGENT: 'false' });
    token = await s.adminToken();
    admin = s.openrcEnv();
    fleet = [...testHosts, { name: uniqueHostName('main'), engine: main }];
    await Promise.all(fleet.map(async (h) => agents.set(h.name, await startAgent(s, token, { name: h.name, engine: h.engine, ...CAPACITY }))));
  }, { timeout: 120_000 });

  after(async () => {
    await Promise.all([...agents.values()].map((a) => a.stop().catch(() => undefined)));
    if (s) for (const h of fleet) await removeCloudContainers(h.engine, s.server.cloudId);
    await s?.stop();
  }, { timeout: 120_000 });

  // Fleet: three empty hosts.
  it('fill-first fills one host completely before the next', async () => {
    assert.deepEqual([...(await services()).values()].map((x) => [x.host, x.state]).sort(), fleet.map((h) => [h.name, 'up']).sort());
    const created = [];
    for (let i = 0; i < PER_HOST * fleet.length; i++) {
      const name = `fill-${i}`;
      // Some containers through the stock CLI (the first of each host, or of the fleet on later
      // dialects), the others through the API. Placement is decided when the create is answered.
      const viaCli = i === 0 || (cliEverywhere && i % PER_HOST === 0);
      const c = viaCli ? await runCliContainer(name) : await runApi(name);
      const want = hostAt(Math.floor(i / PER_HOST));
      assert.equal(c.host, want, `${name} is placed on ${want}`);
      remember(c);
      created.push(c);
    }
    const [hosts] = await Promise.all([
      cliEverywhere ? cliJson(['appcontainer', 'host', 'list'], admin) : api('GET', '/hosts').then((r) => r.json.hosts),
      ...created.map(async (c) => {
        assert.equal((await waitStatus(c.uuid, 'Running')).host, c.host);
        await assertRunsOn(c.uuid, c.host);
      }),
    ]);
    assert.deepEqual(hosts.map((h: any) => h.hostname).sort(), fleet.map((h) => h.name).sort());
    for (const h of hosts) {
      assert.equal(h.cpus, CAPACITY.cpus);
      assert.equal(h.mem_total, CAPACITY.memoryMb);
    }
    for (const h of (await api('GET', '/hosts')).json.hosts) {
      assert.equal(h.total_containers, PER_HOST, `${h.hostname} holds ${PER_HOST}`);
      assert.equal(h.mem_used, PER_HOST * MEMORY_MB);
    }
  });

  // Fleet: full (3 + 3 + 3).
  it('a container that fits nowhere goes to Error with the reasons per filter', async () => {
    const c = await runApi('overflow');
    assert.equal(c.status, 'Error');
    assert.equal(c.host ?? null, null);
    assert.equal(c.status_reason, `No valid host was found. ${fleet.length} hosts: ${fleet.length} at their container limit`);
    assert.equal((await show(c.uuid)).status_reason, c.status_reason);
    assert.equal((await api('DELETE', `/containers/${c.uuid}`)).status, 204);
    assert.equal((await api('GET', `/containers/${c.uuid}`)).status, 404);
  });

  // Fleet: full.
  it('service disable and enable take a host out of placement and back; forced-down marks it down', async () => {
    const [h1, h2] = [hostAt(0), hostAt(1)];
    await deleteAll(['fill-2', 'fill-5']); // host-1 and host-2 now hold 2 each; host-1 wins the tie by name

    await serviceAction(['disable', h1, 'zun-compute', '--reason', 'maintenance'], `/services/disable?host=${h1}&binary=zun-compute&disabled_reason=maintenance`);
    let svc = (await services()).get(h1);
    assert.deepEqual([svc.disabled, svc.disabled_reason, svc.state], [true, 'maintenance', 'up']);
    const s1 = await runApi('svc-1');
    assert.equal(s1.host, h2, 'a disabled host gets nothing');
    remember(s1);
    const refused = await runApi('svc-refused');
    assert.equal(refused.status, 'Error');
    assert.equal(refused.status_reason, 'No valid host was found. 3 hosts: 2 at their container limit, 1 disabled');
    assert.equal((await api('DELETE', `/containers/${refused.uuid}`)).status, 204);

    await serviceAction(['enable', h1, 'zun-compute'], `/services/enable?host=${h1}&binary=zun-compute`);
    svc = (await services()).get(h1);
    assert.deepEqual([svc.disabled, svc.disabled_reason], [false, null]);
    const s2 = await runApi('svc-2');
    assert.equal(s2.host, h1, 'an enabled host is placed on again');
    remember(s2);

    await deleteAll(['svc-1', 'svc-2']); // host-1 and host-2 hold 2 each again
    await serviceAction(['forcedown', h1, 'zun-compute'], `/services/force_down?host=${h1}&binary=zun-compute&forced_down=True`);
    svc = (await services()).get(h1);
    assert.deepEqual([svc.state, svc.forced_down], ['down', true]);
    // The stock CLI's service list reads the same while a create goes elsewhere.
    const [list, s3] = await Promise.all([cliEverywhere ? cliServices() : undefined, runApi('svc-3')]);
    if (list) assert.deepEqual([list.get(h1).State, list.get(h2).State], ['down', 'up']);
    assert.equal(s3.host, h2, 'a host forced down gets nothing');
    remember(s3);
    await serviceAction(['forcedown', '--unset', h1, 'zun-compute'], `/services/force_down?host=${h1}&binary=zun-compute&forced_down=False`);
    svc = (await services()).get(h1);
    assert.deepEqual([svc.state, svc.forced_down], ['up', false]);
    const s4 = await runApi('svc-4');
    assert.equal(s4.host, h1, 'a host no longer forced down is placed on again');
    remember(s4);
    await Promise.all([s3, s4].map(async (c) => {
      await waitStatus(c.uuid, 'Running');
      await assertRunsOn(c.uuid, c.host);
    }));
  });

  // Fleet: host-1 fill-0, fill-1, svc-4; host-2 fill-3, fill-4, svc-3; main fill-6..8.
  it('an agent killed and restarted resumes: containers keep running, statuses follow the engine', async () => {
    const h2 = hostAt(1);
    const agent = agents.get(h2)!;
    const [keep, stopped, doomed] = ['fill-3', 'fill-4', 'svc-3'].map((n) => uuidOf.get(n)!);
    const keepId = (await onEngine(h2, keep))[0];
    assert.ok(keepId);

    await agent.kill('SIGKILL');
    try {
      // Nothing the engine runs depends on the agent.
      for (const uuid of [keep, stopped, doomed]) assert.equal((await onEngine(h2, uuid)).length, 1);
      // While the agent is away: a delete waits for it, and a container is stopped behind Berth's back.
      assert.equal((await api('DELETE', `/containers/${doomed}?force=true`)).status, 204);
      assert.equal((await show(doomed)).status, 'Deleting');
      await dockerOk(engineOf(h2), ['stop', '-t', '1', `berth-${stopped}`]);
      assert.equal((await show(keep)).status, 'Running');
      // The host goes down once its last heartbeat is older than DOWN_AFTER_SECONDS. That takes up to
      // 20 s and does not depend on the database, so only the first dialect waits for it.
      if (firstDialect) {
        await waitFor(`${h2} to be down`, async () => (await services()).get(h2).state === 'down', (DOWN_AFTER_SECONDS + 15) * 1000, 250);
        assert.equal((await show(doomed)).status, 'Deleting');
      }
    } finally {
      if (!agent.running) await agent.start();
    }
    await waitFor('the delete to complete', async () =>
      (await api('GET', `/containers/${doomed}`)).status === 404 && (await onEngine(h2, doomed, true)).length === 0, 20_000, 100);
    placed.delete(doomed);
    uuidOf.delete('svc-3');
    await waitStatus(stopped, 'Stopped');
    assert.equal((await show(keep)).status, 'Running');
    assert.deepEqual(await onEngine(h2, keep), [keepId], 'the running container was left alone, not re-created');
    await waitFor(`${h2} to be up`, async () => (await services()).get(h2).state === 'up', 15_000, 200);
    const listed = (await api('GET', '/containers')).json.containers.map((c: any) => c.uuid);
    assert.ok(!listed.includes(doomed));
  });

  // Fleet: host-1 fill-0, fill-1, svc-4; host-2 fill-3, fill-4 (Stopped); main fill-6..8.
  it('out-of-band docker stop shows within seconds; docker rm -f is repaired', async () => {
    const h1 = hostAt(0);
    const uuid = uuidOf.get('fill-0')!;
    const before = (await onEngine(h1, uuid))[0];
    assert.ok(before);
    await dockerOk(engineOf(h1), ['stop', '-t', '1', `berth-${uuid}`]);
    const t0 = Date.now();
    await waitStatus(uuid, 'Stopped', 5_000);
    assert.ok(Date.now() - t0 < 3_000, `Stopped was visible after ${Date.now() - t0} ms`);

    await dockerOk(engineOf(h1), ['rm', '-f', `berth-${uuid}`]);
    // Within the agent's resync period (10 s), with room for a loaded machine.
    await waitStatus(uuid, 'Running', 15_000);
    const now = await onEngine(h1, uuid);
    assert.equal(now.length, 1);
    assert.notEqual(now[0], before, 'a new engine container');
  });

  it('an unknown container labelled for this cloud and host is removed; another cloud\'s is left alone', async () => {
    const h1 = hostAt(0);
    const engine = engineOf(h1);
    const label = (cloud: string) => ['--label', `${LABEL_CLOUD}=${cloud}`, '--label', `${LABEL_HOST}=${h1}`, '--label', `${LABEL_UUID}=${randomUUID()}`];
    const stray = await dockerOk(engine, ['run', '-d', ...label(s.server.cloudId), 'busybox', 'sleep', '3600']);
    const foreign = await dockerOk(engine, ['run', '-d', ...label('another-cloud'), 'busybox', 'sleep', '3600']);
    try {
      await waitFor('the stray container to be removed', async () =>
        (await docker(engine, ['inspect', stray])).code !== 0, 15_000, 200);
      assert.equal(await dockerOk(engine, ['inspect', '-f', '{{.State.Running}}', foreign]), 'true');
    } finally {
      await docker(engine, ['rm', '-f', stray, foreign]);
    }
  });

  it('a delete while the host\'s agent is stopped completes when it returns', async () => {
    const h3 = hostAt(2);
    const agent = agents.get(h3)!;
    const uuid = uuidOf.get('fill-8')!;
    await agent.stop();
    try {
      assert.equal((await api('DELETE', `/containers/${uuid}?force=true`)).status, 204);
      assert.equal((await show(uuid)).status, 'Deleting');
      assert.equal((await onEngine(h3, uuid)).length, 1, 'still on the engine while no agent runs');
    } finally {
      await agent.start();
    }
    await waitFor('the delete to complete', async () =>
      (await api('GET', `/containers/${uuid}`)).status === 404 && (await onEngine(h3, uuid, true)).length === 0, 20_000, 100);
    placed.delete(uuid);
    uuidOf.delete('fill-8');
    const listed = (await api('GET', '/containers')).json.containers.map((c: any) => c.uuid);
    assert.ok(!listed.includes(uuid));
  });

  it('deleting every container empties every engine', async () => {
    await deleteAll([...uuidOf.keys()]);
    assert.deepEqual((await api('GET', '/containers')).json.containers, []);
    for (const h of fleet) assert.deepEqual(await engineIds(h.engine, { [LABEL_CLOUD]: s.server.cloudId }), []);
    for (const h of (await api('GET', '/hosts')).json.hosts) assert.equal(h.total_containers, 0);
  });
}, { timeout: 170_000 });
