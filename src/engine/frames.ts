/**
 * @module
 * Docker's multiplexed stream format, used for the output of containers and execs without a TTY: frames
 * of an 8-byte header (stream type, 3 zero bytes, big-endian length) followed by the payload.
 */

export interface Demuxed {
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved in the order the engine sent them. */
  combined: string;
}

/** Decodes a complete multiplexed buffer. A truncated last frame is kept as far as it goes. */
export function demuxFrames(buf: Buffer): Demuxed {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const all: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const type = buf[i];
    const size = buf.readUInt32BE(i + 4);
    const payload = buf.subarray(i + 8, Math.min(i + 8 + size, buf.length));
    (type === 2 ? err : out).push(payload);
    all.push(payload);
    i += 8 + size;
  }
  const text = (parts: Buffer[]) => Buffer.concat(parts).toString('utf8');
  return { stdout: text(out), stderr: text(err), combined: text(all) };
}
