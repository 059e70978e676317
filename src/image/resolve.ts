/**
 * @module
 * Glance images as containers use them. `resolve` turns what a tenant typed (an image id or a unique
 * name) into the image, with Glance's visibility rules and the checks a container needs (active, docker
 * format), and the reference the engine will know it by once loaded. `openForHost` gives an agent the
 * data to load. Image data never changes once active, so each image's reference is read from its
 * archive once per server and remembered.
 */
import { BerthError, conflict } from '../core/errors.js';
import type { Database } from '../store/db.js';
import * as repo from '../store/image-repo.js';
import { canSee, targetOf } from './access.js';
import { readArchiveRef, type ArchiveRef } from './archive-ref.js';
import type { ImageData, ImageStore } from './store.js';
import type { Image, ImageActor, ImageQuery, ImageView } from './types.js';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** References remembered per server (an entry is two short strings). */
const MAX_REMEMBERED = 10_000;

export interface ResolvedImage {
  image: Image;
  /** What the engine knows the image by once loaded (`sha256:…`), and its first repo tag. */
  ref: ArchiveRef;
}

export const imageMissing = (ident: string) => new BerthError('not_found', `Image ${ident} could not be found.`);

export class ContainerImages {
  readonly #db: Database;
  readonly #store: ImageStore;
  readonly #refs = new Map<string, Promise<ArchiveRef>>();

  constructor(deps: { db: Database; store: ImageStore }) {
    this.#db = deps.db;
    this.#store = deps.store;
  }

  /**
   * The image `ident` names for `actor`: by id (any image it may see), else by name among the images
   * its project lists (its own, public ones, shared ones it accepted). Not visible → 404; several of that name →
   * 409; not active → 409; not a docker image → 400.
   */
  async resolve(actor: ImageActor, ident: string): Promise<ResolvedImage> {
    const image = await this.#find(actor, ident);
    if (image.status !== 'active' || !image.location) {
      throw conflict(`Image ${ident} is ${image.status}: a container can run only an active image (one whose data was uploaded and that is not deactivated).`);
    }
    if (image.containerFormat !== 'docker') {
      throw new BerthError('bad_request', `Image ${ident} has container format '${image.containerFormat ?? 'none'}': a container runs only images of container format 'docker' (a docker save archive).`);
    }
    return { image, ref: await this.#refOf(image) };
  }

  /** The data of an active image for a host's agent to load; 404 once deleted, 409 while not active. */
  async openForHost(id: string): Promise<ImageData> {
    const v = UUID.test(id) ? await repo.getImageView(this.#db.kysely, id.toLowerCase(), null) : undefined;
    if (!v) throw new BerthError('not_found', `Image ${id} no longer exists in the image service.`);
    if (v.image.status !== 'active' || !v.image.location) throw conflict(`Image ${id} is ${v.image.status}; only an active image can be loaded.`);
    const data = await this.#store.open(v.image.location);
    if (!data) throw new BerthError('unavailable', `The data of image ${id} is not in this server's image store.`);
    return data;
  }

  async #find(actor: ImageActor, ident: string): Promise<Image> {
    const q = this.#db.kysely;
    const visible = (v: ImageView) => canSee(actor, v) && actor.allowed('image:get_image', targetOf(actor, v));
    if (UUID.test(ident)) {
      const v = await repo.getImageView(q, ident.toLowerCase(), actor.projectId);
      if (v && visible(v)) return v.image;
    }
    // By name, an admin too looks among what its project lists: another project's image of the same
    // name is not a candidate (its id still is).
    const query: ImageQuery = { name: ident, hidden: false, tags: [], properties: {}, memberStatus: 'accepted', sort: [], limit: 2 };
    const rows = await repo.listImages(q, this.#db.dialect, { admin: false, projectId: actor.projectId }, query);
    const named = rows.filter((i) => actor.allowed('image:get_image', { project_id: i.owner, owner: i.owner, visibility: i.visibility, member_id: actor.projectId }));
    if (named.length > 1) throw conflict(`Multiple images exist with the name ${ident}. Please use the image id instead.`);
    if (named.length === 0) throw imageMissing(ident);
    return named[0];
  }

  #refOf(image: Image): Promise<ArchiveRef> {
    const key = `${image.id}/${image.checksum ?? ''}`;
    let ref = this.#refs.get(key);
    if (!ref) {
      ref = this.#readRef(image);
      if (this.#refs.size >= MAX_REMEMBERED) this.#refs.clear();
      this.#refs.set(key, ref);
      // A failure is not remembered: the next create reads the archive again.
      ref.catch(() => this.#refs.delete(key));
    }
    return ref;
  }

  async #readRef(image: Image): Promise<ArchiveRef> {
    const data = await this.#store.open(image.location!);
    if (!data) throw new BerthError('unavailable', `The data of image ${image.id} is not in this server's image store.`);
    try {
      return await readArchiveRef(data.stream);
    } catch (e) {
      throw new BerthError('bad_request', `Image ${image.id} is not a docker save archive that can run: ${(e as Error).message}.`);
    }
  }
}
