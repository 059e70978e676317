/**
 * @module
 * Docker's stats documents as the engine sends them, with the engine's id and name replaced by the ones
 * the Docker endpoint shows. No I/O.
 */

/** Splits a byte stream of JSON lines and rewrites each document's `id` and `name`. */
export class StatsRewriter {
  #rest = '';

  constructor(readonly id: string, readonly name: string) {}

  /** The complete lines in `chunk` (with what came before), rewritten, each ending in a newline. */
  push(chunk: Buffer | string): string {
    const text = this.#rest + chunk.toString();
    const lines = text.split('\n');
    this.#rest = lines.pop() ?? '';
    return lines.map((l) => this.#line(l)).filter((l) => l !== '').join('');
  }

  /** What is left at the end of the stream (a last document without a newline). */
  end(): string {
    const last = this.#rest;
    this.#rest = '';
    return this.#line(last);
  }

  #line(line: string): string {
    if (line.trim() === '') return '';
    try {
      const doc = JSON.parse(line) as Record<string, unknown>;
      return `${JSON.stringify({ ...doc, id: this.id, name: `/${this.name}` })}\n`;
    } catch {
      return `${line}\n`;
    }
  }
}
