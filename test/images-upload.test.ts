/**
 * Image data over HTTP on each database, with a real `docker save` of busybox: the round trip is
 * byte-identical with Glance's checksum and sha512 hash; a docker archive that is truncated, not a tar or
 * incomplete is a 400 that leaves the image queued and no file behind; a second upload is a 409; an
 * upload past BERTH_IMAGE_MAX_BYTES is a 413 whether its size is declared or only streamed.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eachDialect, passwordAuth, request, startTestServer, type TestServer } from './helpers.js';
import { ROOT } from './hosts-fixture.js';
import { addUser, type TestUser } from './containers-fixture.js';
import { assertGlanceError, busyboxTar, GLANCE, glanceAs, imageFiles, upload, type Glance } from './images-fixture.js';

const tar = await busyboxTar();
const skip = typeof tar === 'string' ? tar : false;
const busybox = typeof tar === 'string' ? Buffer.alloc(0) : tar.data;

eachDialect((dialect) => {
  let s: TestServer;
  let alice: TestUser;
  let g: Glance;
  before(async () => {
    s = await startTestServer(dialect);
    alice = await addUser(s, await s.adminToken(), { user: 'iu-alice', project: 'iu-team', role: 'member' });
    g = glanceAs(s, alice.token);
  });
  after(async () => s?.stop());

  const create = async (body: Record<string, unknown> = { container_format: 'docker', disk_format: 'raw' }) => {
    const r = await g('POST', '/images', { body: { name: 'up', ...body } });
    assert.equal(r.status, 201, r.text);
    return r.json.id as string;
  };
  const status = async (id: string) => (await g('GET', `/images/${id}`)).json;

  it('docker save of busybox: upload, show (size, checksum, sha512), download byte-identical', { skip }, async () => {
    const id = await create();
    const put = await upload(g, id, busybox);
    assert.equal(put.status, 204, put.text);
    const img = await status(id);
    assert.equal(img.status, 'active');
    assert.equal(img.size, busybox.length);
    assert.equal(img.checksum, createHash('md5').update(busybox).digest('hex'));
    assert.equal(img.os_hash_algo, 'sha512');
    assert.equal(img.os_hash_value, createHash('sha512').update(busybox).digest('hex'));
    const res = await fetch(`${s.url}${GLANCE}/images/${id}/file`, { headers: { 'X-Auth-Token': alice.token } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-md5'), img.checksum);
    assert.equal(res.headers.get('content-length'), String(busybox.length));
    assert.equal(res.headers.get('content-type'), 'application/octet-stream');
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(busybox), 'downloaded bytes are the uploaded ones');
    assert.ok(imageFiles(s).includes(id));
    assertGlanceError(await upload(g, id, busybox), 409, /Image status transition from active to saving is not allowed/);
    assert.equal((await g('DELETE', `/images/${id}`)).status, 204);
    assert.ok(!imageFiles(s).includes(id), 'delete removes the data');
  });

  describe('refused uploads leave the image queued and no file behind', () => {
    const cases: [string, () => Buffer, RegExp][] = [
      ['truncated at half', () => busybox.subarray(0, busybox.length >> 1), /truncated \(it ends inside an entry/],
      ['cut before the end blocks', () => busybox.subarray(0, busybox.length - 2048), /truncated|manifest/],
      ['not a tar', () => Buffer.from('#!/bin/sh\necho this is not an image\n'.repeat(100)), /not a tar archive/],
      ['gzip', () => Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4]), /gzip-compressed/],
      ['empty', () => Buffer.alloc(0), /not a tar archive/],
    ];
    for (const [name, data, message] of cases) {
      it(name, { skip: name.startsWith('truncated') || name.startsWith('cut') ? skip : false }, async () => {
        const id = await create();
        const r = await upload(g, id, data());
        assertGlanceError(r, 400, message);
        assert.match(r.json.message, /^The image data is not a valid 'docker save' archive: /);
        const img = await status(id);
        assert.equal(img.status, 'queued');
        assert.equal(img.size, null);
        assert.deepEqual(imageFiles(s).filter((f) => f.startsWith(id)), [], 'no file, temporary or final');
        assert.equal((await g('GET', `/images/${id}/file`)).status, 204, 'a queued image has no data');
      });
    }
  });

  it('other formats are stored unchecked; formats must be set first; the media type must be octet-stream', async () => {
    const bare = await create({ container_format: 'bare', disk_format: 'qcow2' });
    assert.equal((await upload(g, bare, 'not a tar at all')).status, 204);
    assert.equal((await status(bare)).size, 16);
    assertGlanceError(await upload(g, await create({}), 'x'), 400, /Properties disk_format, container_format must be set prior to saving data/);
    assertGlanceError(await upload(g, await create({ disk_format: 'raw' }), 'x'), 400, /Property container_format must be set/);
    const id = await create({ container_format: 'bare', disk_format: 'raw' });
    assertGlanceError(await g('PUT', `/images/${id}/file`, { body: 'x', headers: { 'Content-Type': 'text/plain' } }), 415, /application\/octet-stream/);
    assert.equal((await status(id)).status, 'queued');
    const reader = await addUser(s, await s.adminToken(), { user: 'iu-reader', project: 'iu-team', role: 'reader' });
    assertGlanceError(await upload(glanceAs(s, reader.token), id, 'x'), 403, /image:upload_image/);
  });
});

eachDialect((dialect) => {
  const LIMIT = 1_000_000;
  let s: TestServer;
  let g: Glance;
  before(async () => {
    s = await startTestServer(dialect, { BERTH_IMAGE_MAX_BYTES: String(LIMIT) });
    g = glanceAs(s, await s.adminToken());
  });
  after(async () => s?.stop());

  const queued = async (id: string) => {
    assert.equal((await g('GET', `/images/${id}`)).json.status, 'queued');
    assert.deepEqual(imageFiles(s).filter((f) => f.startsWith(id)), []);
  };

  it('over BERTH_IMAGE_MAX_BYTES: a 413 for a declared size, and for a streamed one at the limit', async () => {
    const id = (await g('POST', '/images', { body: { container_format: 'bare', disk_format: 'raw' } })).json.id as string;
    assertGlanceError(await upload(g, id, Buffer.alloc(LIMIT + 1)), 413, new RegExp(`at most ${LIMIT} bytes`));
    await queued(id);
    // Chunked, with no Content-Length: refused when the stream passes the limit.
    const chunks = function* () { for (let i = 0; i < 40; i++) yield new Uint8Array(64 * 1024); };
    const body = new ReadableStream({ start(c) { for (const x of chunks()) c.enqueue(x); c.close(); } });
    const res = await fetch(`${s.url}${GLANCE}/images/${id}/file`, {
      method: 'PUT', body, duplex: 'half', headers: { 'X-Auth-Token': (await s.adminToken()), 'Content-Type': 'application/octet-stream', Accept: 'application/json' },
    } as RequestInit);
    assert.equal(res.status, 413);
    assert.match(((await res.json()) as { message: string }).message, /too large/);
    await queued(id);
    assert.equal((await upload(g, id, Buffer.alloc(LIMIT))).status, 204, 'exactly the limit is accepted');
  });

  it('a docker archive over the limit is a 413 too', { skip }, async () => {
    const id = (await g('POST', '/images', { body: { container_format: 'docker', disk_format: 'raw' } })).json.id as string;
    assertGlanceError(await upload(g, id, busybox), 413);
    await queued(id);
  });
});

describe('a large image, through a server in its own process (on SQLite: the path is the same on both)', { skip: !existsSync('/proc/self/status') && 'needs /proc to read the server\'s peak memory' }, () => {
  const SIZE = 512 * 1024 * 1024;
  const CHUNK = new Uint8Array(1024 * 1024).fill(7);
  let dir: string;
  let server: ChildProcess | undefined;
  let url = '';
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-big-'));
    const child = spawn(process.execPath, [join(ROOT, 'bin/berth.js'), 'server'], {
      env: { PATH: process.env.PATH ?? '', BERTH_DATA_DIR: dir, BERTH_LISTEN: '127.0.0.1:0', BERTH_DOCKER_LISTEN: '127.0.0.1:0',
        BERTH_LOCAL_AGENT: 'false', BERTH_ADMIN_PASSWORD: 'big-secret', BERTH_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    server = child;
    let out = '';
    url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += String(c);
        const m = /API:\s+(http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`berth server exited ${code}: ${out}`)));
    });
  });
  after(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server!.once('exit', r));
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The server's peak resident memory so far, in MiB (Linux VmHWM). */
  const peakMiB = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${server!.pid}/status`, 'utf8'))![1]) / 1024;

  it('512 MiB in and out: the server\'s peak memory does not grow with the image', async () => {
    const token = (await request(url, 'POST', '/identity/v3/auth/tokens', { body: passwordAuth('admin', 'big-secret', 'admin') })).headers.get('x-subject-token')!;
    const created = await request(url, 'POST', `${GLANCE}/images`, { token, body: { container_format: 'bare', disk_format: 'raw' } });
    const id = created.json.id as string;
    const before = peakMiB();
    let sent = 0;
    const body = new ReadableStream({ pull(c) { if (sent < SIZE) { c.enqueue(CHUNK); sent += CHUNK.length; } else c.close(); } });
    const put = await fetch(`${url}${GLANCE}/images/${id}/file`, {
      method: 'PUT', body, duplex: 'half', headers: { 'X-Auth-Token': token, 'Content-Type': 'application/octet-stream' },
    } as RequestInit);
    assert.equal(put.status, 204, await put.text());
    const expected = createHash('sha512');
    for (let n = 0; n < SIZE; n += CHUNK.length) expected.update(CHUNK);
    const digest = expected.digest('hex');
    assert.equal((await request(url, 'GET', `${GLANCE}/images/${id}`, { token })).json.os_hash_value, digest);
    const res = await fetch(`${url}${GLANCE}/images/${id}/file`, { headers: { 'X-Auth-Token': token } });
    const back = createHash('sha512');
    let size = 0;
    for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) {
      back.update(c);
      size += c.length;
    }
    assert.equal(size, SIZE);
    assert.equal(back.digest('hex'), digest);
    const grew = peakMiB() - before;
    assert.ok(grew < 64, `the server's peak memory grew by ${grew.toFixed(0)} MiB while ${SIZE / 1024 / 1024} MiB went in and out`);
  });
});
