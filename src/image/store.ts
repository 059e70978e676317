/**
 * @module
 * Where image data lives. `put` streams the data to a temporary file, counting and hashing each chunk as
 * it passes, and renames it into place only when all of it arrived within the size limit; any failure
 * removes the temporary file. Memory use does not depend on the size of an image.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BerthError } from '../core/errors.js';

/** What a completed `put` stored: the size and the hex digests Glance reports (checksum, os_hash_value). */
export interface StoredData { size: number; md5: string; sha512: string }

export interface ImageData { stream: Readable; size: number }

export interface ImageStore {
  /** Stores `data` under `id`, or fails (413 past `maxBytes`, or the error of `data`) leaving nothing behind. */
  put(id: string, data: Readable, maxBytes: number): Promise<StoredData>;
  /** The stored data of `id`, or undefined when there is none. */
  open(id: string): Promise<ImageData | undefined>;
  /** Removes the data of `id`; no error when there is none. */
  delete(id: string): Promise<void>;
}

export const tooLarge = (maxBytes: number) =>
  new BerthError('payload_too_large', `The incoming image is too large: this cloud accepts images of at most ${maxBytes} bytes.`);

/** Image ids are UUIDs; anything else never reaches the file system. */
function fileName(id: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) throw new Error(`not an image id: ${id}`);
  return id;
}

/** Counts and hashes what passes; fails with a 413 at the first byte past `maxBytes`. */
function meter(maxBytes: number, into: { size: number; md5: ReturnType<typeof createHash>; sha512: ReturnType<typeof createHash> }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      into.size += chunk.length;
      if (into.size > maxBytes) return cb(tooLarge(maxBytes));
      into.md5.update(chunk);
      into.sha512.update(chunk);
      cb(null, chunk);
    },
  });
}

/** Image data as files `<dir>/<id>`, written through `<dir>/<id>.tmp-<random>`. */
export class FileImageStore implements ImageStore {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  get dir(): string {
    return this.#dir;
  }

  async put(id: string, data: Readable, maxBytes: number): Promise<StoredData> {
    const name = fileName(id);
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    const tmp = join(this.#dir, `${name}.tmp-${randomBytes(6).toString('hex')}`);
    const seen = { size: 0, md5: createHash('md5'), sha512: createHash('sha512') };
    const out = createWriteStream(tmp, { flags: 'wx', mode: 0o600 });
    try {
      await pipeline(data, meter(maxBytes, seen), out);
      await rename(tmp, join(this.#dir, name));
    } catch (e) {
      // A stream that failed before its file was open still creates it: remove the file once closed.
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
      await rm(tmp, { force: true });
      throw e;
    }
    return { size: seen.size, md5: seen.md5.digest('hex'), sha512: seen.sha512.digest('hex') };
  }

  async open(id: string): Promise<ImageData | undefined> {
    try {
      const fh = await open(join(this.#dir, fileName(id)), 'r');
      const { size } = await fh.stat();
      return { stream: fh.createReadStream(), size };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async delete(id: string): Promise<void> {
    await rm(join(this.#dir, fileName(id)), { force: true });
  }

  /**
   * Removes temporary files left by uploads that a crash interrupted: those not written to for
   * `olderThanMs` (an upload in progress, here or on another server sharing the directory, keeps
   * its file fresh). Returns how many were removed.
   */
  async sweep(olderThanMs: number, now = Date.now()): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.#dir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const n of names.filter((x) => /\.tmp-[0-9a-f]+$/.test(x))) {
      const p = join(this.#dir, n);
      const s = await stat(p).catch(() => undefined);
      if (s && now - s.mtimeMs > olderThanMs) {
        await rm(p, { force: true });
        removed++;
      }
    }
    return removed;
  }
}
