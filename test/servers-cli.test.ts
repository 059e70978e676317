/**
 * The compute face driven by the stock `openstack` CLI against a real Docker engine, on each database:
 * flavors, a server made from the seeded busybox image that is also an `appcontainer`, its list, show,
 * console log, stop/start, pause/unpause, suspend/resume, reboot, metadata, keypairs, quota and limits,
 * snapshot (server image create) and a server booted from it, rebuild, resize with confirm and revert,
 * a key written into a server, delete --wait; then bad input (unknown flavor or image, malformed bodies,
 * another project's server, an action in the wrong state) answered in Nova's error format.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { runCli, waitFor } from './helpers.js';
import { addUser, eachEngineDialect, engineSkipReason, startEngineServer, stopEngineServer, type EngineServer, type TestUser } from './containers-fixture.js';

const skip = await engineSkipReason();
const NOVA = '/compute/v2.1';

eachEngineDialect(skip, (dialect) => {
  let s: EngineServer;
  let env: Record<string, string>;
  let token: string;
  let other: TestUser;
  let vm1: string;

  const ok = async (...args: string[]) => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, `openstack ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const json = async (...args: string[]) => JSON.parse(await ok(...args, '-f', 'json'));
  const nova = (method: string, path: string, body?: unknown, as = token) => s.request(method, `${NOVA}${path}`, { token: as, body });
  const sh = async (id: string, command: string) => {
    const r = await s.request('POST', `/container/v1/containers/${id}/execute?run=true&command=${encodeURIComponent(command)}`, { token });
    assert.equal(r.status, 200, r.text);
    return r.json as { output: string; exit_code: number };
  };
  const serverStatus = async (id: string) => (await nova('GET', `/servers/${id}`)).json?.server;
  const waitServer = (id: string, status: string) => waitFor(`server ${id} to be ${status}`, async () => {
    const sv = await serverStatus(id);
    if (sv?.status === 'ERROR') throw new Error(`server ${id} went to ERROR: ${JSON.stringify(sv.fault)}`);
    return sv?.status === status && sv['OS-EXT-STS:task_state'] === null ? sv : undefined;
  }, 30_000, 100);

  before(async () => {
    s = await startEngineServer(dialect, 'servers');
    env = s.openrcEnv();
    token = await s.adminToken();
    other = await addUser(s, token, { user: 'sv-other', project: 'sv-other-proj', role: 'member' });
    // The busybox image is registered in the image service in the background of the start.
    await waitFor('the busybox image', async () => (await s.request('GET', '/image/v2/images?name=busybox', { token })).json?.images?.length === 1, 60_000, 200);
  });
  after(async () => {
    await stopEngineServer(s);
  });

  it('flavor list shows Nova\'s defaults and the container-sized flavors; the catalog has compute', async () => {
    const flavors = await json('flavor', 'list');
    const byName = new Map<string, any>(flavors.map((f: any) => [f.Name, f]));
    for (const name of ['m1.tiny', 'm1.small', 'm1.medium', 'm1.large', 'm1.xlarge', 'c1.micro']) assert.ok(byName.has(name), name);
    assert.equal(byName.get('c1.micro').RAM, 64);
    assert.equal(byName.get('m1.tiny').VCPUs, 1);
    const catalog = await json('catalog', 'list');
    assert.ok(catalog.some((e: any) => e.Type === 'compute'));
  });

  it('server create --flavor m1.tiny --image busybox --wait vm1 is ACTIVE and also an appcontainer', async () => {
    const sv = await json('server', 'create', '--flavor', 'm1.tiny', '--image', 'busybox', '--property', 'team=a', '--wait', 'vm1');
    assert.equal(sv.status, 'ACTIVE');
    vm1 = sv.id;
    const containers = await json('appcontainer', 'list');
    const c = containers.find((x: any) => x.uuid === vm1);
    assert.ok(c, 'vm1 is listed by appcontainer list');
    assert.equal(c.status, 'Running');
    const shown = await json('appcontainer', 'show', vm1);
    assert.equal(shown.cpu, 1);
    assert.equal(shown.memory, '512');
  });

  it('server list and show: Nova fields, admin-only host; console log show', async () => {
    const list = await json('server', 'list');
    const row = list.find((x: any) => x.ID === vm1);
    assert.equal(row.Status, 'ACTIVE');
    assert.equal(row.Name, 'vm1');
    const show = await json('server', 'show', 'vm1');
    assert.equal(show['OS-EXT-STS:vm_state'], 'active');
    assert.ok([1, 'Running'].includes(show['OS-EXT-STS:power_state']), String(show['OS-EXT-STS:power_state']));
    assert.equal(show['OS-EXT-SRV-ATTR:host'], s.hostName);
    assert.match(JSON.stringify(show.flavor), /m1\.tiny|"1"|^"?1/);
    const other1 = await nova('GET', `/servers/${vm1}`, undefined, other.token);
    assert.equal(other1.status, 404);
    assert.equal(other1.json.itemNotFound.code, 404);
    // The console is the container's log (what busybox's shell wrote on its terminal, if anything yet).
    await ok('console', 'log', 'show', 'vm1');
    const tail = await nova('POST', `/servers/${vm1}/action`, { 'os-getConsoleOutput': { length: 1 } });
    assert.equal(tail.status, 200, tail.text);
    assert.equal(typeof tail.json.output, 'string');
  });

  it('stop, start, pause, unpause, suspend, resume, reboot; a wrong state is 409 conflictingRequest', async () => {
    await ok('server', 'stop', 'vm1');
    await waitServer(vm1, 'SHUTOFF');
    const wrong = await nova('POST', `/servers/${vm1}/action`, { pause: null });
    assert.equal(wrong.status, 409, wrong.text);
    assert.match(wrong.json.conflictingRequest.message, /vm_state stopped/);
    await ok('server', 'start', 'vm1');
    await waitServer(vm1, 'ACTIVE');
    await ok('server', 'pause', 'vm1');
    await waitServer(vm1, 'PAUSED');
    await ok('server', 'unpause', 'vm1');
    await waitServer(vm1, 'ACTIVE');
    await ok('server', 'suspend', 'vm1');
    const suspended = await waitServer(vm1, 'SUSPENDED');
    assert.equal(suspended['OS-EXT-STS:vm_state'], 'suspended');
    assert.equal((await nova('POST', `/servers/${vm1}/action`, { unpause: null })).status, 409);
    await ok('server', 'resume', 'vm1');
    await waitServer(vm1, 'ACTIVE');
    await ok('server', 'reboot', 'vm1');
    await waitServer(vm1, 'ACTIVE');
    const actions = await nova('GET', `/servers/${vm1}/os-instance-actions`);
    const names = actions.json.instanceActions.map((a: any) => a.action);
    for (const a of ['create', 'stop', 'start', 'pause', 'unpause', 'reboot']) assert.ok(names.includes(a), `${a} in ${names.join(',')}`);
  });

  it('lock and unlock; metadata set and unset', async () => {
    await ok('server', 'set', '--property', 'role=web', 'vm1');
    const md = await nova('GET', `/servers/${vm1}/metadata`);
    assert.deepEqual(md.json.metadata, { team: 'a', role: 'web' });
    await ok('server', 'unset', '--property', 'team', 'vm1');
    assert.deepEqual((await nova('GET', `/servers/${vm1}/metadata`)).json.metadata, { role: 'web' });
    await ok('server', 'lock', 'vm1');
    await ok('server', 'unlock', 'vm1');
  });

  it('server image create --wait, a server booted from the snapshot, rebuild back to busybox', async () => {
    assert.equal((await sh(vm1, 'touch /root/snap-mark')).exit_code, 0);
    const snap = await json('server', 'image', 'create', '--name', 'vm1-snap', '--wait', 'vm1');
    assert.equal(snap.status, 'active');
    const image = (await s.request('GET', `/image/v2/images/${snap.id}`, { token })).json;
    assert.equal(image.container_format, 'docker');
    assert.equal(image.visibility, 'private');
    assert.equal(image.image_type, 'snapshot');
    assert.equal(image.instance_uuid, vm1);
    const vm2 = await json('server', 'create', '--flavor', 'c1.micro', '--image', 'vm1-snap', '--wait', 'vm2');
    assert.equal(vm2.status, 'ACTIVE');
    assert.equal((await sh(vm2.id, 'ls /root/snap-mark')).exit_code, 0, 'the snapshot holds the file written before it');
    const busybox = (await s.request('GET', '/image/v2/images?name=busybox', { token })).json.images[0].id;
    await ok('server', 'rebuild', '--image', 'busybox', '--wait', 'vm2');
    const rebuilt = await waitServer(vm2.id, 'ACTIVE');
    assert.equal(rebuilt.id, vm2.id);
    assert.equal(rebuilt.name, 'vm2');
    assert.equal(rebuilt.image.id, busybox);
    assert.notEqual((await sh(vm2.id, 'ls /root/snap-mark')).exit_code, 0, 'the rebuilt server runs a fresh busybox');
    const actions = (await nova('GET', `/servers/${vm2.id}/os-instance-actions`)).json.instanceActions.map((a: any) => a.action);
    assert.ok(actions.includes('rebuild'), actions.join(','));
    const noImage = await nova('POST', `/servers/${vm2.id}/action`, { rebuild: { imageRef: 'no-such-image' } });
    assert.equal(noImage.status, 400, noImage.text);
    assert.match(noImage.json.badRequest.message, /no-such-image/);
    await ok('server', 'delete', '--wait', 'vm2');
    await ok('image', 'delete', 'vm1-snap');
  });

  it('resize --wait to VERIFY_RESIZE, confirm; resize and revert; a paused server refuses with 409', async () => {
    await ok('server', 'resize', '--flavor', 'm1.small', '--wait', 'vm1');
    const resized = await waitServer(vm1, 'VERIFY_RESIZE');
    assert.equal(resized['OS-EXT-STS:vm_state'], 'resized');
    assert.equal((await json('appcontainer', 'show', vm1)).memory, '2048');
    await ok('server', 'resize', 'confirm', 'vm1');
    const confirmed = await waitServer(vm1, 'ACTIVE');
    assert.equal(confirmed.flavor.id, '2');
    const early = await nova('POST', `/servers/${vm1}/action`, { revertResize: null });
    assert.equal(early.status, 409, early.text);
    assert.match(early.json.conflictingRequest.message, /vm_state active/);
    await ok('flavor', 'create', '--vcpus', '1', '--ram', '1024', '--disk', '20', 'f.revert');
    await ok('server', 'resize', '--flavor', 'f.revert', '--wait', 'vm1');
    await waitServer(vm1, 'VERIFY_RESIZE');
    assert.equal((await json('appcontainer', 'show', vm1)).memory, '1024');
    await ok('server', 'resize', 'revert', 'vm1');
    const reverted = await waitServer(vm1, 'ACTIVE');
    assert.equal(reverted.flavor.id, '2');
    assert.equal((await json('appcontainer', 'show', vm1)).memory, '2048');
    const same = await nova('POST', `/servers/${vm1}/action`, { resize: { flavorRef: '2' } });
    assert.equal(same.status, 400, same.text);
    assert.match(same.json.badRequest.message, /must change flavor/);
    const down = await nova('POST', `/servers/${vm1}/action`, { resize: { flavorRef: 'c1.micro' } });
    assert.equal(down.status, 400, down.text);
    assert.match(down.json.badRequest.message, /resize disk down/);
    await ok('server', 'pause', 'vm1');
    await waitServer(vm1, 'PAUSED');
    const paused = await nova('POST', `/servers/${vm1}/action`, { resize: { flavorRef: '3' } });
    assert.equal(paused.status, 409, paused.text);
    assert.match(paused.json.conflictingRequest.message, /Cannot 'resize' instance .* vm_state paused/);
    await ok('server', 'unpause', 'vm1');
    await waitServer(vm1, 'ACTIVE');
    // More than the project's quota (and any host): quota is checked first, as in Nova, and nothing
    // changes (no room on any host is servers-move's case).
    const hugeFlavor = await json('flavor', 'create', '--vcpus', '1', '--ram', '1048576', '--disk', '20', 'f.huge');
    const huge = await nova('POST', `/servers/${vm1}/action`, { resize: { flavorRef: hugeFlavor.id } });
    assert.equal(huge.status, 403, huge.text);
    assert.match(huge.json.forbidden.message, /Quota exceeded for ram/);
    assert.equal((await serverStatus(vm1)).flavor.id, '2');
    assert.equal((await json('appcontainer', 'show', vm1)).memory, '2048');
    await ok('flavor', 'delete', 'f.huge');
    await ok('flavor', 'delete', 'f.revert');
  });

  it('keypair create, a server with its key on c1.micro, quota show and limits show --absolute', async () => {
    const pem = await ok('keypair', 'create', 'k1');
    assert.match(pem, /BEGIN RSA PRIVATE KEY/);
    const keys = await json('keypair', 'list');
    assert.ok(keys.some((k: any) => k.Name === 'k1'));
    const vm3 = await json('server', 'create', '--flavor', 'c1.micro', '--image', 'busybox', '--key-name', 'k1', '--wait', 'vm3');
    assert.equal(vm3.status, 'ACTIVE');
    assert.equal(vm3.key_name, 'k1');
    // The key is written into /root/.ssh once the server runs.
    const publicKey = (await ok('keypair', 'show', '--public-key', 'k1')).trim();
    const written = await waitFor('the key in vm3', async () => {
      const r = await sh(vm3.id, 'cat /root/.ssh/authorized_keys');
      return r.exit_code === 0 ? r.output : undefined;
    }, 30_000, 100);
    assert.equal(written.trim(), publicKey);
    assert.match((await sh(vm3.id, 'stat -c %a /root/.ssh/authorized_keys')).output, /^600/);
    const limits = await json('limits', 'show', '--absolute');
    const used = limits.find((l: any) => l.Name === 'totalInstancesUsed');
    assert.equal(used.Value, 2);
    const ram = limits.find((l: any) => l.Name === 'totalRAMUsed');
    assert.equal(ram.Value, 2048 + 64);
    const quota = await json('quota', 'show');
    assert.equal(quota.instances, 40);
    assert.equal(quota.ram, 51200);
    await ok('server', 'delete', '--wait', 'vm3');
    await ok('keypair', 'delete', 'k1');
  });

  it('bad input: unknown flavor or image, malformed bodies, bad action bodies, another project\'s list', async () => {
    const noFlavor = await runCli(['server', 'create', '--flavor', 'm9.none', '--image', 'busybox', 'bad1'], env);
    assert.notEqual(noFlavor.code, 0);
    assert.match(noFlavor.stderr, /m9\.none/);
    const noImage = await runCli(['server', 'create', '--flavor', 'm1.tiny', '--image', 'no-such-image', 'bad2'], env);
    assert.notEqual(noImage.code, 0);
    assert.match(noImage.stderr, /no-such-image/);
    const badRef = await nova('POST', '/servers', { server: { name: 'bad3', imageRef: '00000000-0000-0000-0000-000000000000', flavorRef: '1' } });
    assert.equal(badRef.status, 400, badRef.text);
    assert.equal(badRef.json.badRequest.code, 400);
    const badFlavor = await nova('POST', '/servers', { server: { name: 'bad4', imageRef: 'busybox', flavorRef: '999' } });
    assert.equal(badFlavor.status, 400);
    assert.match(badFlavor.json.badRequest.message, /Flavor 999/);
    const malformed = await s.request('POST', `${NOVA}/servers`, { token, body: '{"server": ', headers: { 'Content-Type': 'application/json' } });
    assert.equal(malformed.status, 400);
    assert.ok(malformed.json.badRequest);
    const extra = await nova('POST', '/servers', { server: { name: 'x', imageRef: 'busybox', flavorRef: '1', bogus: 1 } });
    assert.equal(extra.status, 400);
    const resize = await nova('POST', `/servers/${vm1}/action`, { resize: { flavorRef: 'm9.none' } });
    assert.equal(resize.status, 400);
    assert.match(resize.json.badRequest.message, /m9\.none/);
    const badAction = await nova('POST', `/servers/${vm1}/action`, { createImage: { name: '' } });
    assert.equal(badAction.status, 400);
    assert.ok(badAction.json.badRequest);
    const list = await nova('GET', '/servers', undefined, other.token);
    assert.equal(list.status, 200);
    assert.deepEqual(list.json.servers, []);
    const servers = (await nova('GET', '/servers/detail')).json.servers;
    assert.ok(!servers.some((x: any) => x.name.startsWith('bad')), 'nothing half-created');
    const member = await runCli(['server', 'show', 'vm1'], other.env);
    assert.notEqual(member.code, 0);
    // Over quota: Nova's 403, and of a min_count that cannot be met nothing stays.
    await ok('quota', 'set', '--instances', '1', other.projectId);
    const over = await nova('POST', '/servers', { server: { name: 'many', imageRef: 'busybox', flavorRef: 'c1.micro', min_count: 2 } }, other.token);
    assert.equal(over.status, 403, over.text);
    assert.match(over.json.forbidden.message, /^Quota exceeded for instances/);
    await waitFor('the partial create to be gone', async () => (await nova('GET', '/servers', undefined, other.token)).json.servers.length === 0, 30_000, 100);
  });

  it('version documents and the microversion header', async () => {
    const root = await s.request('GET', '/compute');
    // Nova lists the legacy v2.0 first; v2.1 is the current one.
    assert.deepEqual(root.json.versions.map((v: { id: string; status: string }) => `${v.id} ${v.status}`), ['v2.0 SUPPORTED', 'v2.1 CURRENT']);
    const v21 = await s.request('GET', NOVA, { headers: { 'X-OpenStack-Nova-API-Version': '2.1' } });
    assert.equal(v21.json.version.min_version, '2.1');
    assert.equal(v21.headers.get('x-openstack-nova-api-version'), '2.1');
    const tooNew = await s.request('GET', `${NOVA}/flavors`, { token, headers: { 'OpenStack-API-Version': 'compute 2.999' } });
    assert.equal(tooNew.status, 406);
    assert.ok(tooNew.json.notAcceptable);
  });

  it('server delete --wait vm1 removes the container', async () => {
    await ok('server', 'delete', '--wait', 'vm1');
    assert.equal((await nova('GET', `/servers/${vm1}`)).status, 404);
    assert.equal((await s.request('GET', `/container/v1/containers/${vm1}`, { token })).status, 404);
  });
});
