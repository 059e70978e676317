/**
 * @module
 * What a `docker save` archive's image is called once an engine loaded it: its id `sha256:<config
 * digest>` (exact: two images that share a tag never share an id) and its first repo tag. Read from the
 * archive's manifest.json as the data streams past; reading stops there, and nothing but the manifest
 * (at most 1 MiB) is kept, so memory does not depend on the size of the image.
 */
import type { Readable } from 'node:stream';
import { extract, type Header } from 'tar-stream';
import { readManifest } from './docker-archive.js';


export interface ArchiveRef {
  /** `sha256:<hex>`: what `docker load` makes the engine know the image by. */
  id: string;
  /** The first of RepoTags, when the archive has one. */
  repoTag: string | null;
}

/** The image of a manifest.json text (its first entry), or why there is none. */
export function refOfManifest(text: string): ArchiveRef | string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return 'manifest.json is not JSON';
  }
  const first = Array.isArray(doc) ? (doc[0] as { Config?: unknown; RepoTags?: unknown } | undefined) : undefined;
  if (!first || typeof first.Config !== 'string') return 'manifest.json names no image config';
  // "<hex>.json" (docker save before 25) or "blobs/sha256/<hex>" (the OCI layout of later versions).
  const hex = /(?:^|\/)([0-9a-f]{64})(?:\.json)?$/.exec(first.Config)?.[1];
  if (!hex) return `manifest.json names an unexpected config file ${first.Config.slice(0, 100)}`;
  const tags = Array.isArray(first.RepoTags) ? first.RepoTags.filter((t): t is string => typeof t === 'string') : [];
  return { id: `sha256:${hex}`, repoTag: tags[0] ?? null };
}

/**
 * Reads `data` (a docker save archive) up to its manifest.json and returns the image it names; `data`
 * is destroyed either way. Rejects when the archive has no usable manifest.
 */
export function readArchiveRef(data: Readable): Promise<ArchiveRef> {
  return new Promise((resolve, reject) => {
    const tar = extract();
    let settled = false;
    const finish = (e: Error | undefined, ref?: ArchiveRef) => {
      if (settled) return;
      settled = true;
      data.unpipe(tar);
      data.destroy();
      tar.destroy();
      if (e) reject(e);
      else resolve(ref!);
    };
    tar.on('entry', (header: Header, stream, next) => {
      stream.on('error', () => undefined);
      const name = header.name.replace(/^(\.\/)+/, '').replace(/^\/+/, '');
      if (name !== 'manifest.json' || header.type !== 'file') {
        stream.on('end', () => next());
        stream.resume();
        return;
      }
      readManifest(stream, (text) => {
        if (text === undefined) return finish(new Error('manifest.json is larger than 1 MiB'));
        const ref = refOfManifest(text);
        if (typeof ref === 'string') finish(new Error(ref));
        else finish(undefined, ref);
      });
    });
    tar.on('finish', () => finish(new Error('the archive has no manifest.json')));
    tar.on('error', (e: Error) => finish(new Error(`the archive cannot be read (${e.message})`)));
    data.on('error', (e: Error) => finish(e));
    data.pipe(tar);
  });
}
