import { sql } from 'kysely';
import type { Database, Queryable } from './db.js';
import type { HostImageRow } from './schema.js';

/** Queries over the images hosts' engines hold (see migration 7). */

/** Rows inserted per statement (6 parameters each: well under either database's limit). */
const CHUNK = 400;

async function insertRows(q: Queryable, rows: HostImageRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await q.insertInto('host_images').values(rows.slice(i, i + CHUNK))
      .onConflict((c) => c.columns(['host_id', 'image_ref']).doUpdateSet({
        size: (e) => e.ref('excluded.size'),
        updated_at: (e) => e.ref('excluded.updated_at'),
        image_id: sql<string | null>`coalesce(excluded.image_id, host_images.image_id)`,
        // A report that does not know the Glance image keeps the one recorded before.
        glance_image_id: sql<string | null>`coalesce(excluded.glance_image_id, host_images.glance_image_id)`,
      }))
      .execute();
  }
}

/**
 * Records what a host's engine holds. `full`: these are all its images, so rows of others are removed
 * (in the same transaction); otherwise the rows are added or refreshed. A Glance image id already
 * recorded for a reference is kept when the report does not name one.
 */
export async function storeHostImages(db: Database, hostId: string, rows: HostImageRow[], full: boolean): Promise<void> {
  const unique = [...new Map(rows.map((r) => [r.image_ref, r])).values()];
  if (!full) {
    await insertRows(db.kysely, unique);
    return;
  }
  await db.tx(async (trx) => {
    const keep = new Set(unique.map((r) => r.image_ref));
    const stored = await trx.selectFrom('host_images').select('image_ref').where('host_id', '=', hostId).execute();
    const gone = stored.map((r) => r.image_ref).filter((ref) => !keep.has(ref));
    for (let i = 0; i < gone.length; i += CHUNK) {
      await trx.deleteFrom('host_images').where('host_id', '=', hostId).where('image_ref', 'in', gone.slice(i, i + CHUNK)).execute();
    }
    await insertRows(trx, unique);
  });
}

/** The hosts whose engine holds an image known by `ref`. */
export async function hostsHoldingImage(q: Queryable, ref: string): Promise<string[]> {
  const rows = await q.selectFrom('host_images').select('host_id').where('image_ref', '=', ref).execute();
  return rows.map((r) => r.host_id);
}

/** Every reference a host's engine holds, by reference. */
export const listHostImages = (q: Queryable, hostId: string) =>
  q.selectFrom('host_images').selectAll().where('host_id', '=', hostId).orderBy('image_ref').execute();

/** Every reference every host's engine holds (the image API groups them by host and image id). */
export const listAllHostImages = (q: Queryable) =>
  q.selectFrom('host_images').selectAll().orderBy('host_id').orderBy('image_ref').execute();

/** Forgets an image on a host (its agent removed it; its next full report says the same). */
export const forgetHostImage = (q: Queryable, hostId: string, imageId: string) =>
  q.deleteFrom('host_images').where('host_id', '=', hostId).where((e) => e.or([e('image_id', '=', imageId), e('image_ref', '=', imageId)])).execute();

/** The containers placed on a host, with what they run (an image in use there cannot be removed). */
export const containersOnHost = (q: Queryable, hostId: string) =>
  q.selectFrom('containers').select(['uuid', 'image', 'spec', 'status']).where('host_id', '=', hostId).execute();
