/**
 * The docker CLI against a cloud of several compute hosts: two engines of scripts/test-hosts.sh (a
 * network namespace and dockerd each) with a real `berth agent` process each, behind one Docker
 * endpoint. Swarm constraints place containers; exec, logs, attach (`docker run` in the foreground)
 * and builds reach whichever host holds the container; an image built on one host runs on the other.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { dialects, startTestServer, unlimitedQuota, type TestServer } from './helpers.js';
import { addUser, engineSkipReason } from './containers-fixture.js';
import { ROOT, downTestHosts, engineIds, removeCloudContainers, startAgent, upTestHosts, type AgentProcess, type EngineHost } from './hosts-fixture.js';
import { dockerClient, type DockerClient } from './docker-fixture.js';
import type { EngineServer } from './containers-fixture.js';

const skip = await engineSkipReason();
const hostsDir = join(ROOT, '.berth', 'docker-hosts');
let hosts: EngineHost[] = [];
let server: TestServer;
let admin: DockerClient;
let other: DockerClient;
const agents: AgentProcess[] = [];
const dirs: string[] = [];
let work = '';

before(async () => {
  if (skip) return;
  await downTestHosts(hostsDir).catch(() => undefined);
  hosts = await upTestHosts(2, hostsDir);
  server = await startTestServer(dialects()[0], { BERTH_LOCAL_AGENT: 'false' });
  const token = await server.adminToken();
  await unlimitedQuota(server, token);
  for (const h of hosts) agents.push(await startAgent(server, token, { name: h.name, engine: h.engine }));
  const adminProject = (await server.request('GET', '/identity/v3/auth/projects', { token })).json.projects
    .find((p: { name: string }) => p.name === 'admin').id as string;
  admin = dockerClient(server as EngineServer, token, adminProject, dirs);
  const u = await addUser(server, token, { user: 'dhosts-other', project: 'dhosts-other', role: 'member' });
  other = dockerClient(server as EngineServer, u.token, u.projectId, dirs);
  work = mkdtempSync(join(tmpdir(), 'berth-dhosts-'));
}, { timeout: 300_000 });

after(async () => {
  await Promise.all(agents.map((a) => a.stop().catch(() => undefined)));
  if (server) for (const h of hosts) await removeCloudContainers(h.engine, server.server.cloudId).catch(() => undefined);
  await server?.stop();
  await downTestHosts(hostsDir).catch(() => undefined);
  for (const d of [...dirs, work]) if (d) rmSync(d, { recursive: true, force: true });
}, { timeout: 300_000 });

const hostOf = async (name: string) => JSON.parse(await admin.dockerOk(['inspect', '--format', '{{json .Config.Labels}}', name]))['berth.host'] as string;

test('constraint:node places containers on each host; exec, logs and attach reach them', { skip, timeout: 180_000 }, async () => {
  const [h1, h2] = hosts;
  await admin.dockerOk(['run', '-d', '--name', 'a1', '-e', `constraint:node==${h1.name}`, 'busybox', 'sh', '-c', 'echo from-a1; exec sleep 300']);
  await admin.dockerOk(['run', '-d', '--name', 'a2', '-e', `constraint:node==${h2.name}`, 'busybox', 'sh', '-c', 'echo from-a2; exec sleep 300']);
  assert.equal(await hostOf('a1'), h1.name);
  assert.equal(await hostOf('a2'), h2.name);
  const uuid2 = (await admin.dockerOk(['inspect', '--format', '{{.Id}}', 'a2'])).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
  assert.equal((await engineIds(h2.engine, { 'berth.container-uuid': uuid2 }, { running: true })).length, 1, 'a2 runs on the second engine');
  assert.equal(await admin.dockerOk(['exec', 'a2', 'sh', '-c', 'echo hi-from-2']), 'hi-from-2');
  assert.equal((await admin.docker(['exec', 'a1', 'sh', '-c', 'exit 4'])).code, 4);
  assert.equal(await admin.dockerOk(['logs', 'a2']), 'from-a2');
  const run = await admin.docker(['run', '--rm', '-e', `constraint:node==${h2.name}`, 'busybox', 'echo', 'hello']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'hello\n');
  assert.deepEqual((await admin.dockerOk(['ps', '--format', '{{.Names}}'])).split('\n').sort(), ['a1', 'a2']);
  assert.equal(await other.dockerOk(['ps', '-aq']), '', 'another project sees none of it');
  const zun = await server.request('GET', '/container/v1/containers', { token: admin.token, headers: { 'OpenStack-API-Version': 'container 1.40' } });
  assert.deepEqual(zun.json.containers.map((c: { name: string }) => c.name).sort(), ['a1', 'a2']);
  const bad = await admin.docker(['run', '-d', '-e', 'constraint:node==nowhere', 'busybox', 'true']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /nowhere|No host/i);
  await admin.dockerOk(['rm', '-f', 'a1', 'a2']);
});

test('an image built on one host runs on the other', { skip, timeout: 180_000 }, async () => {
  const ctx = join(work, 'ctx');
  rmSync(ctx, { recursive: true, force: true });
  const { mkdirSync } = await import('node:fs');
  mkdirSync(ctx);
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN echo built > /built\nCMD ["cat","/built"]\n');
  const build = await admin.docker(['build', '-t', 'multi', '.'], { cwd: ctx, timeoutMs: 120_000 });
  assert.equal(build.code, 0, build.stderr + build.stdout);
  assert.match(build.stdout, /Successfully tagged multi:latest/);
  for (const h of hosts) {
    const r = await admin.docker(['run', '--rm', '-e', `constraint:node==${h.name}`, 'multi'], { timeoutMs: 90_000 });
    assert.equal(r.code, 0, `on ${h.name}: ${r.stderr}`);
    assert.equal(r.stdout, 'built\n', `on ${h.name}`);
  }
  assert.match(await admin.dockerOk(['images', '--format', '{{.Repository}}:{{.Tag}}']), /multi:latest/);
  assert.doesNotMatch(await other.dockerOk(['images', '--format', '{{.Repository}}:{{.Tag}}']), /multi/);
});
