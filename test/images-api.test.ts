/**
 * Zun's image API (`openstack appcontainer image list/show/pull/delete`) over the images the agents of
 * two real compute hosts report: scripts/test-hosts.sh hosts in their own data directory (so no other
 * suite's hosts are touched), each a namespaced dockerd with a real `berth agent`. Pulling a Glance
 * image has the host's agent load it from the server; there is no registry behind the docker driver.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { after, before, it } from 'node:test';
import { LABEL_UUID } from '../src/agent/protocol.js';
import { eachDialect, runCli, startTestServer, unlimitedQuota, waitFor, type TestServer } from './helpers.js';
import { docker, engineIds, removeCloudContainers, startAgent, type AgentProcess } from './hosts-fixture.js';
import { imageHostsSuite } from './image-hosts-fixture.js';
import { addUser, assertZunError, type TestUser } from './containers-fixture.js';

const CAPACITY = { cpus: 2, memoryMb: 2048, maxContainers: 16 };
const ZUN_VERSION = { 'OpenStack-API-Version': 'container 1.40' };

const suite = imageHostsSuite('test-images-api');

eachDialect((dialect) => {
  let s: TestServer;
  let token: string;
  let admin: Record<string, string>;
  let member: TestUser;
  const agents = new Map<string, AgentProcess>();

  const zun = (method: string, path: string, body?: unknown, as = token) =>
    s.request(method, `/container/v1${path}`, { token: as, body, headers: ZUN_VERSION });
  const engineOf = (host: string) => suite.hosts.find((h) => h.name === host)!.engine;
  const hasImage = async (host: string, id: string) => (await docker(engineOf(host), ['image', 'inspect', id])).code === 0;
  const loadsOf = (host: string, glanceId: string) =>
    agents.get(host)!.output.split('\n').filter((l) => l.includes('"msg":"loading image"') && l.includes(glanceId)).length;
  const cli = async (...args: string[]) => {
    const r = await runCli(['appcontainer', ...args], admin);
    // BERTH_CLI_TRANSCRIPT=file: each command and what it printed, for a demo.
    const log = process.env.BERTH_CLI_TRANSCRIPT;
    if (log) appendFileSync(log, `[${dialect.name}] $ openstack appcontainer ${args.join(' ')}\n${r.stdout}${r.stderr}\n`);
    assert.equal(r.code, 0, `openstack appcontainer ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const cliJson = async (...args: string[]) => JSON.parse(await cli(...args, '-f', 'json')) as Record<string, unknown>;
  const listed = async () => JSON.parse(await cli('image', 'list', '-f', 'json')) as Record<string, unknown>[];
  const uploadImage = async (name: string, file: string) => {
    const glance = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      s.request(method, `/image/v2${path}`, { token, body, headers: { Accept: 'application/json', ...headers } });
    const made = await glance('POST', '/images', { name, container_format: 'docker', disk_format: 'raw', visibility: 'private' });
    assert.equal(made.status, 201, made.text);
    const put = await glance('PUT', `/images/${made.json.id}/file`, readFileSync(file), { 'Content-Type': 'application/octet-stream' });
    assert.equal(put.status, 204, put.text);
    return made.json.id as string;
  };

  before(async () => {
    s = await startTestServer(dialect, { BERTH_LOCAL_AGENT: 'false', BERTH_SCHEDULER: 'spread' });
    token = await s.adminToken();
    admin = s.openrcEnv();
    await unlimitedQuota(s, token);
    member = await addUser(s, token, { user: 'ia-mia', project: 'ia-proj', role: 'member' });
    await Promise.all(suite.hosts.map(async (h) => {
      agents.set(h.name, await startAgent(s, token, { name: h.name, engine: h.engine, ...CAPACITY }));
    }));
    // Each agent's first report: the busybox test-suite.hosts.sh put in every engine.
    await waitFor('both hosts to report busybox', async () => {
      const r = await zun('GET', '/images');
      const on = new Set((r.json.images as { repo: string; host: string }[]).filter((i) => i.repo === 'busybox').map((i) => i.host));
      return suite.hosts.every((h) => on.has(h.name)) || undefined;
    }, 30_000, 200);
  }, { timeout: 120_000 });

  after(async () => {
    await Promise.all([...agents.values()].map((a) => a.stop().catch(() => undefined)));
    if (s) for (const h of suite.hosts) await removeCloudContainers(h.engine, s.server.cloudId);
    await s?.stop();
  }, { timeout: 120_000 });

  it('image list and show print each host\'s images with Zun\'s fields', async () => {
    const rows = await listed();
    for (const h of suite.hosts) {
      const box = rows.find((r) => r.repo === 'busybox' && r.tag === 'latest' && typeof r.image_id === 'string');
      assert.ok(box, `busybox listed: ${JSON.stringify(rows)}`);
      const api = (await zun('GET', '/images')).json.images as Record<string, unknown>[];
      const mine = api.find((i) => i.host === h.name && i.repo === 'busybox');
      assert.ok(mine, `busybox on ${h.name}`);
      const shown = await cliJson('image', 'show', String(mine.uuid));
      assert.deepEqual([shown.uuid, shown.image_id, shown.repo, shown.tag, shown.host], [mine.uuid, mine.image_id, 'busybox', 'latest', h.name]);
      assert.ok(Number(shown.size) > 0);
    }
    assertZunError(await zun('GET', '/images', undefined, member.token), 403, "Policy doesn't allow container:image:get_all to be performed.");
  });

  it('image pull of a Glance image loads it on that host once, however many pulls wait; delete waits for its containers', async () => {
    const name = `pulled-${randomBytes(4).toString('hex')}`;
    const archive = await suite.freshArchive(name);
    const glanceId = await uploadImage(name, archive.file);
    const [target, other] = [suite.hosts[0].name, suite.hosts[1].name];
    const [first, ...rest] = await Promise.all([
      cliJson('image', 'pull', name, target),
      ...Array.from({ length: 3 }, () => zun('POST', '/images', { repo: glanceId, host: target })),
    ]);
    for (const r of rest) assert.equal(r.status, 202, r.text);
    assert.deepEqual([first.image_id, first.repo, first.tag, first.host], [archive.id, name, '1', target]);
    assert.equal(await hasImage(target, archive.id), true);
    assert.equal(await hasImage(other, archive.id), false, 'only the named host loads it');
    assert.equal(loadsOf(target, glanceId), 1, 'one load for four pulls');
    const uuid = String(first.uuid);
    assert.ok((await listed()).some((r) => r.uuid === uuid && r.image_id === archive.id));

    // A container of it on that host: the image stays.
    const run = await zun('POST', '/containers?run=true', { name: 'user', image: glanceId, image_driver: 'glance', command: ['sleep', '600'], memory: 32, cpu: 0.1 });
    assert.equal(run.status, 202, run.text);
    assert.equal(run.json.host, target, 'placed where the image is');
    assertZunError(await zun('DELETE', `/images/${uuid}`), 409, /in use/);
    assert.equal((await zun('DELETE', `/containers/${run.json.uuid}?force=true`)).status, 204);
    await waitFor('the container gone from the engine', async () =>
      (await engineIds(engineOf(target), { [LABEL_UUID]: run.json.uuid })).length === 0 || undefined, 30_000, 200);

    const out = await cli('image', 'delete', uuid);
    assert.match(out, /accepted/);
    assert.equal(await hasImage(target, archive.id), false, 'removed from the engine');
    assert.ok(!(await listed()).some((r) => r.uuid === uuid), 'no longer listed');
    assertZunError(await zun('GET', `/images/${uuid}`), 404);
  });

  it('the docker driver finds what the engine holds, and says there is no registry otherwise', async () => {
    const host = suite.hosts[1].name;
    const got = await zun('POST', '/images', { repo: 'busybox', host, image_driver: 'docker' });
    assert.equal(got.status, 202, got.text);
    assert.deepEqual([got.json.repo, got.json.tag, got.json.host], ['busybox', 'latest', host]);
    const r = await runCli(['appcontainer', 'image', 'pull', `berth-no-such-${randomBytes(3).toString('hex')}:1`, host], admin);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no registry/);
    assertZunError(await zun('POST', '/images', { repo: 'busybox', host }, member.token), 403);
  });
});
