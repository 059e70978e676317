/**
 * The Docker endpoint's reads of a container, driven by the real docker CLI: logs (tail, timestamps,
 * stdout apart from stderr, follow until the container exits), top, stats, cp both ways and events of
 * the caller's project only. Containers are made through the Zun API, as any project may.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { demuxFrames } from '../src/engine/index.js';
import { dialects, request, waitFor } from './helpers.js';
import { engineSkipReason, waitStatus, zunAs, type Zun } from './containers-fixture.js';
import { startDockerCloud, type DockerClient, type DockerCloud } from './docker-fixture.js';

const skip = await engineSkipReason();
let cloud: DockerCloud;
let base: string;
let admin: DockerClient;
let other: DockerClient;
let zun: Zun;
let work: string;
let startedAt: number;
/** Whether `docker logs` can run: the CLI inspects the container first, which another part of the endpoint serves. */
let inspectServed = false;
const uuid: Record<string, string> = {};

// out2 comes only once the test saw out1 and err1 logged (and made /tmp/go): the engine copies stdout
// and stderr separately, so lines written close together may be logged in either order.
const LOGS_CMD = 'echo out1; echo err1 >&2; while [ ! -e /tmp/go ]; do sleep 0.05; done; echo out2; exec sleep 3600';

before(async () => {
  if (skip) return;
  startedAt = Math.floor(Date.now() / 1000) - 1;
  cloud = await startDockerCloud(dialects()[0], 'dinfo');
  base = cloud.server.server.dockerHost.replace('tcp://', 'http://');
  admin = cloud.admin;
  other = await cloud.client('dinfo-other');
  zun = zunAs(cloud.server, admin.token);
  const otherZun = zunAs(cloud.server, other.token);
  work = mkdtempSync(join(tmpdir(), 'berth-dinfo-'));
  const make = async (z: Zun, name: string, script: string) => {
    const r = await z('POST', '/containers?run=true', { body: { name, image: 'busybox', command: ['sh', '-c', script] } });
    assert.equal(r.status, 202, r.text);
    uuid[name] = r.json.uuid;
  };
  await Promise.all([
    make(zun, 'talk', LOGS_CMD),
    make(zun, 'brief', 'echo a; sleep 2; echo b'),
    make(otherZun, 'foreign', 'exec sleep 3600'),
  ]);
  await Promise.all([waitStatus(zun, 'talk', ['Running']), waitStatus(otherZun, 'foreign', ['Running'])]);
  await waitFor('talk to have logged out1 and err1', async () => {
    const l = await rawLogs('talk', 'stdout=1&stderr=1');
    return l.stdout.includes('out1') && l.stderr.includes('err1');
  }, 15_000, 100);
  const go = await zun('POST', `/containers/${uuid.talk}/execute?command=${encodeURIComponent('touch /tmp/go')}&run=true`);
  assert.equal(go.status, 200, go.text);
  await waitFor('talk to have logged out2', async () => (await rawLogs('talk', 'stdout=1&stderr=1')).stdout.includes('out2'), 15_000, 100);
  const probe = await request(base, 'GET', '/v1.50/containers/talk/json', { token: admin.token });
  inspectServed = probe.status === 200;
});
after(async () => {
  await cloud?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function rawLogs(id: string, query: string, token = admin.token) {
  const res = await fetch(`${base}/v1.50/containers/${id}/logs?${query}`, { headers: { 'X-Auth-Token': token }, signal: AbortSignal.timeout(30_000) });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get('content-type'), body, ...(res.status === 200 ? demuxFrames(body) : { stdout: '', stderr: '', combined: body.toString() }) };
}

test('logs: multiplexed frames keep stdout and stderr apart; tail, timestamps, another project gets a 404', { skip }, async () => {
  const all = await rawLogs('talk', 'stdout=1&stderr=1');
  assert.equal(all.status, 200);
  assert.equal(all.type, 'application/vnd.docker.multiplexed-stream');
  assert.equal(all.stdout, 'out1\nout2\n');
  assert.equal(all.stderr, 'err1\n');
  assert.equal((await rawLogs('talk', 'stdout=1')).combined, 'out1\nout2\n');
  assert.equal((await rawLogs('talk', 'stdout=1&stderr=1&tail=1')).combined, 'out2\n');
  assert.match((await rawLogs('talk', 'stdout=1&timestamps=1&tail=1')).stdout, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+Z out2\n$/);
  const none = await rawLogs('talk', 'tail=1');
  assert.equal(none.status, 400);
  assert.match(JSON.parse(none.combined).message, /choose at least one stream/);
  const foreign = await rawLogs(uuid.foreign, 'stdout=1');
  assert.equal(foreign.status, 404);
  assert.equal(JSON.parse(foreign.combined).message, `No such container: ${uuid.foreign}`);
});

test('docker logs with the CLI: tail, -t, stdout alone, -f ends when the container exits', { skip }, async (t) => {
  if (!inspectServed) {
    t.skip('GET /containers/{id}/json is not served yet; the CLI inspects before it reads logs');
    return;
  }
  const r = await admin.docker(['logs', 'talk']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'out1\nout2\n');
  assert.equal(r.stderr, 'err1\n');
  assert.equal(await admin.dockerOk(['logs', '--tail', '1', 'talk']), 'out2');
  assert.match(await admin.dockerOk(['logs', '-t', '--tail', '1', 'talk']), /^\d{4}-\d{2}-\d{2}T[\d:.]+Z out2$/);
  const f = await admin.docker(['logs', '-f', 'brief'], { timeoutMs: 30_000 });
  assert.equal(f.code, 0, f.stderr);
  assert.equal(f.stdout, 'a\nb\n');
});

test('logs follow over HTTP ends when the container exits', { skip }, async () => {
  const f = await rawLogs('brief', 'stdout=1&stderr=1&follow=1');
  assert.equal(f.status, 200);
  assert.equal(f.stdout, 'a\nb\n');
});

test('docker top lists the container\'s processes', { skip }, async () => {
  const out = await admin.dockerOk(['top', 'talk']);
  assert.match(out, /PID/);
  assert.match(out, /sleep 3600/);
  const r = await other.docker(['top', 'talk']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /No such container: talk/);
});

test('docker stats --no-stream shows the container by its name; the stream sends documents as they come', { skip }, async () => {
  const out = await admin.dockerOk(['stats', '--no-stream', '--format', '{{.Name}} {{.MemUsage}}', 'talk']);
  assert.match(out, /^talk \d+(\.\d+)?[KMG]i?B \/ /);
  // Without names the CLI lists the running containers (and watches events) first.
  const every = await admin.dockerOk(['stats', '--no-stream', '--format', '{{.Name}}']);
  assert.deepEqual(every.split('\n'), ['talk']);
  const one = await request(base, 'GET', '/v1.50/containers/talk/stats?stream=false', { token: admin.token });
  assert.equal(one.status, 200);
  assert.equal(one.json.name, '/talk');
  assert.equal(one.json.id, uuid.talk.replace(/-/g, ''));
  assert.ok(one.json.memory_stats && one.json.cpu_stats && one.json.precpu_stats, one.text.slice(0, 200));
  // Two documents of the live stream, then the client leaves.
  const ctl = new AbortController();
  const res = await fetch(`${base}/v1.50/containers/talk/stats`, { headers: { 'X-Auth-Token': admin.token }, signal: ctl.signal });
  assert.equal(res.status, 200);
  let text = '';
  const reader = res.body!.getReader();
  while (text.split('\n').length < 3) {
    const { value, done } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString();
  }
  ctl.abort();
  const docs = text.split('\n').filter(Boolean).slice(0, 2).map((l) => JSON.parse(l));
  assert.equal(docs.length, 2);
  for (const d of docs) assert.equal(d.name, '/talk');
});

test('docker cp both ways round-trips a file; a missing path says so', { skip }, async () => {
  const src = join(work, 'in.txt');
  const content = `berth cp ${Date.now()}\nsecond line\n`;
  writeFileSync(src, content);
  await admin.dockerOk(['cp', src, 'talk:/tmp/copied.txt']);
  const back = join(work, 'back.txt');
  await admin.dockerOk(['cp', 'talk:/tmp/copied.txt', back]);
  assert.equal(readFileSync(back, 'utf8'), content);
  const missing = await admin.docker(['cp', 'talk:/no/such/file', join(work, 'x')]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /Could not find the file \/no\/such\/file in container talk/);
  const into = await admin.docker(['cp', src, 'talk:/no/such/dir/']);
  assert.notEqual(into.code, 0);
});

test('archive over HTTP: HEAD tells the path\'s stat; an archive over the limit is a 413', { skip }, async () => {
  const head = await fetch(`${base}/v1.50/containers/talk/archive?path=/etc/hostname`, { method: 'HEAD', headers: { 'X-Auth-Token': admin.token } });
  assert.equal(head.status, 200);
  const stat = JSON.parse(Buffer.from(head.headers.get('x-docker-container-path-stat') ?? '', 'base64').toString());
  assert.equal(stat.name, 'hostname');
  assert.equal(typeof stat.size, 'number');
  const gone = await fetch(`${base}/v1.50/containers/talk/archive?path=/no/such`, { method: 'HEAD', headers: { 'X-Auth-Token': admin.token } });
  assert.equal(gone.status, 404);
  const big = await request(base, 'PUT', '/v1.50/containers/talk/archive?path=/tmp', {
    token: admin.token, body: Buffer.alloc(41 * 1024 * 1024), headers: { 'Content-Type': 'application/x-tar' },
  });
  assert.equal(big.status, 413);
  assert.match(big.json.message, /larger than the 40 MiB/);
  const noPath = await request(base, 'GET', '/v1.50/containers/talk/archive', { token: admin.token });
  assert.equal(noPath.status, 400);
  assert.equal(typeof noPath.json.message, 'string');
});

test('docker events --since/--until shows the project\'s own container events only', { skip }, async () => {
  // brief has exited: its die comes from the status its agent reported.
  await waitStatus(zun, 'brief', ['Stopped']);
  const now = Math.floor(Date.now() / 1000) + 1;
  const out = await admin.dockerOk(['events', '--since', String(startedAt), '--until', String(now), '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}']);
  const lines = out.split('\n');
  assert.ok(lines.includes('container start talk'), out);
  assert.ok(lines.includes('container create brief'), out);
  assert.ok(lines.includes('container die brief'), out);
  assert.ok(!lines.some((l) => l.includes('foreign')), out);
  const filtered = await admin.dockerOk(['events', '--since', String(startedAt), '--until', String(now), '--filter', 'container=talk', '--filter', 'event=start', '--format', '{{.Action}} {{.Actor.Attributes.name}}']);
  assert.equal(filtered, 'start talk');
  const theirs = await other.dockerOk(['events', '--since', String(startedAt), '--until', String(now), '--format', '{{.Action}} {{.Actor.Attributes.name}}']);
  assert.ok(theirs.split('\n').includes('start foreign'), theirs);
  assert.ok(!theirs.includes('talk'), theirs);
  const bad = await admin.docker(['events', '--since', String(startedAt), '--until', String(now), '--filter', 'nonsense=1']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /invalid filter 'nonsense'/);
});

test('events without until follow new ones: a stop and the die it leads to, then the client leaves', { skip }, async () => {
  const ctl = new AbortController();
  const filters = encodeURIComponent(JSON.stringify({ container: { talk: true } }));
  const res = await fetch(`${base}/v1.50/events?filters=${filters}`, { headers: { 'X-Auth-Token': admin.token }, signal: ctl.signal });
  // The headers come at once: the stream is open before the container is stopped.
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json');
  const r = await zun('POST', `/containers/${uuid.talk}/stop?timeout=1`);
  assert.equal(r.status, 202, r.text);
  const reader = res.body!.getReader();
  let text = '';
  const actions = () => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { Action: string; Actor: { Attributes: { name: string } }; time: number; timeNano: number });
  while (!actions().some((e) => e.Action === 'die')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString();
  }
  ctl.abort();
  const seen = actions();
  assert.deepEqual(seen.map((e) => `${e.Action} ${e.Actor.Attributes.name}`), ['stop talk', 'die talk']);
  assert.equal(typeof seen[0].time, 'number');
  assert.ok(seen[0].timeNano > seen[0].time * 1e9 - 1e9, text);
});
