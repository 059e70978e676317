/**
 * Agent calls from any server: two Berth servers on one database, a real `berth agent` process on the
 * test run's engine connected to server A only, and every call that reaches a host made through
 * server B — plain exec, logs, archives, top, stats and an interactive exec session over its WebSocket —
 * forwarded to A over the internal routes. Then the agent stops: the same calls answer 503 in Zun's
 * format through both servers. Then the agent re-dials B: calls through A reach it through B.
 * The internal routes refuse anything without the cluster secret, tenant tokens included. Several
 * servers share a PostgreSQL database (SQLite is one server's), so the SQLite case is skipped.
 *
 * Steps run in order and build on each other.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { extract } from 'tar-stream';
import { WebSocket } from 'ws';
import { getSetting } from '../src/store/identity-repo.js';
import { eachDialect, waitFor, type TestServer } from './helpers.js';
import {
  AgentProcess, hostCredential, mainEngine, removeCloudContainers, startAgent, startSharedServers, uniqueHostName,
  type SharedServers,
} from './hosts-fixture.js';
import { assertZunError, tarOf, zunAs, waitStatus, waitGone, type Zun } from './containers-fixture.js';

let engine = '';
before(async () => {
  engine = await mainEngine();
}, { timeout: 300_000 });

/** The files of a tar archive: name → content. */
async function untar(bytes: Buffer): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const x = extract();
  const done = new Promise<void>((resolve, reject) => {
    x.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        out.set(header.name, Buffer.concat(chunks));
        next();
      });
    });
    x.on('finish', () => resolve());
    x.on('error', reject);
  });
  x.end(bytes);
  await done;
  return out;
}

/** What a WebSocket handshake answered when it was refused: status and body. */
function refusedHandshake(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.terminate();
      reject(new Error(`the handshake to ${url} succeeded`));
    });
    ws.on('unexpected-response', (req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers });
        req.destroy();
      });
    });
    ws.on('error', () => undefined);
  });
}

/**
 * Drives an interactive session at `url`: for each step, waits until the output shows `wait` (after the
 * previous input), then types `send` (or what it resolves to); returns everything printed until it closed.
 */
function interactiveSession(url: string, steps: [wait: string, send: string | (() => Promise<string>)][]): Promise<{ output: string; code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    let output = '';
    let step = 0;
    let mark = 0;
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`interactive session timed out; it printed: ${JSON.stringify(output)}`));
    }, 30_000);
    let busy = false;
    const advance = () => {
      if (busy || step >= steps.length || !output.slice(mark).includes(steps[step][0])) return;
      mark = output.length;
      const send = steps[step++][1];
      busy = true;
      void (typeof send === 'string' ? Promise.resolve(send) : send()).then((text) => {
        busy = false;
        ws.send(Buffer.from(text));
        advance();
      }, (e: Error) => {
        ws.terminate();
        reject(e);
      });
    };
    ws.on('open', () => advance());
    ws.on('message', (data: Buffer) => {
      output += data.toString();
      advance();
    });
    ws.on('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ output, code, reason: reason.toString() });
    });
    ws.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];

eachDialect((dialect) => void describe('two API servers on one database', {
  skip: dialect.name === 'sqlite' ? 'several servers share a PostgreSQL database; SQLite is one server\'s' : false,
}, () => {
  let shared: SharedServers;
  let a: TestServer;
  let b: TestServer;
  let token: string;
  let agent: AgentProcess;
  let hostName: string;
  let uuid = '';
  const zun: Record<'a' | 'b', Zun> = {} as never;

  before(async () => {
    shared = await startSharedServers(dialect, 2);
    [a, b] = shared.servers;
    token = await a.adminToken();
    zun.a = zunAs(a, token, '1.40');
    zun.b = zunAs(b, token, '1.40');
    hostName = uniqueHostName('forward');
    agent = await startAgent(a, token, { name: hostName, engine }, a);
  }, { timeout: 120_000 });

  after(async () => {
    try {
      if (uuid) {
        await zun.b('DELETE', `/containers/${uuid}?force=true`).catch(() => undefined);
        await waitGone(zun.b, uuid, 30_000).catch(() => undefined);
      }
      await agent?.stop();
    } finally {
      if (a) await removeCloudContainers(engine, a.server.cloudId);
      await shared?.stop();
    }
  }, { timeout: 120_000 });

  it('records which server holds the agent, and where each server is reached', async () => {
    const route = await a.server.db.kysely.selectFrom('agent_routes').selectAll().where('host_id', '=', agent.hostId).executeTakeFirst();
    assert.equal(route?.server_id, a.server.hub.serverId);
    const servers = await a.server.db.kysely.selectFrom('servers').select(['id', 'url']).orderBy('url').execute();
    assert.deepEqual(servers.map((s) => s.url).sort(), [a.url, b.url].sort());
    assert.ok(!b.server.hub.isConnected(agent.hostId), 'server B does not hold the agent');
  });

  it('creates a container through B on the host whose agent is on A', async () => {
    const r = await zun.b('POST', '/containers?run=true', { body: { name: 'fwd', image: 'busybox', command: "sh -c 'echo started; exec sleep 3600'" } });
    assert.equal(r.status, 202, r.text);
    uuid = r.json.uuid;
    const c = await waitStatus(zun.b, uuid, ['Running']);
    assert.equal(c.host, hostName);
  });

  it('exec through B (forwarded) and through A (direct), with the latency of exec and logs', async (t) => {
    const run = async (z: Zun) => {
      const r = await z('POST', `/containers/${uuid}/execute?command=echo%20hello&run=true`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.output, 'hello\n');
      assert.equal(r.json.exit_code, 0);
    };
    await run(zun.b);
    const times: Record<'a' | 'b', number[]> = { a: [], b: [] };
    for (let i = 0; i < 15; i++) {
      for (const k of ['a', 'b'] as const) {
        const t0 = performance.now();
        await run(zun[k]);
        times[k].push(performance.now() - t0);
      }
    }
    t.diagnostic(`exec median: direct ${median(times.a).toFixed(1)} ms, forwarded ${median(times.b).toFixed(1)} ms (${dialect.name})`);
    // Logs are the cheapest call on the engine side, so they show the cost of the extra hop best.
    const logs: Record<'a' | 'b', number[]> = { a: [], b: [] };
    for (let i = 0; i < 15; i++) {
      for (const k of ['a', 'b'] as const) {
        const t0 = performance.now();
        assert.equal((await zun[k]('GET', `/containers/${uuid}/logs`)).status, 200);
        logs[k].push(performance.now() - t0);
      }
    }
    t.diagnostic(`logs median: direct ${median(logs.a).toFixed(1)} ms, forwarded ${median(logs.b).toFixed(1)} ms (${dialect.name})`);
  });

  it('logs through B', async () => {
    const r = await zun.b('GET', `/containers/${uuid}/logs?stdout=True&stderr=True`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json, 'started\n');
  });

  it('put_archive then get_archive through B', async () => {
    const content = randomBytes(200_000);
    const put = await zun.b('POST', `/containers/${uuid}/put_archive?path=/tmp`, { body: { data: (await tarOf('blob.bin', content)).toString('base64') } });
    assert.equal(put.status, 200, put.text);
    const got = await zun.b('GET', `/containers/${uuid}/get_archive?path=/tmp/blob.bin`);
    assert.equal(got.status, 200, got.text.slice(0, 300));
    const files = await untar(Buffer.from(got.json.data, 'base64'));
    assert.ok(files.get('blob.bin')?.equals(content), `the file came back whole: ${[...files.keys()].join(', ')}`);
    assert.equal(got.json.stat.size, content.length);
  });

  it('top and stats through B', async () => {
    const top = await zun.b('GET', `/containers/${uuid}/top`);
    assert.equal(top.status, 200, top.text);
    assert.ok(top.json.Processes.some((p: string[]) => p.join(' ').includes('sleep 3600')), top.text);
    const stats = await zun.b('GET', `/containers/${uuid}/stats`);
    assert.equal(stats.status, 200, stats.text);
    assert.equal(stats.json.CONTAINER, 'fwd');
    assert.ok('MEM USAGE(MiB)' in stats.json || Object.keys(stats.json).length > 1, stats.text);
  });

  it('an interactive exec session through B, over its WebSocket', async () => {
    const r = await zun.b('POST', `/containers/${uuid}/execute?command=sh&interactive=true&run=false`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.proxy_url.startsWith(b.url.replace(/^http/, 'ws')), r.json.proxy_url);
    // Once the shell prompts, the terminal is resized through B (as zunclient does). The engine applies
    // a resize asynchronously (the API answers before), so the shell waits until its terminal shows it.
    const resize = async () => {
      const x = await zun.b('POST', `/containers/${uuid}/execute_resize?exec_id=${r.json.exec_id}&w=100&h=40`);
      assert.equal(x.status, 200, x.text);
      return 'until [ "$(stty size)" = "40 100" ]; do sleep 0.05; done; echo fwd-$((6*7))\n';
    };
    const s = await interactiveSession(r.json.proxy_url, [['#', resize], ['fwd-42', 'exit\n']]);
    assert.match(s.output, /fwd-42/, 'the resize reached the terminal and the shell ran the command');
    assert.equal(s.code, 1000, s.output);
    // The URL was good for one session.
    const again = await refusedHandshake(r.json.proxy_url);
    assert.equal(again.status, 404);
  });

  it('the internal routes refuse requests without the cluster secret, and tenant tokens; a bad call body is a 400', async () => {
    const body = { hostId: agent.hostId, method: 'exec', uuid, params: { command: ['id'] }, timeoutMs: 5000 };
    for (const s of [a, b]) {
      const none = await s.request('POST', '/agent/v1/forward/call', { body });
      assert.equal(none.status, 401, none.text);
      assert.match(none.json.message, /cluster secret/);
      const tenant = await s.request('POST', '/agent/v1/forward/call', { body, token });
      assert.equal(tenant.status, 401, tenant.text);
      const asSecret = await s.request('POST', '/agent/v1/forward/call', { body, headers: { 'X-Berth-Cluster-Secret': token } });
      assert.equal(asSecret.status, 401, asSecret.text);
      // With the secret, a malformed call is a 400 that names the field, never a 500.
      const secret = await getSetting(s.server.db.kysely, 'cluster_secret');
      for (const bad of [{ ...body, method: 'format_disk' }, { ...body, timeoutMs: -1 }, { ...body, extra: 1 }, { hostId: agent.hostId }]) {
        const refused = await s.request('POST', '/agent/v1/forward/call', { body: bad, headers: { 'X-Berth-Cluster-Secret': secret! } });
        assert.equal(refused.status, 400, `${JSON.stringify(bad)}: ${refused.text}`);
        assert.ok(refused.json.message, refused.text);
      }
      const ws = s.url.replace(/^http/, 'ws') + '/agent/v1/forward/stream';
      assert.equal((await refusedHandshake(ws)).status, 401);
      assert.equal((await refusedHandshake(ws, { 'X-Auth-Token': token })).status, 401);
      assert.equal((await refusedHandshake(ws, { 'X-Berth-Cluster-Secret': token })).status, 401);
    }
  });

  it('with the agent stopped, every call answers 503 in Zun\'s format through both servers', async () => {
    // A session open through B when the agent goes away ends with the reason.
    const open = await zun.b('POST', `/containers/${uuid}/execute?command=sh&interactive=true&run=false`);
    assert.equal(open.status, 200, open.text);
    const killed = interactiveSession(open.json.proxy_url, [['#', async () => {
      await agent.kill();
      return '';
    }]]);
    const broken = await killed;
    assert.equal(broken.code, 1011, broken.output);
    assert.match(broken.reason, new RegExp(`compute host ${hostName} disconnected`));
    await waitFor('server A to see the agent gone', () => !a.server.hub.isConnected(agent.hostId));
    const tar = (await tarOf('x.txt', Buffer.from('x'))).toString('base64');
    for (const [name, z] of Object.entries(zun)) {
      const calls: [string, string, unknown?][] = [
        ['POST', `/containers/${uuid}/execute?command=id&run=true`],
        ['GET', `/containers/${uuid}/logs`],
        ['GET', `/containers/${uuid}/top`],
        ['GET', `/containers/${uuid}/stats`],
        ['GET', `/containers/${uuid}/get_archive?path=/tmp`],
        ['POST', `/containers/${uuid}/put_archive?path=/tmp`, { data: tar }],
        ['POST', `/containers/${uuid}/resize?w=80&h=24`],
      ];
      for (const [method, path, body] of calls) {
        assertZunError(await z(method, path, { body }), 503, new RegExp(`compute host ${hostName}`), `${method} ${path} through ${name}`);
      }
      const session = await z('POST', `/containers/${uuid}/execute?command=sh&interactive=true&run=false`);
      assert.equal(session.status, 200, session.text);
      const refused = await refusedHandshake(session.json.proxy_url);
      assert.equal(refused.status, 503, refused.body);
      const e = JSON.parse(refused.body).errors[0];
      assert.equal(e.status, 503);
      assert.equal(e.code, 'berth.host_unreachable');
      assert.match(e.detail, new RegExp(`compute host ${hostName}`));
      assert.equal(e.request_id, refused.headers['x-openstack-request-id']);
    }
  });

  it('the agent re-dials server B: its route follows, and calls through A are forwarded to B', async () => {
    const { credential, hostId } = await hostCredential(a, token, hostName);
    agent = new AgentProcess(b.url, credential, hostId, { name: hostName, engine });
    await agent.start();
    const route = await waitFor('the route to name server B', async () => {
      const r = await a.server.db.kysely.selectFrom('agent_routes').selectAll().where('host_id', '=', hostId).executeTakeFirst();
      return r?.server_id === b.server.hub.serverId ? r : undefined;
    });
    assert.ok(route);
    const r = await zun.a('POST', `/containers/${uuid}/execute?command=echo%20back&run=true`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.output, 'back\n');
    const s = await zun.a('POST', `/containers/${uuid}/execute?command=sh&interactive=true&run=false`);
    const out = await interactiveSession(s.json.proxy_url, [['', 'echo via-$((40+2))\n'], ['via-42', 'exit\n']]);
    assert.match(out.output, /via-42/);
  });

  it('a server that stops takes its routes with it: calls through the other answer 503', async () => {
    await b.stop();
    const r = await zun.a('POST', `/containers/${uuid}/execute?command=id&run=true`);
    assertZunError(r, 503, new RegExp(`compute host ${hostName}`));
    // The agent re-dials B's address, which is gone; bring it back to A for the cleanup.
    await agent.stop();
    const { credential, hostId } = await hostCredential(a, token, hostName);
    agent = new AgentProcess(a.url, credential, hostId, { name: hostName, engine });
    await agent.start();
    zun.b = zun.a;
  });
}));
