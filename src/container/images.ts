/**
 * @module What a create needs from the image service. With image_driver `glance`, the image a tenant
 * named (an id or a unique name, under Glance's visibility rules) becomes the spec's engine reference
 * and Glance id, which the host's agent loads on demand; the hosts that already hold it become the
 * placement's preference. The row keeps what the tenant typed, as Zun shows it.
 */
import { BerthError } from '../core/errors.js';
import type { Database } from '../store/db.js';
import { hostsHoldingImage } from '../store/host-image-repo.js';
import { listContainers } from '../store/container-repo.js';
import type { ContainerImages } from '../image/resolve.js';
import type { ImageActor } from '../image/types.js';
import type { Actor, NewContainer } from './core.js';

export class GlanceSource {
  readonly #db: Database;
  readonly #images: ContainerImages;

  constructor(deps: { db: Database; images: ContainerImages }) {
    this.#db = deps.db;
    this.#images = deps.images;
  }

  /** The create with its Glance image resolved; other drivers pass unchanged. */
  async prepare(who: Actor, n: NewContainer): Promise<NewContainer> {
    if (n.imageDriver !== 'glance') return n;
    const { image, ref } = await this.#images.resolve(imageActorOf(who), n.image);
    const holders = await hostsHoldingImage(this.#db.kysely, ref.id);
    return {
      ...n,
      spec: { ...n.spec, image: ref.id, glanceImageId: image.id },
      placement: { ...n.placement, preferHostIds: holders },
      extra: { ...n.extra, glance_image_id: image.id, image_ref: ref.repoTag ?? ref.id },
    };
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The containers (not deleted) that run Glance image `imageId`: those created from it with image_driver
 * glance, whose spec names it. The image service refuses to delete an image while any do.
 */
export async function glanceImageUsers(db: Database, imageId: string): Promise<string[]> {
  const id = imageId.toLowerCase();
  if (!UUID.test(id)) return [];
  // NOTE: every container row is read (image deletes are rare); a query on the spec would read fewer.
  const rows = await listContainers(db.kysely, { sortKey: 'created_at', sortDir: 'asc' });
  return rows.filter((r) => r.image_driver === 'glance' && r.status !== 'Deleted')
    .filter((r) => (JSON.parse(r.spec) as { glanceImageId?: string }).glanceImageId === id).map((r) => r.uuid);
}

/** The container actor as the image service's access rules ask it: a policy denial is a "no". */
export function imageActorOf(who: Actor): ImageActor {
  return {
    projectId: who.projectId,
    admin: who.admin,
    allowed(rule, target) {
      try {
        who.authorize(rule, target);
        return true;
      } catch (e) {
        if (e instanceof BerthError && e.code === 'policy_denied') return false;
        throw e;
      }
    },
  };
}
