/**
 * @module
 * Checks, while it streams past, that image data is a `docker save` archive: a tar archive that ends with
 * its end-of-archive blocks and holds a manifest.json listing images ({Config, RepoTags, Layers}) whose
 * config and layer files are all in the archive. The data flows on unchanged; the check keeps only entry
 * names, the manifest (at most 1 MiB) and the last 1 KiB, so memory stays flat whatever the size.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { extract, type Header } from 'tar-stream';
import { BerthError } from '../core/errors.js';

const MAX_MANIFEST = 1024 * 1024;

/** An archive entry as tar-stream gives it: a stream of its bytes. */
export interface Entry { on(event: 'data', f: (c: unknown) => void): unknown; on(event: 'end', f: () => void): unknown }

/** Reads a manifest.json entry of an archive: its text, or undefined when it is larger than 1 MiB. */
export function readManifest(entry: Entry, done: (text: string | undefined) => void): void {
  const parts: Buffer[] = [];
  let size = 0;
  entry.on('data', (c: unknown) => {
    const b = c as Buffer;
    size += b.length;
    if (size <= MAX_MANIFEST) parts.push(b);
  });
  entry.on('end', () => done(size > MAX_MANIFEST ? undefined : Buffer.concat(parts).toString('utf8')));
}
const END_BLOCKS = 1024;

export const notDockerArchive = (reason: string) =>
  new BerthError('bad_request', `The image data is not a valid 'docker save' archive: ${reason}`);

/** An archive path as manifest.json names it: no leading "./" or "/", no trailing "/". */
const normal = (name: string) => name.replace(/^(\.\/)+/, '').replace(/^\/+/, '').replace(/\/+$/, '');

/** What the tar reader reported, as a sentence for the client. */
function reasonOf(e: Error, bytes: number): string {
  if (bytes < 512) return `it is not a tar archive (${bytes} bytes is shorter than one tar block).`;
  if (/Unexpected end of data/.test(e.message)) return `the archive is truncated (it ends inside an entry after ${bytes} bytes).`;
  if (/Invalid tar header|unknown format|Invalid header/.test(e.message)) return 'it is not a tar archive (invalid tar header).';
  return `the tar archive cannot be read (${e.message}).`;
}

/** The problem with a manifest.json text and the entries seen, or undefined when it is sound. */
export function manifestProblem(text: string | undefined, names: ReadonlySet<string>): string | undefined {
  if (text === undefined) return 'it has no manifest.json.';
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return 'manifest.json is not JSON.';
  }
  if (!Array.isArray(doc) || doc.length === 0) return 'manifest.json is not a list of images.';
  for (const [i, entry] of doc.entries()) {
    const e = entry as { Config?: unknown; RepoTags?: unknown; Layers?: unknown } | null;
    if (!e || typeof e !== 'object' || typeof e.Config !== 'string' || !Array.isArray(e.Layers)
      || !e.Layers.every((l) => typeof l === 'string') || (e.RepoTags != null && !(Array.isArray(e.RepoTags) && e.RepoTags.every((t) => typeof t === 'string'))))
      return `manifest.json entry ${i} is not {Config, RepoTags, Layers}.`;
    for (const file of [e.Config, ...e.Layers] as string[]) {
      if (!names.has(normal(file))) return `manifest.json names ${file}, which is not in the archive (truncated or incomplete archive).`;
    }
  }
  return undefined;
}

/**
 * A pass-through stream that fails with a 400 (BerthError bad_request) as soon as the data cannot be
 * a docker save archive, or at its end when the archive is incomplete. Backpressure is kept: a chunk is
 * passed on once the tar reader has taken it.
 */
export function dockerArchiveCheck(): Transform {
  const tar = extract();
  const names = new Set<string>();
  let manifest: string | undefined;
  let failure: Error | undefined;
  let bytes = 0;
  let tail = Buffer.alloc(0);
  const fail = (e: Error) => { failure ??= e instanceof BerthError ? e : notDockerArchive(reasonOf(e, bytes)); };

  tar.on('entry', (header: Header, stream, next) => {
    const name = normal(header.name);
    names.add(name);
    // An entry cut short fails with the archive; the archive's error is the one reported.
    stream.on('error', () => undefined);
    if (name !== 'manifest.json' || header.type !== 'file') {
      stream.on('end', () => next());
      stream.resume();
      return;
    }
    readManifest(stream, (text) => {
      if (text === undefined) fail(notDockerArchive('manifest.json is larger than 1 MiB.'));
      else manifest = text;
      next();
    });
  });
  tar.on('error', fail);

  /** Calls `cb` once the reader took the chunk (or failed). */
  const feed = (chunk: Buffer, cb: (e?: Error) => void) => {
    if (failure) return cb(failure);
    if (tar.write(chunk)) return cb(failure);
    const done = () => { tar.off('drain', done); tar.off('error', done); tar.off('close', done); cb(failure); };
    tar.on('drain', done);
    tar.on('error', done);
    tar.on('close', done);
  };

  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      if (bytes === 0 && chunk[0] === 0x1f && chunk[1] === 0x8b)
        return cb(notDockerArchive('it is gzip-compressed; upload the plain tar that docker save writes.'));
      bytes += chunk.length;
      tail = Buffer.concat([tail, chunk.subarray(Math.max(0, chunk.length - END_BLOCKS))]);
      if (tail.length > END_BLOCKS) tail = tail.subarray(tail.length - END_BLOCKS);
      feed(chunk, (e) => (e ? cb(e) : cb(null, chunk)));
    },
    flush(cb: TransformCallback) {
      if (failure) return cb(failure);
      let answered = false;
      const finish = () => {
        if (answered) return;
        answered = true;
        if (failure) return cb(failure);
        if (bytes < 512) return cb(notDockerArchive(reasonOf(new Error('too short'), bytes)));
        if (tail.length < END_BLOCKS || tail.some((b) => b !== 0))
          return cb(notDockerArchive(`the archive is truncated (no end-of-archive blocks after ${bytes} bytes).`));
        const problem = manifestProblem(manifest, names);
        cb(problem ? notDockerArchive(problem) : null);
      };
      tar.on('finish', finish);
      tar.on('error', finish);
      tar.end(undefined);
    },
    destroy(err, cb) {
      tar.destroy();
      cb(err);
    },
  });
}
