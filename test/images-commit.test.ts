/**
 * `openstack appcontainer commit`: a container on a compute host (a namespaced dockerd with a real
 * `berth agent`) saved as a new Glance image through `docker commit` and `docker save`, streamed from the
 * agent into the image store; the image then runs on a host with `--image-driver glance`. A commit that
 * fails leaves neither an image nor data behind. The server's image size limit is small here (3 MB:
 * busybox is about 2 MB), so a container that wrote a few megabytes cannot be committed.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { eachDialect, runCli, startTestServer, unlimitedQuota, waitFor, type TestServer } from './helpers.js';
import { docker, dockerOk, hostCredential, removeCloudContainers, startAgent, type AgentProcess } from './hosts-fixture.js';
import { imageHostsSuite } from './image-hosts-fixture.js';
import { addUser, assertZunError, type TestUser } from './containers-fixture.js';

const CAPACITY = { cpus: 2, memoryMb: 2048, maxContainers: 16 };
const ZUN_VERSION = { 'OpenStack-API-Version': 'container 1.40' };
const MAX_BYTES = 3_000_000;

const suite = imageHostsSuite('test-images-commit');

eachDialect((dialect) => {
  let s: TestServer;
  let token: string;
  let admin: Record<string, string>;
  let other: TestUser;
  const agents: AgentProcess[] = [];

  const zun = (method: string, path: string, body?: unknown, as = token) =>
    s.request(method, `/container/v1${path}`, { token: as, body, headers: ZUN_VERSION });
  const glance = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    s.request(method, `/image/v2${path}`, { token, body, headers: { Accept: 'application/json', ...headers } });
  const engineOf = (host: string) => suite.hosts.find((h) => h.name === host)!.engine;
  const waitStatus = (uuid: string, status: string, timeoutMs = 60_000) =>
    waitFor(`${uuid} to be ${status}`, async () => {
      const c = (await zun('GET', `/containers/${uuid}`)).json;
      if (c.status === 'Error' && status !== 'Error') throw new Error(`${uuid} is in Error: ${c.status_reason}`);
      return c.status === status ? c : undefined;
    }, timeoutMs, 200);
  const uploadImage = async (name: string, file: string) => {
    const made = await glance('POST', '/images', { name, container_format: 'docker', disk_format: 'raw' });
    assert.equal(made.status, 201, made.text);
    const put = await glance('PUT', `/images/${made.json.id}/file`, readFileSync(file), { 'Content-Type': 'application/octet-stream' });
    assert.equal(put.status, 204, put.text);
    return made.json.id as string;
  };
  /** A running container of a fresh Glance image on one of the hosts. */
  const runFresh = async (prefix: string, command = ['sleep', '600']) => {
    const name = `${prefix}-${randomBytes(4).toString('hex')}`;
    const archive = await suite.freshArchive(name);
    await uploadImage(name, archive.file);
    const r = await zun('POST', '/containers?run=true', { name, image: name, image_driver: 'glance', command, memory: 32, cpu: 0.1 });
    assert.equal(r.status, 202, r.text);
    return waitStatus(r.json.uuid, 'Running');
  };
  const imagesNamed = async (name: string) => (await glance('GET', `/images?name=${encodeURIComponent(name)}`)).json.images as any[];
  const storeFiles = () => {
    try {
      return readdirSync(join(s.dataDir, 'images'));
    } catch {
      return [];
    }
  };

  before(async () => {
    s = await startTestServer(dialect, { BERTH_LOCAL_AGENT: 'false', BERTH_IMAGE_MAX_BYTES: String(MAX_BYTES) });
    token = await s.adminToken();
    admin = s.openrcEnv();
    await unlimitedQuota(s, token);
    other = await addUser(s, token, { user: 'ic-olga', project: 'ic-other', role: 'member' });
    for (const h of suite.hosts) agents.push(await startAgent(s, token, { name: h.name, engine: h.engine, ...CAPACITY }));
  }, { timeout: 120_000 });

  after(async () => {
    await Promise.all(agents.map((a) => a.stop().catch(() => undefined)));
    if (s) for (const h of suite.hosts) await removeCloudContainers(h.engine, s.server.cloudId);
    await s?.stop();
  }, { timeout: 120_000 });

  it('openstack appcontainer commit saves a container as an active Glance image that runs with --image-driver glance', async () => {
    const c = await runFresh('src', ['sh', '-c', 'echo committed > /marker; sleep 600']);
    const repo = `snap-${randomBytes(4).toString('hex')}`;
    const r = await runCli(['appcontainer', 'commit', c.uuid, `${repo}:v1`], admin);
    assert.equal(r.code, 0, r.stderr);
    const said = /has been accepted\. The image is ([0-9a-f-]{36})\./.exec(r.stdout);
    assert.ok(said, `the CLI names the new image: ${r.stdout}`);
    const imageId = said[1];

    const shown = JSON.parse((await runCli(['image', 'show', '-f', 'json', repo], admin)).stdout);
    assert.equal(shown.id, imageId);
    assert.deepEqual([shown.status, shown.container_format, shown.disk_format, shown.visibility], ['active', 'docker', 'raw', 'private']);
    assert.equal(shown.owner, c.project_id, 'owned by the container\'s project');
    assert.deepEqual(shown.tags, ['v1']);
    assert.ok(shown.size > 0 && typeof shown.checksum === 'string');

    const actions = (await zun('GET', `/containers/${c.uuid}/container_actions`)).json.containerActions as any[];
    assert.ok(actions.some((a) => a.action === 'commit'), `a commit action: ${JSON.stringify(actions)}`);

    // The committed image runs, on whichever host, and holds what the container wrote.
    const run = await runCli(['appcontainer', 'run', '-f', 'json', '--image-driver', 'glance', '--memory', '32', repo, 'sleep', '600'], admin);
    assert.equal(run.code, 0, run.stderr);
    const made = JSON.parse(run.stdout);
    const running = await waitStatus(made.uuid, 'Running');
    const exec = await zun('POST', `/containers/${made.uuid}/execute?run=true&command=${encodeURIComponent('cat /marker')}`);
    assert.equal(exec.status, 200, exec.text);
    assert.equal(exec.json.output.trim(), 'committed');
    assert.ok(suite.hosts.some((h) => h.name === running.host));
  });

  it('refused commits: unknown container, bad names, wrong state, another project\'s container', async () => {
    assertZunError(await zun('POST', '/containers/no-such-container/commit?repository=x'), 404);
    const c = await runFresh('refused');
    assertZunError(await zun('POST', `/containers/${c.uuid}/commit?repository=Upper`), 400);
    assertZunError(await zun('POST', `/containers/${c.uuid}/commit?repository=ok&tag=-bad`), 400);
    assertZunError(await zun('POST', `/containers/${c.uuid}/commit?repository=ok`, undefined, other.token), 404);
    const created = await zun('POST', '/containers', { image: c.image, image_driver: 'glance', command: ['true'], memory: 32, cpu: 0.1 });
    assert.equal(created.status, 202, created.text);
    await waitStatus(created.json.uuid, 'Created');
    assertZunError(await zun('POST', `/containers/${created.json.uuid}/commit?repository=created`), 409, /Cannot commit container .* in Created state/);
    assert.equal((await imagesNamed('created')).length, 0, 'no image was created');
  });

  it('a commit whose data the image service refuses leaves no image and no file behind', async () => {
    const c = await runFresh('big', ['sh', '-c', 'dd if=/dev/urandom of=/big bs=1024 count=4096 2>/dev/null; sleep 600']);
    await waitFor('the big file', async () => {
      const r = await zun('POST', `/containers/${c.uuid}/execute?run=true&command=${encodeURIComponent('ls -l /big')}`);
      return r.status === 200 && /4194304/.test(r.json.output);
    }, 30_000, 200);
    const before = storeFiles();
    const repo = `toolarge-${randomBytes(4).toString('hex')}`;
    const r = await zun('POST', `/containers/${c.uuid}/commit?repository=${repo}`);
    assertZunError(r, 400, /too large/);
    assert.equal((await imagesNamed(repo)).length, 0, 'the image was deleted');
    assert.deepEqual(storeFiles().sort(), before.sort(), 'no file left in the image store');
    const actions = (await zun('GET', `/containers/${c.uuid}/container_actions`)).json.containerActions as any[];
    assert.ok(actions.some((a) => a.action === 'commit' && a.message && /too large/.test(a.message)), JSON.stringify(actions));
    // The container keeps running.
    assert.equal((await zun('GET', `/containers/${c.uuid}`)).json.status, 'Running');
  });

  it('deleting a Glance image that containers use: 409, unless an admin forces it', async () => {
    await unlimitedQuota(s, token, 'ic-other');
    const name = `inuse-${randomBytes(4).toString('hex')}`;
    const archive = await suite.freshArchive(name);
    const asOther = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      s.request(method, `/image/v2${path}`, { token: other.token, body, headers: { Accept: 'application/json', ...headers } });
    const made = await asOther('POST', '/images', { name, container_format: 'docker', disk_format: 'raw' });
    assert.equal(made.status, 201, made.text);
    const imageId = made.json.id as string;
    assert.equal((await asOther('PUT', `/images/${imageId}/file`, readFileSync(archive.file), { 'Content-Type': 'application/octet-stream' })).status, 204);
    const r = await zun('POST', '/containers?run=true', { image: name, image_driver: 'glance', command: ['sleep', '600'], memory: 32, cpu: 0.1 }, other.token);
    assert.equal(r.status, 202, r.text);
    await waitStatus(r.json.uuid, 'Running');

    const refused = await asOther('DELETE', `/images/${imageId}`);
    assert.equal(refused.status, 409, refused.text);
    assert.match(refused.text, new RegExp(`in use by container\\(s\\) ${r.json.uuid}`));
    assert.equal((await asOther('DELETE', `/images/${imageId}?force=true`)).status, 403, 'only an admin may force');
    const cli = await runCli(['image', 'delete', imageId], admin);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr + cli.stdout, /in use by container/);
    assert.equal((await asOther('GET', `/images/${imageId}`)).json.status, 'active', 'still there');

    assert.equal((await glance('DELETE', `/images/${imageId}?force=true`)).status, 204, 'an admin forces it');
    assert.equal((await asOther('GET', `/images/${imageId}`)).status, 404);
    // Once its containers are gone, an image is deleted as usual.
    const again = await uploadImage(`free-${randomBytes(4).toString('hex')}`, archive.file);
    assert.equal((await glance('DELETE', `/images/${again}`)).status, 204);
  });

  it('an engine copy Berth loaded is removed once the last container of it is deleted; the engine\'s own images stay', async () => {
    const name = `gc-${randomBytes(4).toString('hex')}`;
    const archive = await suite.freshArchive(name);
    await uploadImage(name, archive.file);
    const create = async () => {
      const r = await zun('POST', '/containers?run=true', { image: name, image_driver: 'glance', command: ['sleep', '600'], memory: 32, cpu: 0.1 });
      assert.equal(r.status, 202, r.text);
      return waitStatus(r.json.uuid, 'Running');
    };
    const first = await create();
    const second = await create();
    assert.equal(second.host, first.host, 'the second container goes where the image is');
    const engine = engineOf(first.host);
    // An image someone put in the engine by hand, which no container uses: never Berth's to remove.
    const own = await suite.freshArchive(`own-${randomBytes(4).toString('hex')}`);
    await dockerOk(engine, ['load', '-i', own.file]);
    const hasImage = async (id: string) => (await docker(engine, ['image', 'inspect', id])).code === 0;
    assert.equal(await hasImage(archive.id), true);

    const remove = async (uuid: string) => {
      assert.equal((await zun('DELETE', `/containers/${uuid}?force=true`)).status, 204);
      await waitFor(`${uuid} gone`, async () => (await zun('GET', `/containers/${uuid}`)).status === 404, 60_000, 200);
    };
    await remove(first.uuid);
    assert.equal(await hasImage(archive.id), true, 'still used by the second container');
    await remove(second.uuid);
    await waitFor('the engine copy to be removed', async () => !(await hasImage(archive.id)), 60_000, 200);
    assert.equal(await hasImage(own.id), true, 'the engine\'s own image stays');
    await waitFor('the server to learn the host no longer holds it', async () => {
      const images = (await zun('GET', '/images')).json.images as any[];
      return !images.some((i) => i.image_id === archive.id);
    }, 30_000, 200);
    await docker(engine, ['rmi', own.id]);
  });

  it('the upload route: a host credential and an upload token for that image and host', async () => {
    const made = await glance('POST', '/images', { name: 'upload-probe', container_format: 'docker', disk_format: 'raw' });
    const { credential } = await hostCredential(s, token, `up-probe-${randomBytes(3).toString('hex')}`);
    const path = `/agent/v1/images/${made.json.id}/file`;
    const put = (headers: Record<string, string>) => fetch(`${s.url}${path}`, {
      method: 'PUT', body: Buffer.from('data'), headers: { 'Content-Type': 'application/octet-stream', ...headers },
    });
    assert.equal((await put({})).status, 401);
    assert.equal((await put({ Authorization: `Bearer ${token}` })).status, 401, 'a tenant token is not a host credential');
    const forged = await put({ Authorization: `Bearer ${credential}`, 'X-Berth-Upload-Token': `${Date.now() + 60_000}.${'0'.repeat(64)}` });
    assert.equal(forged.status, 403);
    assert.match(await forged.text(), /no permission to upload/);
    assert.equal((await glance('GET', `/images/${made.json.id}`)).json.status, 'queued');
  });
}, { timeout: 400_000 });

