/**
 * @module
 * On a cloud's first start with a local engine, its busybox image (which `npm start` imports into the
 * engine) becomes a public image named `busybox` in the image service, owned by the admin project:
 * the engine's `docker save` streams straight into the image store. Done once per cloud (a setting
 * records it); a failure is logged and tried again at the next start.
 */
import type { Logger } from '../core/log.js';
import type { Database } from '../store/db.js';
import { findImageByName } from '../store/image-repo.js';
import { getProjectByName, getSetting, putSetting } from '../store/identity-repo.js';
import { saveImage } from '../engine/save.js';
import type { ImageService } from './service.js';
import type { ImageTransfer } from './transfer.js';
import type { ImageActor } from './types.js';

const SETTING = 'image_seeded';

export interface SeedOptions {
  db: Database;
  images: ImageService;
  transfer: ImageTransfer;
  /** The local engine (unix:///… or tcp://…). */
  engine: string;
  /** The engine's image, and the image service's name for it. */
  ref: string;
  name: string;
  log: Logger;
  signal: AbortSignal;
}

/** Registers the engine's `ref` as a public image `name`, unless this cloud did so already. */
export async function seedImage(o: SeedOptions): Promise<void> {
  const q = o.db.kysely;
  if ((await getSetting(q, SETTING)) !== undefined) return;
  const admin = await getProjectByName(q, 'default', 'admin');
  if (!admin) return;
  const existing = await findImageByName(q, o.name);
  if (existing) {
    await putSetting(q, SETTING, existing.id);
    return;
  }
  const data = await saveImage(o.engine, o.ref, o.signal);
  const actor: ImageActor = { projectId: admin.id, admin: true, allowed: () => true };
  const image = await o.images.create(actor, {
    name: o.name, containerFormat: 'docker', diskFormat: 'raw', visibility: 'public', properties: { source: `docker save ${o.ref}` },
  });
  try {
    await o.transfer.upload(actor, image.id, data);
  } catch (e) {
    data.destroy();
    await o.images.remove(actor, image.id).catch(() => undefined);
    throw e;
  }
  await putSetting(q, SETTING, image.id);
  o.log.info({ image: image.id, name: o.name }, 'engine image registered in the image service');
}
