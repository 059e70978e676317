import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { after, test } from 'node:test';
import { isBerthError } from '../core/errors.js';
import { FileImageStore } from './store.js';

const root = mkdtempSync(join(tmpdir(), 'berth-store-'));
after(() => rmSync(root, { recursive: true, force: true }));
const ID = '11111111-2222-3333-4444-555555555555';
const chunks = (n: number, size: number) => Readable.from(Array.from({ length: n }, (_, i) => Buffer.alloc(size, i)));

test('put streams to <id> through a temporary file, with size, md5 and sha512', async () => {
  const store = new FileImageStore(join(root, 'a'));
  const data = Buffer.concat(Array.from({ length: 10 }, (_, i) => Buffer.alloc(1000, i)));
  const got = await store.put(ID, chunks(10, 1000), 10_000);
  assert.deepEqual(got, { size: 10_000, md5: createHash('md5').update(data).digest('hex'), sha512: createHash('sha512').update(data).digest('hex') });
  assert.deepEqual(readdirSync(join(root, 'a')), [ID]);
  const opened = await store.open(ID);
  assert.equal(opened?.size, 10_000);
  assert.equal(await text(opened.stream), data.toString());
  await store.delete(ID);
  assert.equal(await store.open(ID), undefined);
  await store.delete(ID);
});

test('past the limit is a 413 and leaves no file', async () => {
  const store = new FileImageStore(join(root, 'b'));
  await assert.rejects(store.put(ID, chunks(10, 1000), 9_999), (e: unknown) => isBerthError(e) && e.status === 413 && /at most 9999 bytes/.test(e.message));
  assert.deepEqual(readdirSync(join(root, 'b')), []);
});

test('a failing source leaves no file', async () => {
  const store = new FileImageStore(join(root, 'c'));
  const failing = new Readable({ read() { this.push(Buffer.alloc(100)); this.destroy(new Error('client went away')); } });
  await assert.rejects(store.put(ID, failing, 1000), /client went away/);
  assert.deepEqual(readdirSync(join(root, 'c')), []);
});

test('ids that are not UUIDs never reach the file system', async () => {
  const store = new FileImageStore(join(root, 'd'));
  await assert.rejects(store.put('../etc/passwd', chunks(1, 1), 10), /not an image id/);
  await assert.rejects(store.open('../x'), /not an image id/);
});

test('sweep removes stale temporary files only', async () => {
  const dir = join(root, 'e');
  const store = new FileImageStore(dir);
  await store.put(ID, chunks(1, 10), 100);
  writeFileSync(join(dir, `${ID}.tmp-abc123`), 'old');
  writeFileSync(join(dir, `${ID}.tmp-def456`), 'fresh');
  const old = (Date.now() - 2 * 86_400_000) / 1000;
  utimesSync(join(dir, `${ID}.tmp-abc123`), old, old);
  assert.equal(await store.sweep(86_400_000), 1);
  assert.deepEqual(readdirSync(dir).sort(), [ID, `${ID}.tmp-def456`]);
});
