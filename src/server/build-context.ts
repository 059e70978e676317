/**
 * @module
 * Build contexts a server received, each spooled to a temporary file until the host chosen for the build
 * has fetched it. The request body is checked to be a tar archive (plain or compressed) and to stay under
 * the size limit as it is written; whatever fails leaves no file behind, and `remove` is called once the
 * build ends either way. A context is handed out once: the agent's fetch takes it.
 */
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BerthError } from '../core/errors.js';
import { newUuid } from '../core/ids.js';
import { contextKind, HEAD_BYTES } from '../docker/build-archive.js';

/** The largest build context accepted. */
export const MAX_CONTEXT_BYTES = 512 * 2 ** 20;

interface Spooled { dir: string; file: string; hostId: string | null; taken: boolean }

/** Counts bytes, refuses past `limit`, and checks the first HEAD_BYTES are an archive Docker reads. */
function checker(limit: number): Transform {
  let bytes = 0;
  let head: Buffer | null = Buffer.alloc(0);
  const checkHead = (final: boolean): Error | undefined => {
    if (head === null || (!final && head.length < HEAD_BYTES)) return undefined;
    const h = head;
    head = null;
    if (h.length === 0) return new BerthError('bad_request', 'No build context: send the context as a tar archive in the request body.');
    return contextKind(h) ? undefined : new BerthError('bad_request', 'The build context is not a tar archive (plain, gzip, bzip2, xz or zstd).');
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > limit) return done(new BerthError('payload_too_large', `The build context is larger than ${Math.floor(limit / 2 ** 20)} MiB.`));
      if (head !== null) head = Buffer.concat([head, chunk.subarray(0, HEAD_BYTES - head.length)]);
      done(checkHead(false), chunk);
    },
    flush(done) {
      done(checkHead(true));
    },
  });
}

export class BuildContexts {
  readonly #limit: number;
  #spooled = new Map<string, Spooled>();

  constructor(limit = MAX_CONTEXT_BYTES) {
    this.#limit = limit;
  }

  /** Writes `body` to a new temporary file; resolves with its id and size. */
  async spool(body: Readable | undefined): Promise<{ id: string; size: number }> {
    if (!body || typeof body.pipe !== 'function') throw new BerthError('bad_request', 'No build context: send the context as a tar archive in the request body.');
    const dir = await mkdtemp(join(tmpdir(), 'berth-build-'));
    const file = join(dir, 'context');
    const check = checker(this.#limit);
    // The body is piped rather than put in the pipeline: a refused body is drained, not destroyed, so the
    // client still reads the 4xx answer.
    body.on('error', (e) => check.destroy(e));
    body.pipe(check);
    try {
      await pipeline(check, createWriteStream(file, { mode: 0o600 }));
      const id = newUuid();
      this.#spooled.set(id, { dir, file, hostId: null, taken: false });
      return { id, size: (await stat(file)).size };
    } catch (e) {
      body.unpipe(check);
      body.resume();
      await rm(dir, { recursive: true, force: true });
      if (e instanceof BerthError) throw e;
      throw new BerthError('bad_request', `The build context could not be read: ${(e as Error).message}`);
    }
  }

  /** The host that may fetch context `id`. */
  assign(id: string, hostId: string): void {
    const s = this.#spooled.get(id);
    if (s) s.hostId = hostId;
  }

  /** The context for host `hostId`, once; a second fetch, or another host's, is a 404. */
  take(id: string, hostId: string): ReadStream {
    const s = this.#spooled.get(id);
    if (!s || s.taken || s.hostId !== hostId) throw new BerthError('not_found', `No build context ${id} waits for this host.`);
    s.taken = true;
    return createReadStream(s.file);
  }

  async remove(id: string): Promise<void> {
    const s = this.#spooled.get(id);
    if (!s) return;
    this.#spooled.delete(id);
    await rm(s.dir, { recursive: true, force: true });
  }
}
