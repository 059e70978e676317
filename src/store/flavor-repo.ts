import type { Database, Queryable } from './db.js';
import type { FlavorRow } from './schema.js';

/**
 * Flavors as a caller sees them: public ones, private ones (is_public 0) to admins and to the projects on
 * their access list (migration 25); the access list itself; extra specs, one row per key.
 */

export interface FlavorQuery {
  /** true: public flavors and the private ones `projectId` may use; false: private ones only; null: all. */
  isPublic: boolean | null;
  projectId: string;
  minRam?: number; minDisk?: number; marker?: string; limit?: number;
}

export async function listVisibleFlavors(q: Queryable, f: FlavorQuery): Promise<FlavorRow[]> {
  let s = q.selectFrom('flavors').selectAll();
  if (f.isPublic === false) s = s.where('is_public', '=', 0);
  if (f.isPublic === true) {
    s = s.where((eb) => eb.or([
      eb('is_public', '=', 1),
      eb('id', 'in', eb.selectFrom('flavor_access').select('flavor_id').where('project_id', '=', f.projectId)),
    ]));
  }
  if (f.minRam !== undefined) s = s.where('ram', '>=', f.minRam);
  if (f.minDisk !== undefined) s = s.where('disk', '>=', f.minDisk);
  if (f.marker !== undefined) s = s.where('id', '>', f.marker);
  s = s.orderBy('id');
  if (f.limit !== undefined) s = s.limit(f.limit);
  return s.execute();
}

/** A flavor if the caller may see it: any to admins, a private one only to projects on its access list. */
export async function getVisibleFlavor(q: Queryable, id: string, projectId: string, isAdmin: boolean): Promise<FlavorRow | undefined> {
  const f = await q.selectFrom('flavors').selectAll().where('id', '=', id).executeTakeFirst();
  if (!f || f.is_public === 1 || isAdmin) return f;
  return (await hasAccess(q, id, projectId)) ? f : undefined;
}

/** Whether a project may see and use a flavor (server create checks this); false when it does not exist. */
export async function flavorVisibleTo(db: Database, flavorId: string, projectId: string, isAdmin: boolean): Promise<boolean> {
  return (await getVisibleFlavor(db.kysely, flavorId, projectId, isAdmin)) !== undefined;
}

const hasAccess = async (q: Queryable, flavorId: string, projectId: string) =>
  (await q.selectFrom('flavor_access').select('project_id').where('flavor_id', '=', flavorId).where('project_id', '=', projectId).executeTakeFirst()) !== undefined;

export const listAccess = (q: Queryable, flavorId: string) =>
  q.selectFrom('flavor_access').select(['flavor_id', 'project_id']).where('flavor_id', '=', flavorId).orderBy('project_id').execute();
export const addAccess = (q: Queryable, flavorId: string, projectId: string) =>
  q.insertInto('flavor_access').values({ flavor_id: flavorId, project_id: projectId, created_at: new Date().toISOString() }).execute();
export async function removeAccess(q: Queryable, flavorId: string, projectId: string): Promise<boolean> {
  const r = await q.deleteFrom('flavor_access').where('flavor_id', '=', flavorId).where('project_id', '=', projectId).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

export async function extraSpecs(q: Queryable, flavorId: string): Promise<Record<string, string>> {
  const rows = await q.selectFrom('flavor_extra_specs').select(['key', 'value']).where('flavor_id', '=', flavorId).orderBy('key').execute();
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

/** Sets each key (adding or replacing) in one statement per key, inside the caller's transaction. */
export async function setExtraSpecs(q: Queryable, flavorId: string, specs: Record<string, string>): Promise<void> {
  for (const [key, value] of Object.entries(specs)) {
    await q.insertInto('flavor_extra_specs').values({ flavor_id: flavorId, key, value })
      .onConflict((oc) => oc.columns(['flavor_id', 'key']).doUpdateSet({ value })).execute();
  }
}

export async function deleteExtraSpec(q: Queryable, flavorId: string, key: string): Promise<boolean> {
  const r = await q.deleteFrom('flavor_extra_specs').where('flavor_id', '=', flavorId).where('key', '=', key).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

/** Deletes a flavor with its access list and extra specs; false when it did not exist. */
export function deleteFlavor(db: Database, id: string): Promise<boolean> {
  return db.tx(async (t) => {
    await t.deleteFrom('flavor_access').where('flavor_id', '=', id).execute();
    await t.deleteFrom('flavor_extra_specs').where('flavor_id', '=', id).execute();
    const r = await t.deleteFrom('flavors').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  });
}
