/**
 * @module
 * Writes a `docker save` archive from stored ones: for each source, only the files of one of its
 * images (config, layers and the files beside a layer in its directory), under the repo tags Berth
 * gives it, with one manifest.json (and `repositories`) for all of them. This is how one archive of
 * several images becomes one per tag on load, how a tag gets an archive that names it, and how
 * `docker save a b` gets one archive. Entries stream through; only names are kept.
 */
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { extract, pack, type Header, type Pack } from 'tar-stream';
import { normalPath, type ArchiveImage } from './image-archive.js';

export interface RepackSource {
  open(): Promise<Readable>;
  /** The image of the source archive to copy. */
  image: ArchiveImage;
  /** The repo tags the written archive gives it (none: it is known by its id only). */
  repoTags: string[];
}

/** The directories (and their parents) holding an image's files, and the files themselves. */
export function filesOf(image: ArchiveImage): { files: Set<string>; dirs: Set<string>; layerDirs: Set<string> } {
  const files = new Set([image.configFile, ...image.layers]);
  const dirs = new Set<string>();
  const layerDirs = new Set<string>();
  for (const l of image.layers) {
    const d = posix.dirname(l);
    // `<id>/layer.tar` sits beside `<id>/json` and `<id>/VERSION`; blobs share one directory with everything.
    if (d !== '.' && !d.startsWith('blobs')) layerDirs.add(d);
  }
  for (const f of files) for (let d = posix.dirname(f); d !== '.' && d !== '/'; d = posix.dirname(d)) dirs.add(d);
  return { files, dirs, layerDirs };
}

/** Whether an archive entry belongs to the image. */
export function keeps(sel: ReturnType<typeof filesOf>, name: string): boolean {
  return sel.files.has(name) || sel.dirs.has(name) || sel.layerDirs.has(name) || sel.layerDirs.has(posix.dirname(name));
}

/** The manifest.json and repositories texts of the written archive. */
export function manifestOf(sources: readonly Pick<RepackSource, 'image' | 'repoTags'>[]): { manifest: string; repositories?: string } {
  const manifest = JSON.stringify(sources.map((s) => ({ Config: s.image.configFile, RepoTags: s.repoTags.length ? s.repoTags : null, Layers: s.image.layers })));
  const repos: Record<string, Record<string, string>> = {};
  for (const s of sources) {
    const top = s.image.layers.at(-1);
    const id = top ? /^([0-9a-f]{64})\/layer\.tar$/.exec(top)?.[1] : undefined;
    if (!id) continue;
    for (const t of s.repoTags) {
      const colon = t.lastIndexOf(':');
      const [repo, tag] = colon > t.lastIndexOf('/') ? [t.slice(0, colon), t.slice(colon + 1)] : [t, 'latest'];
      (repos[repo] ??= {})[tag] = id;
    }
  }
  return Object.keys(repos).length ? { manifest, repositories: JSON.stringify(repos) } : { manifest };
}

function addFile(out: Pack, name: string, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    out.entry({ name, mode: 0o644, mtime: new Date(0) }, text, (e) => (e ? reject(e) : resolve()));
  });
}

/** Copies the source's kept entries not yet written into `out`. */
async function copy(out: Pack, source: RepackSource, written: Set<string>): Promise<void> {
  const sel = filesOf(source.image);
  const data = await source.open();
  await new Promise<void>((resolve, reject) => {
    const tar = extract();
    const fail = (e: Error) => {
      data.destroy();
      tar.destroy();
      reject(e);
    };
    tar.on('entry', (header: Header, stream, next) => {
      const name = normalPath(header.name);
      if (name === 'manifest.json' || name === 'repositories' || written.has(name) || !keeps(sel, name)) {
        stream.on('end', () => next());
        stream.resume();
        return;
      }
      written.add(name);
      const { mode, mtime, type, uid, gid, uname, gname, linkname } = header;
      const entry = out.entry({ name: header.name, size: header.size, mode, mtime, type, uid, gid, uname, gname, linkname }, (e) => (e ? fail(e) : next()));
      stream.pipe(entry);
    });
    tar.on('finish', () => resolve());
    tar.on('error', fail);
    data.on('error', fail);
    data.pipe(tar);
  });
}

/** One archive of the sources' images; an error of any source ends the stream with it. */
export function repackArchives(sources: readonly RepackSource[]): Readable {
  const out = pack();
  const written = new Set<string>();
  void (async () => {
    for (const s of sources) await copy(out, s, written);
    const { manifest, repositories } = manifestOf(sources);
    await addFile(out, 'manifest.json', manifest);
    if (repositories) await addFile(out, 'repositories', repositories);
    out.finalize();
  })().catch((e: unknown) => out.destroy(e as Error));
  return Readable.from(out, { objectMode: false });
}
