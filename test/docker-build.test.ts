/**
 * `docker build` with the classic builder, driven by the real docker CLI (DOCKER_BUILDKIT=0): the context
 * goes to a compute host's agent, the engine's output comes back as it is written, and the result is
 * stored as the project's Glance image named after the tag (a rebuild takes the name over). A failing
 * RUN, an unknown instruction, a tenant escape (the host network) and a body that is no tar archive are
 * refused with Docker's error words, and leave no image behind.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { dialects, request } from './helpers.js';
import { engineSkipReason, waitStatus, zunAs } from './containers-fixture.js';
import { startDockerCloud, type DockerClient, type DockerCloud } from './docker-fixture.js';

const skip = await engineSkipReason();
let cloud: DockerCloud;
let base: string;
let tenant: DockerClient;
let other: DockerClient;
const dirs: string[] = [];

const BUILD_MS = 120_000;

/** A build context directory holding `files`. */
function context(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-dbuild-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const imagesOf = async (c: DockerClient, query: string) =>
  (await cloud.server.request('GET', `/image/v2/images?${query}`, { token: c.token })).json.images as { id: string; name: string | null; status: string; owner: string }[];

before(async () => {
  if (skip) return;
  cloud = await startDockerCloud(dialects()[0], 'dbuild');
  base = cloud.server.server.dockerHost.replace('tcp://', 'http://');
  tenant = await cloud.client('dbuild-tenant');
  other = await cloud.client('dbuild-other');
});
after(async () => {
  await cloud?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('docker build -t app stores the image as the project\'s Glance image app', { skip, timeout: BUILD_MS }, async (t) => {
  const dir = context({ Dockerfile: 'FROM busybox\nRUN echo built > /built\nCMD ["cat","/built"]\n' });
  const r = await tenant.docker(['build', '-t', 'app', '.'], { cwd: dir, timeoutMs: BUILD_MS });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  t.diagnostic(r.stdout);
  assert.match(r.stdout, /Step 1\/3 : FROM busybox/);
  assert.match(r.stdout, /Step 2\/3 : RUN echo built > \/built/);
  assert.match(r.stdout, /Successfully built [0-9a-f]{12}/);
  assert.match(r.stdout, /Successfully tagged app:latest/);
  assert.doesNotMatch(r.stdout, /berth-glance/, 'Berth\'s own engine tag stays inside');
  const mine = await imagesOf(tenant, 'name=app');
  assert.equal(mine.length, 1);
  assert.equal(mine[0].status, 'active');
  assert.equal(mine[0].owner, tenant.projectId);
  assert.deepEqual(await imagesOf(other, 'name=app'), [], 'another project does not see it');

  // The same build again comes all from cache: the image the name holds stays, nothing is stored again.
  const same = await tenant.docker(['build', '-t', 'app', '.'], { cwd: dir, timeoutMs: BUILD_MS });
  assert.equal(same.code, 0, same.stderr + same.stdout);
  assert.match(same.stdout, /Successfully tagged app:latest/);
  assert.deepEqual((await imagesOf(tenant, 'name=app')).map((i: { id: string }) => i.id), [mine[0].id]);
  assert.equal((await imagesOf(tenant, '')).filter((i: { status: string }) => i.status !== 'active').length, 0, 'no queued image is left');

  // The stored image runs as a Glance image: its CMD prints what the RUN step wrote.
  const zun = zunAs(cloud.server, tenant.token);
  const made = await zun('POST', '/containers?run=true', { body: { name: 'built-app', image: 'app', image_driver: 'glance', memory: 32, cpu: 0.1 } });
  assert.equal(made.status, 202, made.text);
  await waitStatus(zun, made.json.uuid, ['Stopped'], 60_000);
  const logs = await zun('GET', `/containers/${made.json.uuid}/logs`);
  assert.equal(logs.text.trim().replace(/^"|"$/g, '').replace(/\\n/g, ''), 'built');
  assert.equal((await zun('DELETE', `/containers/${made.json.uuid}`)).status, 204);

  // A rebuild under two tags: each tag is an image, and `app` moves to the new one.
  writeFileSync(join(dir, 'Dockerfile'), 'FROM busybox\nRUN echo again > /built\nCMD ["cat","/built"]\n');
  const again = await tenant.docker(['build', '-t', 'app', '-t', 'app:v2', '.'], { cwd: dir, timeoutMs: BUILD_MS });
  assert.equal(again.code, 0, again.stderr + again.stdout);
  assert.match(again.stdout, /Successfully tagged app:latest\n.*Successfully tagged app:v2/s);
  const now = await imagesOf(tenant, 'name=app');
  assert.equal(now.length, 1);
  assert.notEqual(now[0].id, mine[0].id);
  assert.equal((await imagesOf(tenant, 'name=app:v2'))[0]?.status, 'active');
});

test('a failing RUN: the CLI prints the engine\'s error, exits non-zero, no image is left', { skip, timeout: BUILD_MS }, async (t) => {
  const before = (await imagesOf(tenant, 'limit=100')).length;
  const dir = context({ Dockerfile: 'FROM busybox\nRUN false\n' });
  const r = await tenant.docker(['build', '-t', 'broken', '.'], { cwd: dir, timeoutMs: BUILD_MS });
  assert.notEqual(r.code, 0);
  t.diagnostic(r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /The command '\/bin\/sh -c false' returned a non-zero code: 1/);
  assert.doesNotMatch(r.stdout, /Successfully tagged/);
  assert.equal((await imagesOf(tenant, 'limit=100')).length, before);
});

test('an unknown instruction is the engine\'s parse error', { skip, timeout: BUILD_MS }, async () => {
  const dir = context({ Dockerfile: 'FROM busybox\nFROBNICATE now\n' });
  const r = await tenant.docker(['build', '-t', 'odd', '.'], { cwd: dir, timeoutMs: BUILD_MS });
  assert.notEqual(r.code, 0);
  assert.match(r.stdout + r.stderr, /unknown instruction: FROBNICATE/i);
  assert.deepEqual(await imagesOf(tenant, 'name=odd'), []);
});

test('a missing Dockerfile is named in the error', { skip, timeout: BUILD_MS }, async () => {
  const dir = context({ 'README': 'no dockerfile here\n' });
  const r = await tenant.docker(['build', '-f', 'Nope.dockerfile', '-t', 'none', '.'], { cwd: dir, timeoutMs: BUILD_MS });
  assert.notEqual(r.code, 0);
  assert.match(r.stdout + r.stderr, /Nope\.dockerfile/);
});

test('the host network and security options are refused', { skip, timeout: BUILD_MS }, async () => {
  const dir = context({ Dockerfile: 'FROM busybox\n' });
  const net = await tenant.docker(['build', '--network', 'host', '-t', 'esc', '.'], { cwd: dir, timeoutMs: BUILD_MS });
  assert.notEqual(net.code, 0);
  assert.match(net.stderr, /host network/);
  const cg = await tenant.docker(['build', '--cgroup-parent', '/', '-t', 'esc', '.'], { cwd: dir, timeoutMs: BUILD_MS });
  assert.notEqual(cg.code, 0);
  assert.match(cg.stderr, /cgroup parent/);
  assert.deepEqual(await imagesOf(tenant, 'name=esc'), []);
});

test('a body that is no tar archive is a 400; the context route wants a host credential', { skip }, async () => {
  const bad = await request(base, 'POST', '/v1.50/build?t=x', { token: tenant.token, body: 'just text, not a tar', headers: { 'Content-Type': 'application/x-tar' } });
  assert.equal(bad.status, 400, bad.text);
  assert.match(bad.json.message, /not a tar archive/);
  const empty = await request(base, 'POST', '/v1.50/build?t=x', { token: tenant.token, body: '', headers: { 'Content-Type': 'application/x-tar' } });
  assert.equal(empty.status, 400, empty.text);
  assert.match(empty.json.message, /No build context/);
  const buildkit = await request(base, 'POST', '/v1.50/build?version=2', { token: tenant.token, body: '', headers: { 'Content-Type': 'application/x-tar' } });
  assert.equal(buildkit.status, 400);
  assert.match(buildkit.json.message, /DOCKER_BUILDKIT=0/);
  const fetchContext = await request(cloud.server.url, 'GET', '/agent/v1/builds/00000000-0000-0000-0000-000000000000/context', { token: tenant.token });
  assert.equal(fetchContext.status, 401);
});
