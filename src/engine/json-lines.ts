/**
 * @module
 * Splits a byte stream of newline-delimited JSON (Docker's event stream) into values. Chunks may end in
 * the middle of a line or of a multi-byte character, so bytes are buffered until a newline arrives.
 */

export class JsonLineSplitter {
  #pending: Buffer = Buffer.alloc(0);

  /** Feeds a chunk; returns the complete lines it finished, parsed. Lines that are not JSON are skipped. */
  push(chunk: Buffer | string): { value: unknown; raw: string }[] {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.#pending = this.#pending.length === 0 ? bytes : Buffer.concat([this.#pending, bytes]);
    const out: { value: unknown; raw: string }[] = [];
    let start = 0;
    for (let nl = this.#pending.indexOf(10, start); nl !== -1; nl = this.#pending.indexOf(10, start)) {
      const raw = this.#pending.subarray(start, nl).toString('utf8').trim();
      start = nl + 1;
      if (raw === '') continue;
      try {
        out.push({ value: JSON.parse(raw), raw });
      } catch {
        // NOTE: a garbled line is dropped rather than ending the stream; the agent's resync covers it.
      }
    }
    this.#pending = this.#pending.subarray(start);
    return out;
  }
}
