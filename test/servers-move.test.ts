/**
 * A resize that moves a server to another host, driven by the stock `openstack` CLI, on each database:
 * two compute hosts of scripts/test-hosts.sh (a namespaced dockerd each) with a real `berth agent`
 * each; host A small (768 MiB to claim), host B larger (3072 MiB). Servers fill A first, so a resize
 * that does not fit on A moves to B: VERIFY_RESIZE on B, running on B's engine and gone from A's, A's
 * claim held until `resize confirm` gives it back. A stopped server moved the same way and reverted
 * comes back to A stopped with its old flavor, B's claim given back. No room anywhere is Nova's "No
 * valid host was found." with nothing changed, over quota the usual 403; a moved server deleted before
 * confirming gives back both claims.
 *
 * Steps run in order and build on each other.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { LABEL_UUID } from '../src/agent/protocol.js';
import { runCli, startTestServer, waitFor, type TestServer } from './helpers.js';
import { eachEngineDialect, engineSkipReason } from './containers-fixture.js';
import { ROOT, downTestHosts, engineIds, removeCloudContainers, startAgent, upTestHosts, type AgentProcess, type EngineHost } from './hosts-fixture.js';
import { busyboxTar } from './images-fixture.js';

const skip = await engineSkipReason();
const hostsDir = join(ROOT, '.berth', 'servers-move-hosts');
const NOVA = '/compute/v2.1';
let hosts: EngineHost[] = [];

before(async () => {
  if (skip) return;
  await downTestHosts(hostsDir).catch(() => undefined);
  hosts = await upTestHosts(2, hostsDir);
}, { timeout: 300_000 });

after(async () => {
  if (!skip) await downTestHosts(hostsDir).catch(() => undefined);
}, { timeout: 300_000 });

eachEngineDialect(skip, (dialect) => {
  let s: TestServer;
  let env: Record<string, string>;
  let token: string;
  const agents: AgentProcess[] = [];
  let A: EngineHost;
  let B: EngineHost;
  const id = new Map<string, string>();

  const ok = async (...args: string[]) => {
    const r = await runCli(args, env, 180_000);
    assert.equal(r.code, 0, `openstack ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const json = async (...args: string[]) => JSON.parse(await ok(...args, '-f', 'json'));
  const nova = (method: string, path: string, body?: unknown) => s.request(method, `${NOVA}${path}`, { token, body });
  const server = async (name: string) => {
    const r = await nova('GET', `/servers/${id.get(name)}`);
    assert.equal(r.status, 200, r.text);
    return r.json.server;
  };
  const waitServer = (name: string, status: string) => waitFor(`server ${name} to be ${status}`, async () => {
    const sv = await server(name);
    if (sv.status === 'ERROR') throw new Error(`server ${name} went to ERROR: ${JSON.stringify(sv.fault)}`);
    return sv.status === status && sv['OS-EXT-STS:task_state'] === null ? sv : undefined;
  }, 60_000, 100);
  /** Memory claimed on each host (MiB), as the hosts API shows it. */
  const memUsed = async () => {
    const r = await s.request('GET', '/container/v1/hosts', { token, headers: { 'OpenStack-API-Version': 'container 1.40' } });
    assert.equal(r.status, 200, r.text);
    const by = new Map<string, number>(r.json.hosts.map((h: any) => [h.hostname, Number(h.mem_used)]));
    return { A: by.get(A.name), B: by.get(B.name) };
  };
  const onEngine = (h: EngineHost, name: string, running: boolean) => engineIds(h.engine, { [LABEL_UUID]: id.get(name)! }, { running });
  /** The server's container runs (or, `running` false, exists stopped) on `h` and on no other engine. */
  const livesOn = async (name: string, h: EngineHost, running: boolean) => {
    const other = h === A ? B : A;
    await waitFor(`${name} on ${h.name}'s engine only`, async () => {
      const all = await onEngine(h, name, false);
      const up = await onEngine(h, name, true);
      return all.length === 1 && up.length === (running ? 1 : 0) && (await onEngine(other, name, false)).length === 0;
    }, 20_000, 100);
  };
  const create = async (name: string, flavor: string) => {
    const sv = await json('server', 'create', '--flavor', flavor, '--image', 'busybox', '--wait', name);
    assert.equal(sv.status, 'ACTIVE');
    id.set(name, sv.id);
    return sv;
  };

  before(async () => {
    [A, B] = hosts;
    s = await startTestServer(dialect, { BERTH_LOCAL_AGENT: 'false' });
    env = s.openrcEnv();
    token = await s.adminToken();
    // Memory is what limits: A can claim floor(512 × 1.5) = 768 MiB, B 3072 MiB.
    agents.push(await startAgent(s, token, { name: A.name, engine: A.engine, cpus: 4, memoryMb: 512 }));
    agents.push(await startAgent(s, token, { name: B.name, engine: B.engine, cpus: 4, memoryMb: 2048 }));
    const tar = await busyboxTar();
    if (typeof tar === 'string') throw new Error(tar);
    await ok('image', 'create', '--container-format', 'docker', '--disk-format', 'raw', '--file', tar.path, 'busybox');
    for (const [name, ram] of [['f.256', 256], ['f.768', 768], ['f.4096', 4096]] as const) {
      await ok('flavor', 'create', '--vcpus', '1', '--ram', String(ram), '--disk', '0', name);
    }
  }, { timeout: 300_000 });

  after(async () => {
    await Promise.all(agents.map((a) => a.stop().catch(() => undefined)));
    for (const h of hosts) if (s) await removeCloudContainers(h.engine, s.server.cloudId).catch(() => undefined);
    await s?.stop();
  }, { timeout: 120_000 });

  it('vm1 and vm2 fill host A first', async () => {
    await create('vm1', 'f.256');
    await create('vm2', 'f.256');
    assert.equal((await server('vm1'))['OS-EXT-SRV-ATTR:host'], A.name);
    assert.equal((await server('vm2'))['OS-EXT-SRV-ATTR:host'], A.name);
    assert.deepEqual(await memUsed(), { A: 512, B: 0 });
  });

  it('resize --wait that does not fit on A moves vm1 to B: VERIFY_RESIZE, running on B, gone from A', async () => {
    await ok('server', 'resize', '--flavor', 'f.768', '--wait', 'vm1');
    const sv = await waitServer('vm1', 'VERIFY_RESIZE');
    assert.equal(sv['OS-EXT-STS:vm_state'], 'resized');
    assert.equal(sv['OS-EXT-SRV-ATTR:host'], B.name);
    assert.equal(sv.flavor.id, (await json('flavor', 'show', 'f.768')).id);
    assert.equal((await json('appcontainer', 'show', id.get('vm1')!)).memory, '768');
    // A's agent removes its engine container at once (not at a periodic sweep a minute later).
    await livesOn('vm1', B, true);
    // A keeps vm1's old claim until the resize is confirmed.
    assert.deepEqual(await memUsed(), { A: 512, B: 768 });
    const actions = (await nova('GET', `/servers/${id.get('vm1')}/os-instance-actions`)).json.instanceActions.map((a: any) => a.action);
    assert.ok(actions.includes('resize'), actions.join(','));
  });

  it('resize confirm keeps vm1 on B and gives A\'s claim back', async () => {
    await ok('server', 'resize', 'confirm', 'vm1');
    const sv = await waitServer('vm1', 'ACTIVE');
    assert.equal(sv['OS-EXT-SRV-ATTR:host'], B.name);
    assert.deepEqual(await memUsed(), { A: 256, B: 768 });
    await livesOn('vm1', B, true);
  });

  it('a stopped server moved by a resize is created stopped on B; resize revert brings it back to A with its old flavor', async () => {
    await create('vm3', 'f.256');
    assert.equal((await server('vm3'))['OS-EXT-SRV-ATTR:host'], A.name);
    await ok('server', 'stop', 'vm2');
    await waitServer('vm2', 'SHUTOFF');
    const flavorBefore = (await server('vm2')).flavor;
    await ok('server', 'resize', '--flavor', 'f.768', '--wait', 'vm2');
    const moved = await waitServer('vm2', 'VERIFY_RESIZE');
    assert.equal(moved['OS-EXT-SRV-ATTR:host'], B.name);
    assert.equal(moved['OS-EXT-STS:power_state'], 4, 'still powered off');
    await livesOn('vm2', B, false);
    assert.deepEqual(await memUsed(), { A: 512, B: 1536 });
    await ok('server', 'resize', 'revert', 'vm2');
    const back = await waitServer('vm2', 'SHUTOFF');
    assert.equal(back['OS-EXT-SRV-ATTR:host'], A.name);
    assert.deepEqual(back.flavor, flavorBefore);
    assert.equal((await json('appcontainer', 'show', id.get('vm2')!)).memory, '256');
    await livesOn('vm2', A, false);
    assert.deepEqual(await memUsed(), { A: 512, B: 768 });
    await ok('server', 'start', 'vm2');
    await waitServer('vm2', 'ACTIVE');
    await livesOn('vm2', A, true);
  });

  it('a resize with no room on any host fails with Nova\'s "No valid host was found." and changes nothing', async () => {
    const r = await runCli(['server', 'resize', '--flavor', 'f.4096', '--wait', 'vm1'], env, 180_000);
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stderr, /No valid host was found\./);
    assert.match(r.stderr, /HTTP 409/);
    const sv = await server('vm1');
    assert.equal(sv.status, 'ACTIVE');
    assert.equal(sv['OS-EXT-SRV-ATTR:host'], B.name);
    assert.equal((await json('appcontainer', 'show', id.get('vm1')!)).memory, '768');
    assert.deepEqual(await memUsed(), { A: 512, B: 768 });
    await livesOn('vm1', B, true);
  });

  it('a move over the project\'s quota is the usual 403, with nothing changed', async () => {
    await create('vm4', 'f.256');
    assert.equal((await server('vm4'))['OS-EXT-SRV-ATTR:host'], A.name);
    const projectId = (await json('project', 'show', 'admin')).id;
    // In use: vm1 768 + vm2, vm3 and vm4 256 each = 1536 MiB; the move would take 512 more.
    await ok('quota', 'set', '--ram', '1536', projectId);
    const r = await runCli(['server', 'resize', '--flavor', 'f.768', '--wait', 'vm4'], env, 180_000);
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stderr, /Quota exceeded/);
    assert.match(r.stderr, /HTTP 403/);
    const sv = await server('vm4');
    assert.equal(sv.status, 'ACTIVE');
    assert.equal(sv['OS-EXT-SRV-ATTR:host'], A.name);
    assert.deepEqual(await memUsed(), { A: 768, B: 768 });
    await livesOn('vm4', A, true);
    await ok('quota', 'set', '--ram', '51200', projectId);
    await ok('server', 'delete', '--wait', 'vm4');
  });

  it('a moved server deleted before its resize is confirmed gives back both hosts\' claims', async () => {
    await ok('server', 'resize', '--flavor', 'f.768', '--wait', 'vm3');
    assert.equal((await waitServer('vm3', 'VERIFY_RESIZE'))['OS-EXT-SRV-ATTR:host'], B.name);
    assert.deepEqual(await memUsed(), { A: 512, B: 1536 });
    await ok('server', 'delete', '--wait', 'vm3');
    await waitFor('both claims of vm3 given back', async () => {
      const m = await memUsed();
      return m.A === 256 && m.B === 768;
    }, 45_000, 200);
  });
});
