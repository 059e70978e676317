/**
 * @module
 * A server's snapshot (Nova's createImage): like `commit` (commit.ts), the container is committed on
 * its host and its `docker save` archive stored as a new Glance image owned by the container's project,
 * but the image carries the name the user chose (any text, as Nova allows) and Nova's snapshot
 * properties; the engine-side repository is Berth's own. As in Nova, the caller is answered once the
 * image exists (queued) and the work started; the commit and upload run on in the background, tracked
 * so a server stopping can wait for them (`idle`). A failed snapshot deletes its image again and is
 * recorded in the journal; one whose image its owner deleted meanwhile is cancelled, not failed.
 */
import { BerthError } from '../core/errors.js';
import type { Actor } from './core.js';
import { commitToImage, ImageDeleted, type CommitDeps } from './commit.js';
import type { JournalOutcome } from './rows.js';
import { imageActorOf } from './images.js';

/** A snapshot (engine commit, save and upload) may take this long before it fails. */
const SNAPSHOT_MS = 30 * 60_000;
/** The engine repository snapshots are committed to; the tag is the Glance image id. */
const REPOSITORY = 'berth-snapshot';

/** The snapshot's image properties: Nova's, under the caller's metadata (a caller's image_type stays). Pure. */
export function snapshotProperties(instanceUuid: string, properties: Record<string, string>): Record<string, string> {
  return { image_type: 'snapshot', instance_uuid: instanceUuid, ...properties };
}

/** What the journal records for a snapshot's end: `error` undefined when it succeeded. Pure. */
export function snapshotOutcome(error: unknown): JournalOutcome {
  if (error === undefined) return { result: 'Success' };
  // The image's owner deleted it while it was saving: the snapshot is cancelled, as Nova has it.
  if (error instanceof ImageDeleted) return { result: 'Success' };
  return { result: 'Error', message: error instanceof Error ? error.message : typeof error === 'string' ? error : 'The snapshot failed.' };
}

export interface SnapshotOptions {
  /** Runs once the background work has ended, however it ended (not when `snapshot` itself rejects). */
  ended?: () => Promise<void>;
}

export class ContainerSnapshot {
  readonly #d: CommitDeps;
  readonly #pending = new Set<Promise<void>>();

  constructor(deps: CommitDeps) {
    this.#d = deps;
  }

  /**
   * Starts snapshotting container `ident` as image `name`; resolves with the image's id once the image
   * exists (queued), while the commit and upload go on in the background.
   */
  async snapshot(who: Actor, ident: string, name: string, properties: Record<string, string>, opts: SnapshotOptions = {}): Promise<{ imageId: string }> {
    const c = await this.#d.core.prepare(who, ident, 'commit');
    const hostId = c.host_id;
    if (!hostId) throw new BerthError('conflict', `Container ${c.uuid} has no host to snapshot it on.`);
    const image = await this.#d.images.create(imageActorOf(who), {
      name, owner: c.project_id, visibility: 'private', containerFormat: 'docker', diskFormat: 'raw',
      properties: snapshotProperties(c.uuid, properties),
    });
    const run = async () => {
      let error: unknown;
      try {
        await commitToImage(this.#d, c.uuid, hostId, image.id, { repository: REPOSITORY, tag: image.id }, SNAPSHOT_MS);
      } catch (e) {
        error = e;
      }
      // The server is free again as soon as the work ends (before the journal, which takes a write more).
      await opts.ended?.().catch((err: unknown) => this.#d.log.warn({ err, uuid: c.uuid }, 'snapshot end not recorded'));
      if (error instanceof ImageDeleted) this.#d.log.info({ uuid: c.uuid, image: image.id }, 'snapshot cancelled: its image was deleted');
      else if (error !== undefined) this.#d.log.warn({ err: error, uuid: c.uuid, image: image.id }, 'snapshot failed');
      await this.#d.core.record(who, c, 'createImage', snapshotOutcome(error));
    };
    const work = run().catch((err: unknown) => this.#d.log.warn({ err, uuid: c.uuid }, 'snapshot not recorded'));
    this.#pending.add(work);
    void work.finally(() => this.#pending.delete(work));
    return { imageId: image.id };
  }

  /** Resolves once every snapshot under way has ended. */
  async idle(): Promise<void> {
    await Promise.all([...this.#pending]);
  }
}
