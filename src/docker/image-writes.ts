/**
 * @module
 * What docker load, tag and rmi change in the image service. Berth keeps one Glance image per Docker
 * tag, whose data is a docker save archive naming that tag (so a container, an engine and a later
 * docker save all see the name the tenant gave). A new image of a name replaces the project's older
 * images of that name, as Docker moves a tag: each is removed, or kept untagged while containers use it.
 */
import type { Readable } from 'node:stream';
import { BerthError } from '../core/errors.js';
import type { Database } from '../store/db.js';
import { glanceImageUsers } from '../container/images.js';
import type { ImageService } from '../image/service.js';
import type { ImageTransfer } from '../image/transfer.js';
import type { Image, ImageActor } from '../image/types.js';
import type { ArchiveImage } from './image-archive.js';
import type { ImageCatalog } from './image-catalog.js';
import { repackArchives } from './image-repack.js';
import { glanceName, parseRef } from './refs.js';

export interface WriteDeps { db: Database; images: ImageService; transfer: ImageTransfer; catalog: ImageCatalog }

/** `repo:tag` of a reference a tenant or an archive gave, or a 400. */
export function normalTag(text: string): string {
  const ref = parseRef(text);
  if (!ref || ref.digest) throw new BerthError('bad_request', `invalid reference format: ${text.slice(0, 200)} is not a repository name with an optional tag`);
  return `${ref.repo}:${ref.tag}`;
}

const glanceNameOf = (tag: string) => glanceName(parseRef(tag)!);
const shortId = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);
const older = (a: Image, b: Image) => a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id);

export class ImageWrites {
  readonly #d: WriteDeps;

  constructor(deps: WriteDeps) {
    this.#d = deps;
  }

  /** A new private docker image of the project (data still to upload). */
  #create(actor: ImageActor, tag: string | null): Promise<Image> {
    return this.#d.images.create(actor, { name: tag ? glanceNameOf(tag) : null, containerFormat: 'docker', diskFormat: 'raw', visibility: 'private' });
  }

  /** The project's images of `tag` older than `keep` are removed (or untagged while containers use them). */
  async #replaceOlder(actor: ImageActor, tag: string, keep: Image): Promise<void> {
    for (const old of await this.#d.catalog.ownNamed(actor, tag)) {
      if (old.id === keep.id || !older(old, keep)) continue;
      await this.#untagOrRemove(actor, old.id);
    }
  }

  async #untagOrRemove(actor: ImageActor, id: string): Promise<'deleted' | 'untagged'> {
    const users = await glanceImageUsers(this.#d.db, id);
    if (users.length === 0) {
      try {
        await this.#d.images.remove(actor, id);
        return 'deleted';
      } catch (e) {
        if (!(e instanceof BerthError) || e.code !== 'conflict') throw e;
      }
    }
    await this.#d.images.update(actor, id, [{ op: 'replace', field: 'name', value: null }]);
    return 'untagged';
  }

  /** Stores one image of a source archive under `tag` (or untagged) as a new image of the project. */
  async #store(actor: ImageActor, open: () => Promise<Readable>, archive: ArchiveImage, tag: string | null): Promise<Image> {
    const image = await this.#create(actor, tag);
    try {
      const stored = await this.#d.transfer.upload(actor, image.id, repackArchives([{ open, image: archive, repoTags: tag ? [tag] : [] }]));
      if (tag) await this.#replaceOlder(actor, tag, stored);
      return stored;
    } catch (e) {
      await this.#d.images.remove(actor, image.id).catch(() => undefined);
      throw e;
    }
  }

  #opener(actor: ImageActor, id: string): () => Promise<Readable> {
    return async () => {
      const { data } = await this.#d.transfer.download(actor, id);
      if (!data) throw new BerthError('conflict', `Image ${id} has no data.`);
      return data.stream;
    };
  }

  /**
   * docker load: the archive becomes one image per repo tag (or one untagged image per image without
   * tags). Returns Docker's lines ("Loaded image: busybox:latest"). A bad archive is a 400, a large one a 413.
   */
  async load(actor: ImageActor, body: Readable, declaredSize: number | undefined): Promise<string[]> {
    const upload = await this.#create(actor, null);
    let keepUpload = false;
    try {
      const stored = await this.#d.transfer.upload(actor, upload.id, body, declaredSize);
      const archives = await this.#d.catalog.archivesOf(actor, stored);
      const plan = archives.flatMap((a): { a: ArchiveImage; tag: string | null }[] => (a.repoTags.length ? a.repoTags.map((t) => ({ a, tag: normalTag(t) })) : [{ a, tag: null }]));
      const lines = plan.map((p) => (p.tag ? `Loaded image: ${p.tag}` : `Loaded image ID: ${p.a.id}`));
      if (plan.length === 1 && (plan[0].tag === null || plan[0].a.repoTags.length === 1)) {
        // The archive is already one image under one name: the upload is the image.
        const { tag } = plan[0];
        keepUpload = true;
        if (tag) {
          const named = await this.#d.images.update(actor, upload.id, [{ op: 'replace', field: 'name', value: glanceNameOf(tag) }]);
          await this.#replaceOlder(actor, tag, named);
        }
        return lines;
      }
      for (const p of plan) await this.#store(actor, this.#opener(actor, upload.id), p.a, p.tag);
      return lines;
    } finally {
      if (!keepUpload) await this.#d.images.remove(actor, upload.id).catch(() => undefined);
    }
  }

  /** docker tag: a new image of the project named `target`, holding the source's image. */
  async tag(actor: ImageActor, source: { glanceId: string; name: string | null; owner: string | null; archive: ArchiveImage }, target: string): Promise<void> {
    const tag = normalTag(target);
    const own = source.owner !== null && source.owner === actor.projectId;
    if (own && source.name !== null && glanceNameOf(normalTag(source.name)) === glanceNameOf(tag)) return;
    await this.#store(actor, this.#opener(actor, source.glanceId), source.archive, tag);
  }

  /**
   * docker rmi of the Glance images `name` found: Docker's answer items. Another project's image is a
   * 403; one containers use is a 409 unless forced (then it is only untagged).
   */
  async remove(actor: ImageActor, name: string, found: { glanceId: string; name: string | null; owner: string | null; archive: ArchiveImage }[], opts: { force: boolean; byRef: boolean }): Promise<Record<string, string>[]> {
    const id = found[0].archive.id;
    if (!opts.byRef && found.length > 1 && !opts.force)
      throw new BerthError('conflict', `conflict: unable to delete ${shortId(id)} (must be forced) - image is referenced in multiple repositories`);
    for (const f of found) {
      if (!actor.admin && (f.owner === null || f.owner !== actor.projectId))
        throw new BerthError('forbidden', `image ${name} belongs to another project: docker rmi removes only this project's own images`);
    }
    const items: Record<string, string>[] = [];
    let removed = 0;
    for (const f of found) {
      const users = await glanceImageUsers(this.#d.db, f.glanceId);
      if (users.length && !opts.force)
        throw new BerthError('conflict', `conflict: unable to remove repository reference "${name}" (must force) - container ${users[0]} is using its referenced image ${shortId(id)}`);
      const tag = f.name ? normalTag(f.name) : undefined;
      const how = await this.#untagOrRemove(actor, f.glanceId);
      if (tag) items.push({ Untagged: tag });
      if (how === 'deleted') removed++;
    }
    const left = removed === 0 ? [true] : (await this.#d.catalog.all(actor)).filter((i) => i.archive.id === id);
    if (left.length === 0) items.push({ Deleted: id });
    return items;
  }
}
