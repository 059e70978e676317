/**
 * @module
 * `commit`: a container saved as a new Glance image, nova-docker's snapshot flow as Zun has it. The
 * image is created queued, owned by the container's project (name: the repository; the tag as its
 * tag; container_format docker, disk_format raw, private); the container's host then runs
 * `docker commit` and streams the `docker save` archive to a server, which stores it through the image
 * service's upload (queued → saving → active). If any step fails the image is deleted again, so a
 * failed commit leaves neither an image nor data behind. The journal records the commit and its outcome.
 */
import { BerthError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { ImageService } from '../image/service.js';
import type { ImageActor } from '../image/types.js';
import type { AgentHub } from '../server/hub.js';
import { signUpload } from '../agent/upload-token.js';
import type { Actor, ContainerCore } from './core.js';
import { imageActorOf } from './images.js';

/** A commit (engine commit, save and upload) may take this long before it fails. */
const COMMIT_MS = 30 * 60_000;

/** Docker's grammar for a repository (lowercase path components) and a tag. */
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export interface CommitTarget { repository: string; tag: string }

/**
 * What `repository` and `tag` of a commit name, checked as Docker would (the tag defaults to latest, as
 * in Zun); a bad name is a 400 before anything is created. Pure.
 */
export function commitTarget(repository: string, tag: string | undefined): CommitTarget {
  const t = tag === undefined || tag === '' ? 'latest' : tag;
  if (repository.length > 255 || !REPOSITORY.test(repository)) {
    throw new BerthError('bad_request', `Invalid repository "${repository}": use lowercase letters, digits and separators (. _ - /), as Docker requires.`);
  }
  if (!TAG.test(t)) throw new BerthError('bad_request', `Invalid tag "${t}": up to 128 letters, digits, _ . and -, not starting with . or -.`);
  return { repository, tag: t };
}

export interface CommitDeps {
  core: ContainerCore;
  hub: AgentHub;
  images: ImageService;
  clusterSecret: string;
  log: Logger;
}

/** The image a commit uploads into was deleted before the commit ended. */
export class ImageDeleted extends BerthError {
  constructor(imageId: string) {
    super('conflict', `Image ${imageId} was deleted before the commit ended.`);
  }
}

/** The server cleaning up after a failed commit: the image it created itself. */
const cleaner: ImageActor = { projectId: null, admin: true, allowed: () => true };

/**
 * Commits container `uuid` on `hostId` as `target` and uploads it into the queued image `imageId`;
 * resolves once the image is active. On failure the image is deleted and the error thrown again, or,
 * when the image was already deleted (by its owner, while it was saving), `ImageDeleted`. Shared by
 * `commit` and the snapshot (snapshot.ts).
 */
export async function commitToImage(d: CommitDeps, uuid: string, hostId: string, imageId: string, target: CommitTarget, timeoutMs: number): Promise<void> {
  const uploadToken = signUpload(d.clusterSecret, imageId, hostId, Date.now() + timeoutMs);
  try {
    await d.hub.call(hostId, 'commit', uuid, { ...target, glanceImageId: imageId, uploadToken }, timeoutMs);
    const stored = await d.images.get(cleaner, imageId);
    if (stored.status !== 'active') throw new BerthError('conflict', `Image ${imageId} is ${stored.status} after the upload.`);
  } catch (e) {
    const gone = await d.images.remove(cleaner, imageId, { force: true }).then(() => false, (err: unknown) => {
      if (err instanceof BerthError && err.code === 'not_found') return true;
      d.log.warn({ err, image: imageId }, 'image of a failed commit not deleted');
      return false;
    });
    throw gone ? new ImageDeleted(imageId) : e;
  }
}

export class ContainerCommit {
  readonly #d: CommitDeps;

  constructor(deps: CommitDeps) {
    this.#d = deps;
  }

  /** Commits the container `ident` as a new image; returns the image's id once it is active. */
  async commit(who: Actor, ident: string, repository: string, tag: string | undefined): Promise<{ imageId: string }> {
    const target = commitTarget(repository, tag);
    const c = await this.#d.core.prepare(who, ident, 'commit');
    if (!c.host_id) throw new BerthError('conflict', `Container ${c.uuid} has no host to commit it on.`);
    const image = await this.#d.images.create(imageActorOf(who), {
      name: target.repository, tags: [target.tag], owner: c.project_id, visibility: 'private',
      containerFormat: 'docker', diskFormat: 'raw',
    });
    try {
      await commitToImage(this.#d, c.uuid, c.host_id, image.id, target, COMMIT_MS);
    } catch (e) {
      await this.#d.core.record(who, c, 'commit', { result: 'Error', message: (e as Error).message });
      throw e;
    }
    await this.#d.core.record(who, c, 'commit', { result: 'Success' });
    return { imageId: image.id };
  }
}
