import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contextKind, HEAD_BYTES, isTarHeader } from './build-archive.js';

/** A tar header block for `name`, its checksum filled in as tar writers do. */
function tarHeader(name: string): Buffer {
  const b = Buffer.alloc(HEAD_BYTES);
  b.write(name, 0);
  b.write('0000644\0', 100);
  b.write('00000000000\0', 124);
  b.write('ustar\0', 257);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return b;
}

test('contextKind tells the archives Docker reads from anything else', () => {
  const cases: { name: string; given: Buffer; want: ReturnType<typeof contextKind> }[] = [
    { name: 'plain tar', given: tarHeader('Dockerfile'), want: 'tar' },
    { name: 'gzip', given: Buffer.from([0x1f, 0x8b, 8, 0]), want: 'gzip' },
    { name: 'bzip2', given: Buffer.from('BZh91AY'), want: 'bzip2' },
    { name: 'xz', given: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0]), want: 'xz' },
    { name: 'zstd', given: Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1]), want: 'zstd' },
    { name: 'text', given: Buffer.from('just text, not a tar'), want: undefined },
    { name: 'empty', given: Buffer.alloc(0), want: undefined },
    { name: 'zeros', given: Buffer.alloc(HEAD_BYTES), want: undefined },
  ];
  for (const c of cases) assert.equal(contextKind(c.given), c.want, c.name);
});

test('a tar header with a wrong checksum is none', () => {
  const b = tarHeader('Dockerfile');
  b[0] = 0x45;
  assert.equal(isTarHeader(b), false);
});
