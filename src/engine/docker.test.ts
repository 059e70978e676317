import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test, type TestContext } from 'node:test';
import Docker from 'dockerode';
import { extract, pack } from 'tar-stream';
import { DockerEngine } from './docker.js';
import { EngineError } from './errors.js';
import { demuxFrames } from './frames.js';
import { summarizeStats } from './stats.js';
import type { EngineContainerSpec, EngineEvent } from './types.js';

// Runs against the engine named by DOCKER_HOST, with a busybox image (BERTH_TEST_IMAGE to override).
const IMAGE = process.env.BERTH_TEST_IMAGE ?? 'busybox:latest';
const RUN = randomBytes(4).toString('hex');
const LABELS = { 'berth.test': RUN };
/** Exits promptly on SIGTERM (a shell as PID 1 would otherwise ignore it until the stop timeout). */
const SERVE = ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'];

let engine: DockerEngine;
let skip: string | undefined;
let docker: Docker;
const images: string[] = [];
let n = 0;

const name = (what: string) => `berth-test-${what}-${RUN}-${n++}`;

function spec(what: string, extra: Partial<EngineContainerSpec> = {}): EngineContainerSpec {
  return { name: name(what), image: IMAGE, command: SERVE, labels: { ...LABELS }, ...extra };
}

async function running(what: string, extra: Partial<EngineContainerSpec> = {}): Promise<string> {
  const id = await engine.create(spec(what, extra));
  await engine.start(id);
  return id;
}

function skipped(t: TestContext): boolean {
  if (skip) t.skip(skip);
  return skip !== undefined;
}

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c) => chunks.push(c as Buffer));
  const done = new Promise<void>((r) => p.on('end', () => r()));
  for (const [path, body] of Object.entries(files)) p.entry({ name: path, mode: 0o644 }, body);
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

async function filesOf(tar: Buffer): Promise<Record<string, string>> {
  const x = extract();
  x.end(tar);
  const out: Record<string, string> = {};
  for await (const entry of x) {
    const body: Buffer[] = [];
    for await (const c of entry) body.push(c as Buffer);
    out[entry.header.name] = Buffer.concat(body).toString('utf8');
  }
  return out;
}

before(async () => {
  const host = process.env.DOCKER_HOST;
  if (!host?.startsWith('unix://')) {
    skip = 'no Docker engine: set DOCKER_HOST=unix:///path/to/docker.sock';
    return;
  }
  engine = new DockerEngine({ host });
  docker = new Docker({ socketPath: host.slice('unix://'.length) });
  try {
    await engine.ping();
  } catch (e) {
    skip = `Docker engine at ${host} does not answer: ${(e as Error).message}`;
    return;
  }
  if (!(await engine.imageExists(IMAGE))) skip = `image ${IMAGE} is not in the engine at ${host}`;
});

after(async () => {
  if (!docker || skip) return;
  const left = await docker.listContainers({ all: true, filters: { label: [`berth.test=${RUN}`] } });
  await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {})));
  await Promise.all(images.map((i) => docker.getImage(i).remove({ force: true }).catch(() => {})));
});

// Each test owns its containers, so they run side by side: a container start costs most of a second.
describe('DockerEngine', { concurrency: true }, () => {
  test('ping and info describe the engine', async (t) => {
    if (skipped(t)) return;
    const info = await engine.info();
    assert.ok(info.version.length > 0);
    assert.ok(info.cpus >= 1);
    assert.ok(info.memoryMb > 0);
    assert.ok(info.diskGb >= 0);
    assert.ok(info.runtimes.includes('runc'));
  });

  test('unknown image is a 404 EngineError; unknown container is null, and removing it is fine', async (t) => {
    if (skipped(t)) return;
    await assert.rejects(engine.create(spec('noimage', { image: `berth-no-such-image-${RUN}:1` })), (e) => {
      assert.ok(e instanceof EngineError);
      assert.equal(e.status, 404);
      assert.equal(e.reason, 'not_found');
      assert.match(e.message, /No such image/);
      return true;
    });
    assert.equal(await engine.inspect(`berth-no-such-${RUN}`), null);
    assert.equal(await engine.inspectImage(`berth-no-such-image-${RUN}:1`), null);
    await engine.remove(`berth-no-such-${RUN}`, { force: true });
    await assert.rejects(engine.start(`berth-no-such-${RUN}`), (e: EngineError) => e.status === 404);
  });

  test('lifecycle: every transition, repeated transitions are no-ops', async (t) => {
    if (skipped(t)) return;
    const s = spec('life', {
      env: { GREETING: 'hello world', EMPTY: '' },
      cpu: 0.5,
      memoryMb: 64,
      hostname: 'berthy',
      exposedPorts: { '80/tcp': {} },
      publishPorts: true,
      restartPolicy: { name: 'on-failure', maximumRetryCount: 2 },
    });
    const id = await engine.create(s);
    let st = await engine.inspect(id);
    assert.equal(st?.status, 'created');
    assert.equal(st?.name, s.name);
    assert.deepEqual(st?.labels, LABELS);
    assert.equal(st?.env.GREETING, 'hello world');
    assert.equal(st?.env.EMPTY, '');
    assert.equal(st?.cpu, 0.5);
    assert.equal(st?.memoryMb, 64);
    assert.deepEqual(st?.command, SERVE);
    assert.equal(st?.startedAt, null);

    await engine.start(id);
    await engine.start(id);
    st = await engine.inspect(id);
    assert.equal(st?.status, 'running');
    assert.ok(st?.running && st.startedAt);
    const port = st.ports.find((p) => p.containerPort === 80);
    assert.equal(port?.protocol, 'tcp');
    if (st.addresses.length > 0) {
      // With a bridge the port is published, and only on loopback.
      assert.equal(port?.hostIp, '127.0.0.1');
      assert.ok((port?.hostPort ?? 0) > 0);
    }

    await engine.stop(id, 5);
    await engine.stop(id, 5);
    st = await engine.inspect(id);
    assert.equal(st?.status, 'exited');
    assert.equal(st?.exitCode, 0);
    assert.ok(st?.finishedAt);

    await engine.start(id);
    await engine.pause(id);
    await engine.pause(id);
    assert.equal((await engine.inspect(id))?.status, 'paused');
    await engine.unpause(id);
    await engine.unpause(id);
    assert.equal((await engine.inspect(id))?.status, 'running');

    await engine.kill(id, 'SIGKILL');
    await engine.kill(id);
    st = await engine.inspect(id);
    assert.equal(st?.status, 'exited');
    assert.equal(st?.exitCode, 137);

    await engine.restart(id, 1);
    assert.equal((await engine.inspect(id))?.status, 'running');

    const renamed = name('renamed');
    await engine.rename(id, renamed);
    await engine.rename(id, renamed);
    assert.equal((await engine.inspect(renamed))?.id, id);

    await engine.remove(id, { force: true });
    await engine.remove(id, { force: true });
    assert.equal(await engine.inspect(id), null);
  });

  test('pausing a stopped container is an error, not a no-op', async (t) => {
    if (skipped(t)) return;
    const id = await engine.create(spec('nopause'));
    await assert.rejects(engine.pause(id), (e: EngineError) => e.status === 409);
    await engine.remove(id);
  });

  test('list finds stopped and running containers by label', async (t) => {
    if (skipped(t)) return;
    const group = randomBytes(3).toString('hex');
    const a = await engine.create(spec('lista', { labels: { ...LABELS, 'berth.group': group } }));
    const b = await running('listb', { labels: { ...LABELS, 'berth.group': group, 'berth.role': 'b' } });
    const both = await engine.list({ 'berth.group': group });
    assert.deepEqual(both.map((c) => c.id).sort(), [a, b].sort());
    assert.equal(both.find((c) => c.id === a)?.status, 'created');
    assert.equal(both.find((c) => c.id === b)?.status, 'running');
    const onlyB = await engine.list({ 'berth.group': group, 'berth.role': 'b' });
    assert.deepEqual(onlyB.map((c) => c.id), [b]);
    assert.equal(onlyB[0].labels['berth.role'], 'b');
  });

  test('events report a stop within a second', async (t) => {
    if (skipped(t)) return;
    const group = randomBytes(3).toString('hex');
    const id = await engine.create(spec('events', { labels: { ...LABELS, 'berth.group': group } }));
    const seen: (EngineEvent & { at: number })[] = [];
    const ac = new AbortController();
    const watching = engine.watchEvents({ 'berth.group': group }, (e) => seen.push({ ...e, at: Date.now() }), ac.signal);
    try {
      // The start event proves the stream is connected before the stop is measured.
      await until('connected', async () => {
        await engine.start(id);
        return seen.some((e) => e.action === 'start');
      }, 20_000);
      // Measured from the stop's answer: under parallel tests the stop call itself can take seconds.
      await engine.stop(id, 5);
      const stoppedAt = Date.now();
      const die = await until('die event', async () => seen.find((e) => e.action === 'die'), 1000);
      assert.ok(die.at - stoppedAt <= 1000, `die seen ${die.at - stoppedAt} ms after the stop returned`);
      assert.equal(die.id, id);
      assert.equal(die.status, 'exited');
      assert.equal(die.labels['berth.group'], group);
      assert.match(die.timeNano, /^\d{19}$/);
    } finally {
      ac.abort();
      await watching;
    }
  });

  test('exec returns combined output and the exit code', async (t) => {
    if (skipped(t)) return;
    const id = await running('exec');
    const r = await engine.exec(id, { cmd: ['sh', '-c', 'echo out; echo err >&2; exit 3'] });
    assert.equal(r.exitCode, 3);
    assert.match(r.output, /out\n/);
    assert.match(r.output, /err\n/);
    const env = await engine.exec(id, { cmd: ['sh', '-c', 'echo "$X in $(pwd)"'], env: ['X=y'], workdir: '/tmp' });
    assert.deepEqual(env, { output: 'y in /tmp\n', exitCode: 0 });
  });

  for (const tty of [false, true]) {
    test(`interactive exec round trip (tty ${tty})`, async (t) => {
      if (skipped(t)) return;
      const id = await running(`iexec${tty ? 't' : ''}`);
      const { execId, stream } = await engine.execInteractive(id, { cmd: ['sh'], tty });
      if (tty) await engine.resizeExec(execId, 30, 100);
      const chunks: Buffer[] = [];
      const ended = new Promise((r) => stream.on('end', r).on('close', r));
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.write('echo h""i\nexit\n');
      await ended;
      const out = Buffer.concat(chunks);
      if (tty) {
        // The terminal echoes the input; quoting keeps that echo from reading "hi".
        assert.match(out.toString(), /\r\nhi\r\n/);
      } else {
        assert.deepEqual(demuxFrames(out), { stdout: 'hi\n', stderr: '', combined: 'hi\n' });
      }
    });
  }

  test('attach to an interactive container and resize it', async (t) => {
    if (skipped(t)) return;
    const id = await running('attach', { command: ['sh'], tty: true, interactive: true });
    const stream = await engine.attach(id);
    await engine.resize(id, 30, 100);
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.write('echo a""b\n');
    await until('attach output', async () => /ab\r\n/.test(Buffer.concat(chunks).toString()));
    stream.destroy();
  });

  test('logs: stdout, stderr, tail, timestamps', async (t) => {
    if (skipped(t)) return;
    const id = await running('logs', { command: ['sh', '-c', 'echo one; echo two >&2; echo three'] });
    await until('exit', async () => (await engine.inspect(id))?.status === 'exited');
    const all = await engine.logs(id);
    for (const word of ['one', 'two', 'three']) assert.match(all, new RegExp(`${word}\n`));
    assert.equal(await engine.logs(id, { stderr: false }), 'one\nthree\n');
    assert.equal(await engine.logs(id, { stdout: false }), 'two\n');
    // NOTE: Docker applies `tail` before the stream filter, so tail the combined log.
    assert.match(await engine.logs(id, { tail: 1 }), /^(two|three)\n$/);
    assert.equal((await engine.logs(id, { tail: 2 })).split('\n').length, 3);
    assert.match(await engine.logs(id, { stdout: false, timestamps: true }), /^\d{4}-\d\d-\d\dT\S+ two\n$/);
    assert.equal(await engine.logs(id, { since: Math.floor(Date.now() / 1000) + 60 }), '');
  });

  test('top lists the processes; stats summarize like Zun', async (t) => {
    if (skipped(t)) return;
    const id = await running('top', { memoryMb: 32 });
    // NOTE: start returns once runc started the container's init; the exec of the command into it can
    // still be under way, so `ps` may show it a moment later.
    const top = await until('top to show the command', async () => {
      const t = await engine.top(id);
      return t.Processes.some((p) => p.join(' ').includes('sleep 3600')) ? t : undefined;
    });
    assert.ok(top.Titles.includes('PID'));
    const summary = summarizeStats(await engine.stats(id));
    assert.equal(summary['MEM LIMIT(MiB)'], 32);
    assert.ok(summary['MEM USAGE(MiB)'] > 0);
    assert.ok(Number.isFinite(summary['CPU %']) && summary['CPU %'] >= 0);
    assert.match(summary['BLOCK I/O(B)'], /^\d+\/\d+$/);
    assert.match(summary['NET I/O(B)'], /^\d+\/\d+$/);
  });

  test('archive: cp to a new file path, into a directory, and back', async (t) => {
    if (skipped(t)) return;
    const id = await running('archive');
    await engine.putArchiveAt(id, '/tmp/file', await tarOf({ f1: 'first\n' }));
    const back = await engine.getArchive(id, '/tmp/file');
    assert.deepEqual(await filesOf(back.data), { file: 'first\n' });
    assert.equal(back.stat.name, 'file');
    assert.equal(back.stat.size, 6);

    await engine.putArchiveAt(id, '/tmp', await tarOf({ f2: 'second\n' }));
    assert.equal((await engine.exec(id, { cmd: ['cat', '/tmp/f2'] })).output, 'second\n');

    await engine.putArchiveAt(id, '/tmp/file', await tarOf({ f3: 'replaced\n' }));
    assert.equal((await engine.exec(id, { cmd: ['cat', '/tmp/file'] })).output, 'replaced\n');

    await assert.rejects(engine.putArchiveAt(id, '/nowhere/', await tarOf({ f4: '' })), (e: EngineError) => e.status === 404);
    await assert.rejects(engine.getArchive(id, '/nowhere'), (e: EngineError) => e.status === 404);
  });

  test('commit makes an image from the container', async (t) => {
    if (skipped(t)) return;
    const id = await running('commit');
    await engine.exec(id, { cmd: ['sh', '-c', 'echo kept > /marker'] });
    const repository = `berth-test-commit-${RUN}`;
    const imageId = await engine.commit(id, { repository, tag: 'v1' });
    images.push(imageId);
    assert.match(imageId, /^sha256:/);
    const image = await engine.inspectImage(`${repository}:v1`);
    assert.equal(image?.id, imageId);
    assert.deepEqual(image?.tags, [`${repository}:v1`]);
    const copy = await running('fromcommit', { image: `${repository}:v1` });
    assert.equal((await engine.exec(copy, { cmd: ['cat', '/marker'] })).output, 'kept\n');
  });
});
