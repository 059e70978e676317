/**
 * @module The JSON-lines output of a classic build as the docker CLI reads it, passed from the engine to
 * the client line by line. The engine tags its result with Berth's own name for the stored image, so its
 * "Successfully tagged" lines are left out: the endpoint writes the tenant's names once the image is
 * stored. The first error line and the built image's id are noted on the way. Pure.
 */

/** `{"stream": text}` as one line. */
export const streamLine = (text: string): string => `${JSON.stringify({ stream: text })}\n`;

/** Docker's error line: the CLI prints `message` and exits non-zero. */
export const errorLine = (message: string): string => `${JSON.stringify({ errorDetail: { message }, error: message })}\n`;

interface Line { stream?: unknown; error?: unknown; errorDetail?: { message?: unknown }; aux?: { ID?: unknown } }

/** What one engine line means to the endpoint. */
export function readLine(raw: string): { keep: boolean; error?: string; imageId?: string } {
  let v: Line;
  try {
    v = JSON.parse(raw) as Line;
  } catch {
    return { keep: true };
  }
  if (v === null || typeof v !== 'object') return { keep: true };
  if (typeof v.stream === 'string' && v.stream.startsWith('Successfully tagged ')) return { keep: false };
  const message = typeof v.errorDetail?.message === 'string' ? v.errorDetail.message : typeof v.error === 'string' ? v.error : undefined;
  if (message !== undefined) return { keep: true, error: message };
  if (typeof v.aux?.ID === 'string') return { keep: true, imageId: v.aux.ID };
  // A quiet build (`docker build -q`) reports only the id, as one stream line.
  const quietId = typeof v.stream === 'string' ? /^(sha256:[0-9a-f]{64})\n?$/.exec(v.stream)?.[1] : undefined;
  if (quietId) return { keep: true, imageId: quietId };
  return { keep: true };
}

export class BuildOutput {
  #pending = '';
  readonly #decoder = new TextDecoder();
  /** The first error the engine or agent reported. */
  error: string | undefined;
  imageId: string | undefined;

  /** Feeds engine bytes; returns the complete lines to send on (a partial line waits for its end). */
  push(chunk: Buffer | string): string {
    this.#pending += typeof chunk === 'string' ? chunk : this.#decoder.decode(chunk, { stream: true });
    const nl = this.#pending.lastIndexOf('\n');
    if (nl === -1) return '';
    const done = this.#pending.slice(0, nl + 1);
    this.#pending = this.#pending.slice(nl + 1);
    return done.split('\n').filter((l) => l.trim() !== '').map((l) => this.#take(l)).join('');
  }

  /** What is left once the engine's output ended (a last line without a newline). */
  end(): string {
    const rest = this.#pending + this.#decoder.decode();
    this.#pending = '';
    return rest.trim() === '' ? '' : this.#take(rest);
  }

  #take(line: string): string {
    const r = readLine(line.trim());
    if (r.error !== undefined && this.error === undefined) this.error = r.error;
    if (r.imageId !== undefined) this.imageId = r.imageId;
    return r.keep ? `${line.trim()}\n` : '';
  }
}
