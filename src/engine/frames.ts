/**
 * @module
 * Docker's multiplexed stream format, used for the output of containers and execs without a TTY: frames
 * of an 8-byte header (stream type, 3 zero bytes, big-endian length) followed by the payload.
 */

export interface Frame {
  /** 0 stdin, 1 stdout, 2 stderr. */
  stream: number;
  data: Buffer;
}

/** Incremental decoder for a live stream (attach, interactive exec): frames may span chunks. */
export class FrameDecoder {
  #pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const frames: Frame[] = [];
    let i = 0;
    while (i + 8 <= this.#pending.length) {
      const size = this.#pending.readUInt32BE(i + 4);
      if (i + 8 + size > this.#pending.length) break;
      frames.push({ stream: this.#pending[i], data: this.#pending.subarray(i + 8, i + 8 + size) });
      i += 8 + size;
    }
    this.#pending = this.#pending.subarray(i);
    return frames;
  }

  /** Bytes of an incomplete frame still waiting for the rest. */
  get pendingBytes(): number {
    return this.#pending.length;
  }
}

export interface Demuxed {
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved in the order the engine sent them. */
  combined: string;
}

/** Decodes a complete multiplexed buffer. */
export function demuxFrames(buf: Buffer): Demuxed {
  const frames = new FrameDecoder().push(buf);
  const text = (fs: Frame[]) => Buffer.concat(fs.map((f) => f.data)).toString('utf8');
  return {
    stdout: text(frames.filter((f) => f.stream !== 2)),
    stderr: text(frames.filter((f) => f.stream === 2)),
    combined: text(frames),
  };
}
