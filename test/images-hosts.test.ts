/**
 * Containers of Glance images (image_driver glance) on hosts that do not hold the image: two compute
 * hosts from scripts/test-hosts.sh (their own data directory, so no other suite's hosts are touched),
 * each a namespaced dockerd with a real `berth agent`. Each case uploads a fresh `docker save` archive
 * (busybox committed with a label of its own, so no engine knows its id), and the agent of the host a
 * container lands on loads it from the server on demand.
 *
 * The server places with `spread`, so a preference for the host holding an image shows against the
 * strategy. Spreads of containers over hosts under concurrency are never asserted exactly: only bounds.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, it } from 'node:test';
import { LABEL_UUID } from '../src/agent/protocol.js';
import { listHostImages } from '../src/store/host-image-repo.js';
import { eachDialect, runCli, startTestServer, unlimitedQuota, waitFor, type HttpAnswer, type TestServer } from './helpers.js';
import { docker, engineIds, hostCredential, removeCloudContainers, startAgent, type AgentProcess } from './hosts-fixture.js';
import { imageHostsSuite } from './image-hosts-fixture.js';
import { addUser, assertZunError, type TestUser } from './containers-fixture.js';

const CAPACITY = { cpus: 2, memoryMb: 2048, maxContainers: 16 };
const ZUN_VERSION = { 'OpenStack-API-Version': 'container 1.40' };

const suite = imageHostsSuite('test-images-hosts');

eachDialect((dialect) => {
  let s: TestServer;
  let token: string;
  let admin: Record<string, string>;
  let other: TestUser;
  const agents = new Map<string, AgentProcess>();
  const hostIdOf = new Map<string, string>();

  const zun = (method: string, path: string, body?: unknown, as = token) =>
    s.request(method, `/container/v1${path}`, { token: as, body, headers: ZUN_VERSION });
  const glance = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    s.request(method, `/image/v2${path}`, { token, body, headers: { Accept: 'application/json', ...headers } });
  const engineOf = (host: string) => suite.hosts.find((h) => h.name === host)!.engine;
  const show = async (uuid: string) => {
    const r = await zun('GET', `/containers/${uuid}`);
    assert.equal(r.status, 200, r.text);
    return r.json;
  };
  const waitStatus = (uuid: string, status: string, timeoutMs = 60_000) =>
    waitFor(`${uuid} to be ${status}`, async () => {
      const c = await show(uuid);
      if (c.status === 'Error' && status !== 'Error') throw new Error(`${uuid} is in Error: ${c.status_reason}`);
      return c.status === status ? c : undefined;
    }, timeoutMs, 200);
  const hasImage = async (host: string, id: string) => (await docker(engineOf(host), ['image', 'inspect', id])).code === 0;
  /** The agent's log lines saying it started loading `glanceId`. */
  const loadsOf = (host: string, glanceId: string) =>
    agents.get(host)!.output.split('\n').filter((l) => l.includes('"msg":"loading image"') && l.includes(glanceId)).length;
  /** An image in Glance with the archive's data (or `data`), in `format`; returns its id. */
  const uploadImage = async (name: string, file: string | Buffer, o: { format?: string; visibility?: string } = {}) => {
    const made = await glance('POST', '/images', { name, container_format: o.format ?? 'docker', disk_format: 'raw', visibility: o.visibility ?? 'private' });
    assert.equal(made.status, 201, made.text);
    const data = typeof file === 'string' ? readFileSync(file) : file;
    const put = await glance('PUT', `/images/${made.json.id}/file`, data, { 'Content-Type': 'application/octet-stream' });
    assert.equal(put.status, 204, put.text);
    return made.json.id as string;
  };
  const run = async (body: Record<string, unknown>, as = token): Promise<HttpAnswer> =>
    zun('POST', '/containers?run=true', { command: ['sleep', '600'], memory: 32, cpu: 0.1, ...body }, as);
  /** Waits until the database says `host` holds the image `ref` (the agent's report after its load). */
  const waitHolds = (host: string, ref: string) =>
    waitFor(`${host} to report ${ref}`, async () =>
      (await listHostImages(s.server.db.kysely, hostIdOf.get(host)!)).some((r) => r.image_ref === ref), 15_000, 100);

  before(async () => {
    s = await startTestServer(dialect, { BERTH_LOCAL_AGENT: 'false', BERTH_SCHEDULER: 'spread' });
    token = await s.adminToken();
    admin = s.openrcEnv();
    await unlimitedQuota(s, token);
    other = await addUser(s, token, { user: 'ih-olga', project: 'ih-other', role: 'member' });
    await Promise.all(suite.hosts.map(async (h) => {
      const agent = await startAgent(s, token, { name: h.name, engine: h.engine, ...CAPACITY });
      agents.set(h.name, agent);
      hostIdOf.set(h.name, agent.hostId);
    }));
  }, { timeout: 120_000 });

  after(async () => {
    await Promise.all([...agents.values()].map((a) => a.stop().catch(() => undefined)));
    if (s) for (const h of suite.hosts) await removeCloudContainers(h.engine, s.server.cloudId);
    await s?.stop();
  }, { timeout: 120_000 });

  it('openstack appcontainer run --image-driver glance runs an image on a host that never had it', async () => {
    const name = `mybox-${randomBytes(4).toString('hex')}`;
    const archive = await suite.freshArchive(name);
    const imageId = await uploadImage(name, archive.file);
    for (const h of suite.hosts) assert.equal(await hasImage(h.name, archive.id), false, `${h.name} lacks the image at first`);
    const args = ['appcontainer', 'run', '-f', 'json', '--image-driver', 'glance', '--name', 'g1', '--memory', '32', name, 'sleep', '600'];
    const r = await runCli(args, admin);
    assert.equal(r.code, 0, `openstack ${args.join(' ')}: ${r.stderr}`);
    const made = JSON.parse(r.stdout);
    assert.deepEqual([made.image, made.image_driver], [name, 'glance']);
    const c = await waitStatus(made.uuid, 'Running');
    assert.ok(suite.hosts.some((h) => h.name === c.host), `placed on a test host: ${c.host}`);
    assert.equal(await hasImage(c.host, archive.id), true, 'the host holds the image now');
    assert.equal(loadsOf(c.host, imageId), 1, 'loaded once');
    assert.equal((await engineIds(engineOf(c.host), { [LABEL_UUID]: made.uuid }, { running: true })).length, 1);
    await waitHolds(c.host, archive.id);

    // Spread would take the other (emptier) host; the host holding the image comes first.
    const second = await run({ name: 'g2', image: imageId, image_driver: 'glance' });
    assert.equal(second.status, 202, second.text);
    assert.equal(second.json.host, c.host, 'the second container goes where the image is');
    await waitStatus(second.json.uuid, 'Running');
    assert.equal(loadsOf(c.host, imageId), 1, 'not loaded again');
    for (const h of suite.hosts) if (h.name !== c.host) assert.equal(loadsOf(h.name, imageId), 0);
  });

  it('20 concurrent creates of a fresh image: each host loads it at most once, all run', async () => {
    const name = `burst-${randomBytes(4).toString('hex')}`;
    const archive = await suite.freshArchive(name);
    const imageId = await uploadImage(name, archive.file);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => run({ name: `burst-${i}`, image: name, image_driver: 'glance' })));
    for (const a of answers) assert.equal(a.status, 202, a.text);
    const placed = new Map<string, number>();
    for (const a of answers) placed.set(a.json.host, (placed.get(a.json.host) ?? 0) + 1);
    for (const host of placed.keys()) assert.ok(suite.hosts.some((h) => h.name === host), `placed on a test host: ${host}`);
    await Promise.all(answers.map((a) => waitStatus(a.json.uuid, 'Running', 120_000)));
    for (const h of suite.hosts) {
      const loads = loadsOf(h.name, imageId);
      assert.ok(loads <= 1, `${h.name} loaded the image ${loads} times`);
      assert.equal(loads, placed.has(h.name) ? 1 : 0, `${h.name} loads exactly when it runs containers of the image`);
    }
    for (const a of answers) {
      const r = await zun('DELETE', `/containers/${a.json.uuid}?force=true`);
      assert.equal(r.status, 204, r.text);
    }
  });

  it('refused creates: not visible, unknown, not docker format, not active', async () => {
    const name = `private-${randomBytes(4).toString('hex')}`;
    const archive = await suite.freshArchive(name);
    const privateId = await uploadImage(name, archive.file);
    // Another project sees neither the name nor the id of a private image.
    for (const image of [name, privateId]) {
      assertZunError(await run({ image, image_driver: 'glance' }, other.token), 404, `Image ${image} could not be found.`, `${image} as another project`);
    }
    assertZunError(await run({ image: 'no-such-image', image_driver: 'glance' }), 404, 'Image no-such-image could not be found.');
    // Shared with that project and accepted: now it may run it.
    assert.equal((await glance('PATCH', `/images/${privateId}`, [{ op: 'replace', path: '/visibility', value: 'shared' }], { 'Content-Type': 'application/openstack-images-v2.1-json-patch' })).status, 200);
    assert.equal((await glance('POST', `/images/${privateId}/members`, { member: other.projectId })).status, 200);
    const accept = await s.request('PUT', `/image/v2/images/${privateId}/members/${other.projectId}`, { token: other.token, body: { status: 'accepted' } });
    assert.equal(accept.status, 200, accept.text);
    const shared = await run({ name: 'shared-run', image: name, image_driver: 'glance' }, other.token);
    assert.equal(shared.status, 202, shared.text);
    await waitStatus(shared.json.uuid, 'Running');

    const bare = await uploadImage(`bare-${randomBytes(4).toString('hex')}`, Buffer.from('not an archive'), { format: 'bare' });
    assertZunError(await run({ image: bare, image_driver: 'glance' }), 400, /container format 'bare'.*'docker'/);

    const queued = await glance('POST', '/images', { name: `empty-${randomBytes(4).toString('hex')}`, container_format: 'docker', disk_format: 'raw' });
    assertZunError(await run({ image: queued.json.id, image_driver: 'glance' }), 409, /is queued: a container can run only an active image/);
    assert.equal((await glance('POST', `/images/${privateId}/actions/deactivate`)).status, 204);
    assertZunError(await run({ image: privateId, image_driver: 'glance' }), 409, /is deactivated/);

    // The stock CLI prints Zun's message.
    const cli = await runCli(['appcontainer', 'run', '--image-driver', 'glance', 'no-such-image', 'true'], admin);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /Image no-such-image could not be found/);
  });

  it('the agents\' image download: the host credential only; a deleted image is a 404 with the reason', async () => {
    // What an agent that comes to load an image after its deletion gets; the agent's loader turns this
    // reason into the container's Error (src/agent/image-loader.test.ts).
    const name = `doomed-${randomBytes(4).toString('hex')}`;
    const archive = await suite.freshArchive(name);
    const imageId = await uploadImage(name, archive.file);
    const { credential } = await hostCredential(s, token, `dl-probe-${randomBytes(3).toString('hex')}`);
    const file = `/agent/v1/images/${imageId}/file`;
    const bearer = (c: string) => ({ headers: { Authorization: `Bearer ${c}` } });
    assert.equal((await s.request('GET', file)).status, 401);
    assert.equal((await s.request('GET', file, { token })).status, 401, 'a tenant token is not a host credential');
    const got = await fetch(`${s.url}${file}`, { headers: { Authorization: `Bearer ${credential}` } });
    assert.equal(got.status, 200);
    assert.equal(Buffer.from(await got.arrayBuffer()).length, readFileSync(archive.file).length);
    assert.equal((await glance('DELETE', `/images/${imageId}`)).status, 204);
    const gone = await s.request('GET', file, bearer(credential));
    assert.equal(gone.status, 404, gone.text);
    assert.match(gone.text, new RegExp(`Image ${imageId} no longer exists`));
  });

  it('image_driver docker with an image the engine lacks: Error, with the reason', async () => {
    const r = await run({ name: 'nothere', image: 'nothere:1' });
    assert.equal(r.status, 202, r.text);
    const c = await waitStatus(r.json.uuid, 'Error');
    assert.equal(c.status_reason, 'Image not found: nothere:1');
  });
}, { timeout: 400_000 });
