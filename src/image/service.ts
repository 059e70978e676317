/**
 * @module
 * The image service's core: create, show, list, update, delete, (de)activate and tag images, with
 * Glance's rules (visibility, policy, what may change in which status). Every write is conditional on
 * the generation or status it was decided on; a lost race is decided again.
 */
import { BerthError, conflict } from '../core/errors.js';
import { newUuid } from '../core/ids.js';
import type { Logger } from '../core/log.js';
import { isUniqueViolation, type Database } from '../store/db.js';
import * as repo from '../store/image-repo.js';
import { authorize, canSee, imageNotFound, policyDenied, visibilityRule } from './access.js';
import type { ImageStore } from './store.js';
import { applyChanges, tooManyProperties, tooManyTags, type Change } from './update.js';
import { MAX_PROPERTIES, MAX_TAGS, type Image, type ImageActor, type ImageQuery, type ImageView, type NewImage } from './types.js';

export interface ImageDeps {
  db: Database;
  store: ImageStore;
  /** The largest image data accepted, in bytes. */
  maxBytes: number;
  log: Logger;
  /** The containers that run an image (their ids); an image some run is deleted only when forced. */
  inUse?: (imageId: string) => Promise<string[]>;
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const RETRIES = 5;

/** The image `id` with the caller's membership, or 404 when it does not exist or the caller may not see it. */
export async function loadView(db: Database, actor: ImageActor, id: string): Promise<ImageView> {
  const v = UUID.test(id) ? await repo.getImageView(db.kysely, id.toLowerCase(), actor.projectId) : undefined;
  if (!v || !canSee(actor, v)) throw imageNotFound(id);
  return v;
}

const raced = () => conflict('The image was changed by another request at the same time; try again.');

export class ImageService {
  readonly #deps: ImageDeps;

  constructor(deps: ImageDeps) {
    this.#deps = deps;
  }

  async get(actor: ImageActor, id: string): Promise<Image> {
    const v = await loadView(this.#deps.db, actor, id);
    authorize(actor, v, 'image:get_image');
    return v.image;
  }

  async create(actor: ImageActor, input: NewImage): Promise<Image> {
    const owner = input.owner === undefined ? actor.projectId : input.owner;
    const visibility = input.visibility ?? 'shared';
    const target = { project_id: owner, owner, visibility };
    const notOwner = () => new BerthError('forbidden', `You are not permitted to create images owned by '${owner}'.`);
    if (!actor.allowed('image:add_image', target)) throw owner !== actor.projectId ? notOwner() : policyDenied('image:add_image');
    if (!actor.admin && owner !== actor.projectId) throw notOwner();
    const extra = visibilityRule(visibility);
    if (extra && !actor.allowed(extra, target)) throw policyDenied(extra);
    const tags = [...new Set(input.tags ?? [])];
    if (tags.length > MAX_TAGS) throw tooManyTags(tags.length);
    const properties = input.properties ?? {};
    if (Object.keys(properties).length > MAX_PROPERTIES) throw tooManyProperties(Object.keys(properties).length);
    const now = new Date().toISOString();
    const image: Image = {
      id: input.id ?? newUuid(), name: input.name ?? null, status: 'queued',
      containerFormat: input.containerFormat ?? null, diskFormat: input.diskFormat ?? null, visibility,
      protected: input.protected ?? false, hidden: input.hidden ?? false, owner, size: null, virtualSize: null,
      checksum: null, hashAlgo: null, hashValue: null, minDisk: input.minDisk ?? 0, minRam: input.minRam ?? 0,
      tags, properties, location: null, generation: 1, createdAt: now, updatedAt: now,
    };
    try {
      await repo.insertImage(this.#deps.db.kysely, image);
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict(`An image with identifier ${image.id} already exists.`);
      throw e;
    }
    return image;
  }

  /** One page of the images the caller may see, and the marker of the next page when there may be one. */
  async list(actor: ImageActor, query: ImageQuery): Promise<{ images: Image[]; nextMarker?: string }> {
    if (!actor.allowed('image:get_images', { project_id: actor.projectId })) throw policyDenied('image:get_images');
    const { db } = this.#deps;
    let marker: Image | undefined;
    if (query.marker !== undefined) {
      marker = (await loadView(db, actor, query.marker).catch(() => undefined))?.image;
      if (!marker) throw new BerthError('bad_request', `Invalid marker. Image ${query.marker} could not be found.`);
    }
    const scope = { admin: actor.admin, projectId: actor.projectId };
    const rows = await repo.listImages(db.kysely, db.dialect, scope, query, marker);
    const images = rows.filter((i) => actor.allowed('image:get_image', { project_id: i.owner, owner: i.owner, visibility: i.visibility, member_id: actor.projectId }));
    const last = rows.at(-1);
    return last && rows.length === query.limit ? { images, nextMarker: last.id } : { images };
  }

  /** Applies a JSON patch (already parsed) and returns the image as stored. */
  async update(actor: ImageActor, id: string, changes: readonly Change[]): Promise<Image> {
    return this.#modify(actor, id, () => changes);
  }

  async addTag(actor: ImageActor, id: string, tag: string): Promise<void> {
    await this.#modify(actor, id, (i) => (i.tags.includes(tag) ? [] : [{ op: 'replace', field: 'tags', value: [...i.tags, tag] }]));
  }

  async removeTag(actor: ImageActor, id: string, tag: string): Promise<void> {
    await this.#modify(actor, id, (i) => {
      if (!i.tags.includes(tag)) throw new BerthError('not_found', `Tag ${tag} not found on image ${id}.`);
      return [{ op: 'replace', field: 'tags', value: i.tags.filter((t) => t !== tag) }];
    });
  }

  async #modify(actor: ImageActor, id: string, changesOf: (i: Image) => readonly Change[]): Promise<Image> {
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      const v = await loadView(this.#deps.db, actor, id);
      authorize(actor, v, 'image:modify_image');
      const changes = changesOf(v.image);
      if (changes.length === 0) return v.image;
      const next = applyChanges(actor, v.image, changes, new Date().toISOString());
      for (const rule of next.rules) authorize(actor, v, rule);
      if (await repo.replaceImage(this.#deps.db.kysely, next.image)) return next.image;
    }
    throw raced();
  }

  /**
   * Deletes an image and its data; a protected image is a 403, an image containers run a 409 unless an
   * admin forces the delete (`force` from anyone else is a 403).
   */
  async remove(actor: ImageActor, id: string, opts: { force?: boolean } = {}): Promise<void> {
    const { db, store, log, inUse } = this.#deps;
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      const v = await loadView(db, actor, id);
      authorize(actor, v, 'image:delete_image');
      if (v.image.protected) throw new BerthError('forbidden', `Image ${v.image.id} is protected and cannot be deleted.`);
      if (opts.force && !actor.admin) throw new BerthError('forbidden', 'Only an admin may force the delete of an image that containers use.');
      const users = opts.force || !inUse ? [] : await inUse(v.image.id);
      if (users.length > 0) {
        throw conflict(`Image ${v.image.id} is in use by container(s) ${users.slice(0, 5).join(', ')}${users.length > 5 ? ' and others' : ''}; delete them first (an admin may force the delete).`);
      }
      if (!(await repo.deleteImage(db.kysely, v.image.id, v.image.generation))) continue;
      // An upload still running finds the row gone when it ends, and removes what it wrote.
      await store.delete(v.image.id).catch((e: unknown) => log.warn({ err: e, image: v.image.id }, 'image data not removed'));
      return;
    }
    throw raced();
  }

  /** Deactivates (active → deactivated) or reactivates an image; the other state already reached is a no-op. */
  async setActive(actor: ImageActor, id: string, active: boolean): Promise<void> {
    const [rule, from, to, verb] = active
      ? ['image:reactivate', 'deactivated', 'active', 'reactivate'] as const
      : ['image:deactivate', 'active', 'deactivated', 'deactivate'] as const;
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      const v = await loadView(this.#deps.db, actor, id);
      authorize(actor, v, rule);
      if (v.image.status === to) return;
      if (v.image.status !== from) throw new BerthError('forbidden', `Not allowed to ${verb} image in status '${v.image.status}'`);
      if (await repo.moveStatus(this.#deps.db.kysely, v.image.id, from, to)) return;
    }
    throw raced();
  }
}
