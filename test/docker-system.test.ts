/**
 * The Docker endpoint's front: its listener, versioned paths, Api-Version, token authentication with a
 * set-up hint, `berth docker-env` and the real docker CLI's version, info and refusals.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from './helpers.js';
import { engineSkipReason, run } from './containers-fixture.js';
import { startDockerCloud, type DockerCloud } from './docker-fixture.js';
import { ROOT } from './hosts-fixture.js';
import { dialects } from './helpers.js';

const skip = await engineSkipReason();
let cloud: DockerCloud;
let base: string;

before(async () => {
  if (skip) return;
  cloud = await startDockerCloud(dialects()[0], 'dsys');
  base = cloud.server.server.dockerHost.replace('tcp://', 'http://');
});
after(async () => {
  await cloud?.stop();
});

test('_ping needs no token and advertises the classic builder and the API version', { skip }, async () => {
  for (const path of ['/_ping', '/v1.50/_ping', '/v1.24/_ping']) {
    const r = await request(base, 'GET', path);
    assert.equal(r.status, 200, path);
    assert.equal(r.text, 'OK');
    assert.equal(r.headers.get('api-version'), '1.50');
    assert.equal(r.headers.get('builder-version'), '1');
  }
  const head = await fetch(`${base}/_ping`, { method: 'HEAD' });
  assert.equal(head.status, 200);
});

test('a missing or bad token is a 401 that says how to set the CLI up', { skip }, async () => {
  const none = await request(base, 'GET', '/v1.50/info');
  assert.equal(none.status, 401);
  assert.match(none.json.message, /berth docker-env/);
  assert.equal(none.headers.get('api-version'), '1.50');
  const bad = await request(base, 'GET', '/v1.50/info', { token: 'nope' });
  assert.equal(bad.status, 401);
  assert.match(bad.json.message, /invalid or has expired/);
  const cli = await run('docker', ['info'], { env: { DOCKER_HOST: cloud.server.server.dockerHost, DOCKER_CONFIG: mkdtempSync(join(tmpdir(), 'berth-empty-')) } });
  assert.notEqual(cli.code, 0);
  assert.match(cli.stderr, /berth docker-env/);
});

test('versions outside 1.24..1.50 are refused in Docker\'s words; unknown paths are a 404 message', { skip }, async () => {
  const token = cloud.admin.token;
  const high = await request(base, 'GET', '/v1.51/version', { token });
  assert.equal(high.status, 400);
  assert.match(high.json.message, /client version 1.51 is too new. Maximum supported API version is 1.50/);
  const low = await request(base, 'GET', '/v1.12/version', { token });
  assert.equal(low.status, 400);
  assert.match(low.json.message, /too old/);
  const unknown = await request(base, 'GET', '/v1.50/nothing/here', { token });
  assert.equal(unknown.status, 404);
  assert.equal(typeof unknown.json.message, 'string');
  assert.equal(unknown.headers.get('content-type'), 'application/json');
});

test('docker version and info through Berth show the project\'s view', { skip }, async () => {
  const version = await cloud.admin.dockerOk(['version', '--format', '{{.Server.APIVersion}} {{.Server.MinAPIVersion}} {{.Client.APIVersion}}']);
  assert.equal(version, '1.50 1.24 1.50');
  const info = JSON.parse(await cloud.admin.dockerOk(['info', '--format', '{{json .}}']));
  assert.equal(info.Swarm.LocalNodeState, 'inactive');
  assert.ok(info.NCPU >= 1);
  assert.ok(info.MemTotal > 0);
  assert.equal(typeof info.Containers, 'number');
});

test('swarm, plugins and volumes are refused with a message, not a hang', { skip }, async () => {
  const swarm = await cloud.admin.docker(['swarm', 'init']);
  assert.notEqual(swarm.code, 0);
  assert.match(swarm.stderr, /not a swarm manager/);
  assert.doesNotMatch(swarm.stderr, /\{"message"/);
  const plugin = await cloud.admin.docker(['plugin', 'ls']);
  assert.notEqual(plugin.code, 0);
  assert.match(plugin.stderr, /plugins/);
  const service = await cloud.admin.docker(['service', 'ls']);
  assert.notEqual(service.code, 0);
});

test('berth docker-env writes a config with the token and prints the exports', { skip }, async () => {
  const home = mkdtempSync(join(tmpdir(), 'berth-home-'));
  try {
    const env = { ...cloud.server.openrcEnv(), HOME: home };
    const r = await run(process.execPath, [join(ROOT, 'bin', 'berth.js'), 'docker-env'], { env });
    assert.equal(r.code, 0, r.stderr);
    const exports = Object.fromEntries([...r.stdout.matchAll(/^export (\w+)='?([^'\n]*)'?$/gm)].map((m) => [m[1], m[2]]));
    assert.equal(exports.DOCKER_HOST, cloud.server.server.dockerHost);
    assert.equal(exports.DOCKER_BUILDKIT, '0');
    const file = join(exports.DOCKER_CONFIG, 'config.json');
    assert.ok(existsSync(file));
    const token = JSON.parse(readFileSync(file, 'utf8')).HttpHeaders['X-Auth-Token'];
    assert.equal(typeof token, 'string');
    const ps = await run('docker', ['info'], { env: { DOCKER_HOST: exports.DOCKER_HOST, DOCKER_CONFIG: exports.DOCKER_CONFIG } });
    assert.equal(ps.code, 0, ps.stderr);
    // Without credentials it says what is missing and exits 2.
    const bare = await run(process.execPath, [join(ROOT, 'bin', 'berth.js'), 'docker-env'], { env: { HOME: home } });
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /OS_AUTH_URL is not set/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
