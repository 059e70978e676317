import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { BerthError } from '../core/errors.js';
import { BuildContexts } from './build-context.js';

/** A one-file tar archive (header with its checksum, data, end blocks). */
function tar(name: string, data: string): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0);
  h.write('0000644\0', 100);
  h.write(`${Buffer.byteLength(data).toString(8).padStart(11, '0')}\0`, 124);
  h.write('ustar\0', 257);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of h) sum += x;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const body = Buffer.alloc(Math.ceil(Buffer.byteLength(data) / 512) * 512);
  body.write(data);
  return Buffer.concat([h, body, Buffer.alloc(1024)]);
}

const rejects = (p: Promise<unknown>, status: number, message: RegExp) =>
  assert.rejects(p, (e: unknown) => e instanceof BerthError && e.status === status && message.test(e.message));

test('a context is spooled, fetched once by its host, and removed', async () => {
  const contexts = new BuildContexts(64 * 1024);
  const archive = tar('Dockerfile', 'FROM busybox\n');
  const { id, size } = await contexts.spool(Readable.from([archive.subarray(0, 100), archive.subarray(100)]));
  assert.equal(size, archive.length);
  contexts.assign(id, 'host-a');
  assert.throws(() => contexts.take(id, 'host-b'), /No build context/);
  const chunks: Buffer[] = [];
  for await (const c of contexts.take(id, 'host-a')) chunks.push(c as Buffer);
  assert.deepEqual(Buffer.concat(chunks), archive);
  assert.throws(() => contexts.take(id, 'host-a'), /No build context/);
  await contexts.remove(id);
  await contexts.remove(id);
});

test('refusals: too large, not a tar archive, empty, no body', async () => {
  const contexts = new BuildContexts(2048);
  await rejects(contexts.spool(Readable.from([tar('big', 'x'.repeat(4096))])), 413, /larger than/);
  await rejects(contexts.spool(Readable.from([Buffer.from('just text, not a tar')])), 400, /not a tar archive/);
  await rejects(contexts.spool(Readable.from([])), 400, /No build context/);
  await rejects(contexts.spool(undefined), 400, /No build context/);
});
