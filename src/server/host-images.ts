/**
 * @module
 * What an agent's `images` report becomes in the database: a row per reference each image is known by
 * (its id and every repo tag), so a container's image is found whichever of them it names.
 */
import type { Database } from '../store/db.js';
import type { HostImageRow } from '../store/schema.js';
import { storeHostImages } from '../store/host-image-repo.js';
import type { HostImage } from '../agent/protocol.js';

const text = (v: unknown, max = 500): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;

/** The rows of one report; malformed entries are skipped. */
export function hostImageRows(hostId: string, images: unknown, now: string): HostImageRow[] {
  if (!Array.isArray(images)) return [];
  return (images as Partial<HostImage>[]).flatMap((i) => {
    if (!i || !text(i.id)) return [];
    const glance = text(i.glanceImageId, 64) ? i.glanceImageId : null;
    const size = typeof i.size === 'number' && Number.isFinite(i.size) && i.size >= 0 ? Math.floor(i.size) : 0;
    const tags = Array.isArray(i.tags) ? i.tags.filter((t) => text(t)) : [];
    return [i.id, ...tags].map((ref) => ({ host_id: hostId, image_ref: ref, glance_image_id: glance, size, updated_at: now, image_id: i.id }));
  });
}

/** Stores an agent's report of its engine's images (all of them when `full`). */
export function recordHostImages(db: Database, hostId: string, images: unknown, full: boolean): Promise<void> {
  return storeHostImages(db, hostId, hostImageRows(hostId, images, new Date().toISOString()), full);
}
