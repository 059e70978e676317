/**
 * @module
 * What a `docker save` archive holds, as Docker describes its images: for each manifest.json entry its
 * id (`sha256:<config digest>`), repo tags, parsed config, layer files and their sizes. Reading keeps
 * only small JSON files (manifest.json, image configs: at most 1 MiB each, 16 MiB in all) and the
 * sizes of the other entries, so memory does not depend on the size of the layers. Both layouts are
 * read: `<hex>.json` configs (docker save before 25) and `blobs/sha256/<hex>` (the OCI layout).
 */
import type { Readable } from 'node:stream';
import { extract, type Header } from 'tar-stream';
import { BerthError } from '../core/errors.js';

const MAX_JSON = 1024 * 1024;
const MAX_KEPT = 16 * 1024 * 1024;

/** The parts of an image config (the OCI image config, as Docker writes it) that Berth shows. */
export interface ImageConfig {
  architecture?: string;
  variant?: string;
  os?: string;
  created?: string;
  author?: string;
  comment?: string;
  docker_version?: string;
  config?: Record<string, unknown> | null;
  rootfs?: { type?: string; diff_ids?: string[] };
  history?: { created?: string; created_by?: string; comment?: string; empty_layer?: boolean }[];
}

export interface ArchiveImage {
  /** `sha256:<hex>` of the config: the id an engine knows the image by. */
  id: string;
  repoTags: string[];
  /** The config file and layer files as manifest.json names them. */
  configFile: string;
  layers: string[];
  config: ImageConfig;
  /** The sizes of the layer files, in the order of `layers`. */
  layerSizes: number[];
  /** The sum of the layer files' sizes. */
  size: number;
}

/** An archive path as manifest.json names it: no leading "./" or "/", no trailing "/". */
export const normalPath = (name: string) => name.replace(/^(\.\/)+/, '').replace(/^\/+/, '').replace(/\/+$/, '');

/** The images of an archive from its manifest.json text, its small JSON files and its entry sizes; a string says why not. */
export function imagesOfArchive(manifest: string | undefined, files: ReadonlyMap<string, string>, sizes: ReadonlyMap<string, number>): ArchiveImage[] | string {
  if (manifest === undefined) return 'it has no manifest.json';
  let doc: unknown;
  try {
    doc = JSON.parse(manifest);
  } catch {
    return 'manifest.json is not JSON';
  }
  if (!Array.isArray(doc) || doc.length === 0) return 'manifest.json is not a list of images';
  const out: ArchiveImage[] = [];
  for (const [i, raw] of doc.entries()) {
    const e = raw as { Config?: unknown; RepoTags?: unknown; Layers?: unknown } | null;
    if (!e || typeof e.Config !== 'string' || !Array.isArray(e.Layers) || !e.Layers.every((l) => typeof l === 'string'))
      return `manifest.json entry ${i} is not {Config, RepoTags, Layers}`;
    const hex = /(?:^|\/)([0-9a-f]{64})(?:\.json)?$/.exec(e.Config)?.[1];
    if (!hex) return `manifest.json names an unexpected config file ${e.Config.slice(0, 100)}`;
    const text = files.get(normalPath(e.Config));
    if (text === undefined) return `the config ${e.Config.slice(0, 100)} is not in the archive`;
    let config: ImageConfig;
    try {
      config = JSON.parse(text) as ImageConfig;
    } catch {
      return `the config ${e.Config.slice(0, 100)} is not JSON`;
    }
    if (!config || typeof config !== 'object') return `the config ${e.Config.slice(0, 100)} is not an object`;
    const layers = e.Layers;
    const repoTags = Array.isArray(e.RepoTags) ? e.RepoTags.filter((t): t is string => typeof t === 'string') : [];
    const layerSizes = layers.map((l) => sizes.get(normalPath(l)) ?? 0);
    const size = layerSizes.reduce((n, s) => n + s, 0);
    out.push({ id: `sha256:${hex}`, repoTags, configFile: normalPath(e.Config), layers: layers.map(normalPath), config, layerSizes, size });
  }
  return out;
}

/** Reads a whole docker save archive and returns its images; a bad archive is a 400. `data` is consumed. */
export function readArchiveImages(data: Readable): Promise<ArchiveImage[]> {
  return new Promise((resolve, reject) => {
    const tar = extract();
    const files = new Map<string, string>();
    const sizes = new Map<string, number>();
    let manifest: string | undefined;
    let kept = 0;
    let settled = false;
    const finish = (e: Error | undefined, images?: ArchiveImage[]) => {
      if (settled) return;
      settled = true;
      data.unpipe(tar);
      data.destroy();
      tar.destroy();
      if (e) reject(e instanceof BerthError ? e : new BerthError('bad_request', `The image is not a docker save archive: ${e.message}.`));
      else resolve(images!);
    };
    tar.on('entry', (header: Header, stream, next) => {
      stream.on('error', () => undefined);
      const name = normalPath(header.name);
      const size = header.size ?? 0;
      sizes.set(name, size);
      const small = header.type === 'file' && size <= MAX_JSON && kept + size <= MAX_KEPT;
      if (!small) {
        stream.on('end', () => next());
        stream.resume();
        return;
      }
      const parts: Buffer[] = [];
      stream.on('data', (c: unknown) => parts.push(c as Buffer));
      stream.on('end', () => {
        const body = Buffer.concat(parts);
        if (name === 'manifest.json') manifest = body.toString('utf8');
        else if (body[0] === 0x7b) {
          files.set(name, body.toString('utf8'));
          kept += body.length;
        }
        next();
      });
    });
    tar.on('finish', () => {
      const images = imagesOfArchive(manifest, files, sizes);
      if (typeof images === 'string') finish(new Error(images));
      else finish(undefined, images);
    });
    tar.on('error', (e: Error) => finish(new Error(`the archive cannot be read (${e.message})`)));
    data.on('error', (e: Error) => finish(e));
    data.pipe(tar);
  });
}
