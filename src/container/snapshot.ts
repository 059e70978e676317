/**
 * @module
 * A server's snapshot (Nova's createImage): like `commit` (commit.ts), the container is committed on
 * its host and its `docker save` archive stored as a new Glance image owned by the container's project,
 * but the image carries the name the user chose (any text, as Nova allows) and Nova's snapshot
 * properties; the engine-side repository is Berth's own. A failed snapshot deletes its image again and
 * is recorded in the journal.
 */
import { BerthError } from '../core/errors.js';
import type { ImageActor } from '../image/types.js';
import { signUpload } from '../agent/upload-token.js';
import type { Actor } from './core.js';
import type { CommitDeps } from './commit.js';
import { imageActorOf } from './images.js';

/** A snapshot (engine commit, save and upload) may take this long before it fails. */
const SNAPSHOT_MS = 30 * 60_000;
/** The engine repository snapshots are committed to; the tag is the Glance image id. */
const REPOSITORY = 'berth-snapshot';

const cleaner: ImageActor = { projectId: null, admin: true, allowed: () => true };

export class ContainerSnapshot {
  readonly #d: CommitDeps;

  constructor(deps: CommitDeps) {
    this.#d = deps;
  }

  /** Snapshots container `ident` as image `name`; resolves with the image's id once it is active. */
  async snapshot(who: Actor, ident: string, name: string, properties: Record<string, string>): Promise<{ imageId: string }> {
    const c = await this.#d.core.prepare(who, ident, 'commit');
    if (!c.host_id) throw new BerthError('conflict', `Container ${c.uuid} has no host to snapshot it on.`);
    const image = await this.#d.images.create(imageActorOf(who), {
      name, owner: c.project_id, visibility: 'private', containerFormat: 'docker', diskFormat: 'raw',
      properties: { ...properties, image_type: 'snapshot', instance_uuid: c.uuid },
    });
    const uploadToken = signUpload(this.#d.clusterSecret, image.id, c.host_id, Date.now() + SNAPSHOT_MS);
    try {
      const params = { repository: REPOSITORY, tag: image.id, glanceImageId: image.id, uploadToken };
      await this.#d.hub.call(c.host_id, 'commit', c.uuid, params, SNAPSHOT_MS);
      const stored = await this.#d.images.get(cleaner, image.id);
      if (stored.status !== 'active') throw new BerthError('conflict', `Image ${image.id} is ${stored.status} after the upload.`);
    } catch (e) {
      await this.#d.images.remove(cleaner, image.id, { force: true }).catch((err: unknown) => {
        if (!(err instanceof BerthError && err.code === 'not_found')) this.#d.log.warn({ err, image: image.id }, 'image of a failed snapshot not deleted');
      });
      await this.#d.core.record(who, c, 'createImage', { result: 'Error', message: (e as Error).message });
      throw e;
    }
    await this.#d.core.record(who, c, 'createImage', { result: 'Success' });
    return { imageId: image.id };
  }
}
