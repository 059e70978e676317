/**
 * The Docker endpoint's images with the real docker CLI: load, images, inspect, history, tag, save,
 * rmi and pull over the project's Glance images, each project seeing only its own private images.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { dialects, request, startTestServer } from './helpers.js';
import { docker, engineSkipReason, run, zunAs } from './containers-fixture.js';
import { startDockerCloud, type DockerClient, type DockerCloud } from './docker-fixture.js';

const skip = await engineSkipReason();
let cloud: DockerCloud;
let alice: DockerClient;
let bob: DockerClient;
let dir: string;
let engineId: string;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'berth-docker-images-'));
  const saved = await docker(['save', 'busybox:latest', '-o', join(dir, 'f.tar')]);
  assert.equal(saved.code, 0, saved.stderr);
  engineId = (await docker(['image', 'inspect', '--format', '{{.Id}}', 'busybox:latest'])).stdout.trim();
  cloud = await startDockerCloud(dialects()[0], 'dimg');
  alice = await cloud.client('img-alice');
  bob = await cloud.client('img-bob');
});
after(async () => {
  await cloud?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);

test('docker load stores the archive as the project\'s image; docker images, inspect and history show it', { skip }, async () => {
  const out = await alice.dockerOk(['load', '-i', join(dir, 'f.tar')]);
  assert.deepEqual(lines(out), ['Loaded image: busybox:latest']);
  const listed = lines(await alice.dockerOk(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}', '--no-trunc']));
  assert.ok(listed.includes(`busybox:latest ${engineId}`), listed.join('\n'));
  const inspect = JSON.parse(await alice.dockerOk(['image', 'inspect', 'busybox']))[0];
  assert.equal(inspect.Id, engineId);
  assert.deepEqual(inspect.RepoTags, ['busybox:latest']);
  assert.deepEqual(inspect.Config.Cmd, ['sh']);
  assert.equal(inspect.RootFS.Type, 'layers');
  assert.equal(inspect.Os, 'linux');
  // By Docker id prefix and through the plain inspect too.
  assert.equal(await alice.dockerOk(['image', 'inspect', '--format', '{{.Id}}', engineId.slice(7, 19)]), engineId);
  const history = lines(await alice.dockerOk(['history', '--no-trunc', '--format', '{{.ID}}|{{.Comment}}', 'busybox']));
  assert.ok(history.length >= 1);
  assert.equal(history[0].split('|')[0], engineId);
  // The image service lists it, as the OpenStack CLI would show it.
  const glance = await cloud.server.request('GET', '/image/v2/images?name=busybox', { token: alice.token });
  assert.equal(glance.status, 200);
  const own = glance.json.images.filter((i: { owner: string }) => i.owner === alice.projectId);
  assert.equal(own.length, 1);
  assert.equal(own[0].container_format, 'docker');
  assert.equal(own[0].visibility, 'private');
  // Loading again moves the tag: still one image of that name in the project.
  await alice.dockerOk(['load', '-q', '-i', join(dir, 'f.tar')]);
  const again = await cloud.server.request('GET', '/image/v2/images?name=busybox', { token: alice.token });
  assert.equal(again.json.images.filter((i: { owner: string }) => i.owner === alice.projectId).length, 1);
});

test('a bad archive is a clear 400', { skip }, async () => {
  writeFileSync(join(dir, 'bad.tar'), 'this is not a tar archive at all');
  const r = await alice.docker(['load', '-i', join(dir, 'bad.tar')]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /not a valid 'docker save' archive/);
});

test('docker tag adds a name, docker save writes an archive that names it, docker rmi removes it', { skip }, async () => {
  await alice.dockerOk(['tag', 'busybox', 'mybox:v1']);
  const listed = lines(await alice.dockerOk(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}', '--no-trunc']));
  assert.ok(listed.includes(`busybox:latest ${engineId}`) && listed.includes(`mybox:v1 ${engineId}`), listed.join('\n'));
  const filtered = lines(await alice.dockerOk(['images', '--filter', 'reference=mybox', '--format', '{{.Repository}}:{{.Tag}}']));
  assert.deepEqual(filtered, ['mybox:v1']);

  await alice.dockerOk(['save', 'mybox:v1', '-o', join(dir, 'g.tar')]);
  const files = await run('tar', ['-tf', join(dir, 'g.tar')]);
  assert.equal(files.code, 0, files.stderr);
  assert.ok(lines(files.stdout).includes('manifest.json'), files.stdout);
  const manifest = JSON.parse((await run('tar', ['-xOf', join(dir, 'g.tar'), 'manifest.json'])).stdout);
  assert.deepEqual(manifest[0].RepoTags, ['mybox:v1']);

  // Two names in one archive, loaded by another project: one image per name.
  await alice.dockerOk(['save', 'busybox', 'mybox:v1', '-o', join(dir, 'h.tar')]);
  const loaded = await bob.dockerOk(['load', '-i', join(dir, 'h.tar')]);
  assert.deepEqual(lines(loaded), ['Loaded image: busybox:latest', 'Loaded image: mybox:v1']);
  assert.equal(await bob.dockerOk(['image', 'inspect', '--format', '{{.Id}}', 'mybox:v1']), engineId);
  assert.match((await bob.dockerOk(['rmi', 'mybox:v1'])), /Untagged: mybox:v1/);

  const removed = await alice.dockerOk(['rmi', 'mybox:v1']);
  assert.match(removed, /Untagged: mybox:v1/);
  assert.doesNotMatch(removed, /Deleted/);
  const after = lines(await alice.dockerOk(['images', '--format', '{{.Repository}}:{{.Tag}}']));
  assert.ok(!after.includes('mybox:v1') && after.includes('busybox:latest'), after.join('\n'));
  const missing = await alice.docker(['rmi', 'mybox:v1']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /No such image: mybox:v1/);
});

test('docker pull finds the project\'s images and says there is no registry otherwise', { skip }, async () => {
  const out = await alice.dockerOk(['pull', 'busybox']);
  assert.match(out, /Image is up to date for busybox:latest/);
  const r = await alice.docker(['pull', 'nosuch']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /pull access denied for nosuch: there is no registry behind Berth/);
  const search = await alice.docker(['search', 'busybox']);
  assert.notEqual(search.code, 0);
  assert.match(search.stderr, /no registry/);
});

test('another project does not see a project\'s private images', { skip }, async () => {
  const carol = await cloud.client('img-carol');
  await alice.dockerOk(['tag', 'busybox', 'alice-only:v2']);
  const listed = lines(await carol.dockerOk(['images', '--format', '{{.Repository}}:{{.Tag}}']));
  assert.ok(!listed.includes('alice-only:v2'), listed.join('\n'));
  const r = await carol.docker(['image', 'inspect', 'alice-only:v2']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /No such image/);
  const rm = await carol.docker(['rmi', 'alice-only:v2']);
  assert.notEqual(rm.code, 0);
  assert.match(rm.stderr, /No such image/);
  assert.ok(lines(await alice.dockerOk(['images', '--format', '{{.Repository}}:{{.Tag}}'])).includes('alice-only:v2'));
});

test('an image a container uses is not removed: a 409 in Docker\'s words, and -f only untags it', { skip }, async () => {
  await alice.dockerOk(['tag', 'busybox', 'inuse:v1']);
  const zun = zunAs(cloud.server, alice.token);
  const created = await zun('POST', '/containers', { body: { image: 'inuse:v1', image_driver: 'glance', command: ['true'], memory: 32, cpu: 0.1 } });
  assert.equal(created.status, 202, created.text);
  const r = await alice.docker(['rmi', 'inuse:v1']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, new RegExp(`conflict: unable to remove repository reference "inuse:v1" \\(must force\\) - container ${created.json.uuid} is using its referenced image ${engineId.slice(7, 19)}`));
  const forced = await alice.dockerOk(['rmi', '-f', 'inuse:v1']);
  assert.deepEqual(lines(forced), ['Untagged: inuse:v1']);
  // Its Glance image stays, untagged, while the container uses it; the tag is gone.
  assert.ok(!lines(await alice.dockerOk(['images', '--format', '{{.Repository}}:{{.Tag}}'])).includes('inuse:v1'));
  const glance = await cloud.server.request('GET', '/image/v2/images', { token: alice.token });
  assert.equal(glance.json.images.filter((i: { owner: string; name: string | null }) => i.owner === alice.projectId && i.name === null).length, 1);
  const del = await zun('DELETE', `/containers/${created.json.uuid}?force=True`);
  assert.equal(del.status, 204, del.text);
});

test('an archive over the cloud\'s image size limit is a 413, whether its length is declared or not', { skip }, async () => {
  const small = await startTestServer(dialects()[0], { BERTH_IMAGE_MAX_BYTES: '65536' });
  try {
    const base = small.server.dockerHost.replace('tcp://', 'http://');
    const token = await small.adminToken();
    const data = readFileSync(join(dir, 'f.tar'));
    const declared = await request(base, 'POST', '/v1.50/images/load', { token, body: data, headers: { 'Content-Type': 'application/x-tar' } });
    assert.equal(declared.status, 413, declared.text);
    assert.match(declared.json.message, /at most 65536 bytes/);
    // Sent in chunks with no Content-Length: refused once the limit is passed.
    const chunked = await fetch(`${base}/v1.50/images/load`, {
      method: 'POST', headers: { 'X-Auth-Token': token, 'Content-Type': 'application/x-tar' },
      body: Readable.from([data.subarray(0, 40_000), data.subarray(40_000)]), duplex: 'half',
    } as unknown as RequestInit);
    assert.equal(chunked.status, 413);
    assert.match(((await chunked.json()) as { message: string }).message, /at most 65536 bytes/);
    const images = await small.request('GET', '/image/v2/images', { token });
    assert.deepEqual(images.json.images.filter((i: { container_format: string; name: string | null }) => i.name === null), []);
  } finally {
    await small.stop();
  }
});
