/**
 * @module
 * The project's images as Docker sees them, over the image service: the active docker-format Glance
 * images the project can see (its own names hide others' images of the same name), each with what its
 * archive says (read once per image: image data never changes once active), and the lookup of a
 * Docker name (`repo:tag`, a Glance id, or a Docker id or its prefix).
 */
import { BerthError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { ImageService } from '../image/service.js';
import type { ImageTransfer } from '../image/transfer.js';
import type { Image, ImageActor, ImageQuery } from '../image/types.js';
import { readArchiveImages, type ArchiveImage } from './image-archive.js';
import type { DockerImage } from './image-render.js';
import { dockerTagOf, glanceNames, parseRef } from './refs.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ID = /^(?:sha256:)?([0-9a-f]{1,64})$/;
const PAGE = 500;
const MAX_PAGES = 40;
const MAX_REMEMBERED = 10_000;
const READ_AT_ONCE = 4;

export const noSuchImage = (name: string) => new BerthError('not_found', `No such image: ${name}`);

/** The listing of the project's view: its own images, public and community ones, shared ones it accepted. */
const projectView = (actor: ImageActor): ImageActor => ({ ...actor, admin: false });

const baseQuery = (): ImageQuery => ({
  containerFormat: 'docker', status: 'active', hidden: false, tags: [], properties: {}, memberStatus: 'accepted',
  sort: [{ key: 'created_at', dir: 'desc' }, { key: 'id', dir: 'desc' }], limit: PAGE,
});

export class ImageCatalog {
  readonly #images: ImageService;
  readonly #transfer: ImageTransfer;
  readonly #log: Logger;
  readonly #archives = new Map<string, Promise<ArchiveImage[]>>();

  constructor(deps: { images: ImageService; transfer: ImageTransfer; log: Logger }) {
    this.#images = deps.images;
    this.#transfer = deps.transfer;
    this.#log = deps.log;
  }

  /** Every image of the archive a Glance image holds (read once, then remembered). */
  archivesOf(actor: ImageActor, image: Image): Promise<ArchiveImage[]> {
    const key = `${image.id}/${image.checksum ?? ''}`;
    let found = this.#archives.get(key);
    if (!found) {
      found = this.#read(actor, image.id);
      if (this.#archives.size >= MAX_REMEMBERED) this.#archives.clear();
      this.#archives.set(key, found);
      found.catch(() => this.#archives.delete(key));
    }
    return found;
  }

  async #read(actor: ImageActor, id: string): Promise<ArchiveImage[]> {
    const { data } = await this.#transfer.download(actor, id);
    if (!data) throw new BerthError('conflict', `Image ${id} has no data.`);
    return readArchiveImages(data.stream);
  }

  /** A Glance image as Docker sees it (the first image of its archive: the one a container runs). */
  async dockerImage(actor: ImageActor, image: Image): Promise<DockerImage> {
    const [archive] = await this.archivesOf(actor, image);
    return { glanceId: image.id, name: image.name, owner: image.owner, createdAt: image.createdAt, updatedAt: image.updatedAt, archive };
  }

  /** The Glance images of the project's view, newest first; with `name`, only those of that exact name. */
  async records(actor: ImageActor, name?: string): Promise<Image[]> {
    const view = projectView(actor);
    const out: Image[] = [];
    let marker: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const q = { ...baseQuery(), ...(name === undefined ? {} : { name }), ...(marker ? { marker } : {}) };
      const { images, nextMarker } = await this.#images.list(view, q);
      out.push(...images);
      if (!nextMarker) break;
      marker = nextMarker;
    }
    return shadow(out, actor.projectId);
  }

  /** Every image of the project's view with its archive; an image whose archive cannot be read is left out. */
  async all(actor: ImageActor): Promise<DockerImage[]> {
    const records = await this.records(actor);
    const out: (DockerImage | undefined)[] = [];
    // Archives not read yet are read a few at a time.
    for (let i = 0; i < records.length; i += READ_AT_ONCE) {
      out.push(...await Promise.all(records.slice(i, i + READ_AT_ONCE).map((r) => this.dockerImage(actor, r).catch((err: unknown) => {
        this.#log.warn({ err, image: r.id }, 'image left out of the docker listing: its archive cannot be read');
        return undefined;
      }))));
    }
    return out.filter((i): i is DockerImage => i !== undefined);
  }

  /** The project's own Glance images named as `repoTag` is stored, newest first. */
  async ownNamed(actor: ImageActor, repoTag: string): Promise<Image[]> {
    const ref = parseRef(repoTag);
    if (!ref) return [];
    const lists = await Promise.all(glanceNames(ref).map((n) => this.records(actor, n)));
    return lists.flat().filter((i) => i.owner !== null && i.owner === actor.projectId);
  }

  /**
   * The images `name` means: by reference (own images first), by Glance id, or by Docker id or a prefix
   * of it (every Glance image holding that Docker image). None → 404; a prefix of several → 409.
   */
  async find(actor: ImageActor, name: string): Promise<{ images: DockerImage[]; byRef: boolean }> {
    if (UUID.test(name)) {
      const image = await this.#images.get(actor, name).catch(() => undefined);
      if (image && image.status === 'active' && image.containerFormat === 'docker') return { images: [await this.dockerImage(actor, image)], byRef: false };
    }
    const ref = parseRef(name);
    if (ref && !ref.digest) {
      const named = (await Promise.all(glanceNames(ref).map((n) => this.records(actor, n)))).flat();
      const own = named.filter((i) => i.owner !== null && i.owner === actor.projectId);
      const chosen = own.length ? own : named;
      if (chosen.length) return { images: [await this.dockerImage(actor, chosen[0])], byRef: true };
    }
    const hex = ID.exec(name)?.[1];
    if (hex) {
      const matches = (await this.all(actor)).filter((i) => i.archive.id.startsWith(`sha256:${hex}`));
      const ids = new Set(matches.map((m) => m.archive.id));
      if (ids.size > 1) throw new BerthError('conflict', `ambiguous image id prefix ${name}: it begins ${ids.size} image ids; give more of it`);
      if (matches.length) return { images: matches, byRef: false };
    }
    throw noSuchImage(ref && !ref.digest && !name.includes(':') ? `${name}:latest` : name);
  }
}

/** The records without others' images whose Docker name one of the project's own images has. */
export function shadow(records: Image[], projectId: string | null): Image[] {
  const ownTags = new Set(records.filter((i) => i.owner !== null && i.owner === projectId).map((i) => dockerTagOf(i.name)).filter(Boolean));
  return records.filter((i) => (i.owner !== null && i.owner === projectId) || !ownTags.has(dockerTagOf(i.name)));
}
