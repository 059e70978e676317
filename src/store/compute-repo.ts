import type { Queryable } from './db.js';
import type { ComputeServerRow, FlavorRow, KeypairRow } from './schema.js';

/** Plain queries of the compute face: flavors, what a server adds to its container, keypairs. */

export interface FlavorFilter { isPublic?: boolean; minRam?: number; minDisk?: number; marker?: string; limit?: number }

export const listFlavors = (q: Queryable, f: FlavorFilter) => {
  let s = q.selectFrom('flavors').selectAll();
  if (f.isPublic !== undefined) s = s.where('is_public', '=', f.isPublic ? 1 : 0);
  if (f.minRam !== undefined) s = s.where('ram', '>=', f.minRam);
  if (f.minDisk !== undefined) s = s.where('disk', '>=', f.minDisk);
  if (f.marker !== undefined) s = s.where('id', '>', f.marker);
  s = s.orderBy('id');
  if (f.limit !== undefined) s = s.limit(f.limit);
  return s.execute();
};
export const getFlavor = (q: Queryable, id: string) => q.selectFrom('flavors').selectAll().where('id', '=', id).executeTakeFirst();
export const getFlavorByName = (q: Queryable, name: string) => q.selectFrom('flavors').selectAll().where('name', '=', name).executeTakeFirst();
export const insertFlavor = (q: Queryable, row: FlavorRow) => q.insertInto('flavors').values(row).execute();
export async function deleteFlavor(q: Queryable, id: string): Promise<boolean> {
  return Number((await q.deleteFrom('flavors').where('id', '=', id).executeTakeFirst()).numDeletedRows) === 1;
}

export const getServer = (q: Queryable, uuid: string) => q.selectFrom('compute_servers').selectAll().where('uuid', '=', uuid).executeTakeFirst();
export const serversByUuid = (q: Queryable, uuids: readonly string[]) =>
  uuids.length === 0 ? Promise.resolve([] as ComputeServerRow[]) : q.selectFrom('compute_servers').selectAll().where('uuid', 'in', uuids).execute();
export const insertServer = (q: Queryable, row: ComputeServerRow) => q.insertInto('compute_servers').values(row).execute();
export const updateServer = (q: Queryable, uuid: string, set: Partial<Omit<ComputeServerRow, 'uuid'>>) =>
  q.updateTable('compute_servers').set(set).where('uuid', '=', uuid).execute();
export const deleteServer = (q: Queryable, uuid: string) => q.deleteFrom('compute_servers').where('uuid', '=', uuid).execute();

export const listKeypairs = (q: Queryable, userId: string) => q.selectFrom('keypairs').selectAll().where('user_id', '=', userId).orderBy('name').execute();
export const getKeypair = (q: Queryable, userId: string, name: string) =>
  q.selectFrom('keypairs').selectAll().where('user_id', '=', userId).where('name', '=', name).executeTakeFirst();
export const insertKeypair = (q: Queryable, row: KeypairRow) => q.insertInto('keypairs').values(row).execute();
export async function deleteKeypair(q: Queryable, userId: string, name: string): Promise<boolean> {
  return Number((await q.deleteFrom('keypairs').where('user_id', '=', userId).where('name', '=', name).executeTakeFirst()).numDeletedRows) === 1;
}
