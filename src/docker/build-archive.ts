/**
 * @module What a build context's first bytes say it is. Docker takes a tar archive, plain or compressed
 * (gzip, bzip2, xz, zstd); anything else is refused before a host is asked to build it. A plain tar is
 * recognised by its first header's checksum, which every tar writer fills in. Pure.
 */

export type ContextKind = 'tar' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

/** Bytes needed to tell: one tar header block. */
export const HEAD_BYTES = 512;

const startsWith = (b: Buffer, magic: number[]) => magic.every((x, i) => b[i] === x);

/** Whether `block` is a valid tar header: its checksum field matches its bytes (the field itself counted as spaces). */
export function isTarHeader(block: Buffer): boolean {
  if (block.length < HEAD_BYTES) return false;
  const field = block.subarray(148, 156).toString('latin1').replace(/\0.*$/s, '').trim();
  if (!/^[0-7]{1,8}$/.test(field)) return false;
  let sum = 0;
  for (let i = 0; i < HEAD_BYTES; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
  return parseInt(field, 8) === sum;
}

/** The kind of archive `head` (the first bytes, up to HEAD_BYTES) starts, or undefined when it is none Docker reads. */
export function contextKind(head: Buffer): ContextKind | undefined {
  if (startsWith(head, [0x1f, 0x8b])) return 'gzip';
  if (startsWith(head, [0x42, 0x5a, 0x68])) return 'bzip2';
  if (startsWith(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'xz';
  if (startsWith(head, [0x28, 0xb5, 0x2f, 0xfd])) return 'zstd';
  return isTarHeader(head) ? 'tar' : undefined;
}
