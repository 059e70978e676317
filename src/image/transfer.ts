/**
 * @module
 * Image data in and out. An upload moves the image queued → saving, streams the data into the image
 * store (through the docker save check for container_format docker) and then saving → active with its
 * size and hashes; a failed upload goes back to queued, as Glance's does, and leaves no data behind.
 */
import { pipeline, type Readable } from 'node:stream';
import { BerthError, conflict } from '../core/errors.js';
import * as repo from '../store/image-repo.js';
import { authorize } from './access.js';
import { dockerArchiveCheck } from './docker-archive.js';
import { loadView, type ImageDeps } from './service.js';
import { tooLarge, type ImageData } from './store.js';
import type { Image, ImageActor } from './types.js';

/** The algorithm of os_hash_value (Glance's default, hashing_algorithm = sha512). */
export const HASH_ALGO = 'sha512';

export class ImageTransfer {
  readonly #deps: ImageDeps;

  constructor(deps: ImageDeps) {
    this.#deps = deps;
  }

  get maxBytes(): number {
    return this.#deps.maxBytes;
  }

  /**
   * Stores `data` as the image's data. `declaredSize` (the request's Content-Length) lets an upload that
   * is too large be refused before any of it is read.
   */
  async upload(actor: ImageActor, id: string, data: Readable, declaredSize?: number): Promise<Image> {
    const { db, store, maxBytes, log } = this.#deps;
    const v = await loadView(db, actor, id);
    authorize(actor, v, 'image:upload_image');
    const image = v.image;
    const missing = [['disk_format', image.diskFormat], ['container_format', image.containerFormat]].filter(([, f]) => !f).map(([n]) => n);
    if (missing.length === 1) throw new BerthError('bad_request', `Property ${missing[0]} must be set prior to saving data.`);
    if (missing.length > 1) throw new BerthError('bad_request', `Properties ${missing.join(', ')} must be set prior to saving data.`);
    if (declaredSize !== undefined && declaredSize > maxBytes) throw tooLarge(maxBytes);
    if (image.status !== 'queued' || !(await repo.moveStatus(db.kysely, image.id, 'queued', 'saving'))) {
      const now = (await repo.getImageView(db.kysely, image.id, null))?.image.status ?? 'deleted';
      throw conflict(`Image status transition from ${now} to saving is not allowed`);
    }
    let stored;
    try {
      stored = await store.put(image.id, image.containerFormat === 'docker' ? checked(data) : data, maxBytes);
    } catch (e) {
      await repo.moveStatus(db.kysely, image.id, 'saving', 'queued')
        .catch((err: unknown) => log.warn({ err, image: image.id }, 'image not set back to queued after a failed upload'));
      throw e;
    }
    const done = {
      size: stored.size, virtual_size: null, checksum: stored.md5, os_hash_algo: HASH_ALGO, os_hash_value: stored.sha512, location: image.id,
    };
    if (!(await repo.moveStatus(db.kysely, image.id, 'saving', 'active', done))) {
      await store.delete(image.id);
      throw conflict(`Image ${image.id} was deleted during the upload; its data was discarded.`);
    }
    return { ...image, status: 'active', size: stored.size, checksum: stored.md5, hashAlgo: HASH_ALGO, hashValue: stored.sha512, location: image.id };
  }

  /** The image and, when it has data, a stream of it. */
  async download(actor: ImageActor, id: string): Promise<{ image: Image; data?: ImageData }> {
    const { db, store } = this.#deps;
    const v = await loadView(db, actor, id);
    if (v.image.status === 'deactivated' && !actor.admin)
      throw new BerthError('forbidden', 'The requested image has been deactivated. Image data download is forbidden.');
    authorize(actor, v, 'image:download_image');
    if (!v.image.location) return { image: v.image };
    const data = await store.open(v.image.location);
    if (!data) throw new BerthError('unavailable', `The data of image ${v.image.id} is not in this server's image store.`);
    return { image: v.image, data };
  }
}

/** `data` through the docker save check; an error of either ends both. */
function checked(data: Readable): Readable {
  const check = dockerArchiveCheck();
  pipeline(data, check, () => undefined);
  return check;
}
