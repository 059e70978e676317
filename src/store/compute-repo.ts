import type { Queryable } from './db.js';
import type { ComputeServerRow, FlavorRow, KeypairRow } from './schema.js';
import type { Claim } from './container-repo.js';

/** Plain queries of the compute face: flavors, what a server adds to its container, keypairs. */

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

/** A claim a moved resize keeps on the host it left, as compute_servers records it (migration 23). */
export interface MoveHold { hostId: string; claim: Claim }

/** The hold recorded for a server; undefined when no moved resize waits. */
export function moveHoldOf(s: Pick<ComputeServerRow, 'move_source_host' | 'move_source_claim'> | undefined): MoveHold | undefined {
  if (!s?.move_source_host || !s.move_source_claim) return undefined;
  return { hostId: s.move_source_host, claim: JSON.parse(s.move_source_claim) as Claim };
}

/** The columns that record `hold` (or, with null, that no moved resize waits). */
export const moveHoldColumns = (hold: MoveHold | null) =>
  ({ move_source_host: hold?.hostId ?? null, move_source_claim: hold ? JSON.stringify(hold.claim) : null });

/**
 * Ends the moved resize that holds a claim on `hostId` for server `uuid`, writing `set` with it; false
 * when that hold is no longer recorded (a confirm or revert got there first).
 */
export async function endMoveIf(q: Queryable, uuid: string, hostId: string, set: Partial<Omit<ComputeServerRow, 'uuid'>> = {}): Promise<boolean> {
  const res = await q.updateTable('compute_servers').set({ ...set, ...moveHoldColumns(null) })
    .where('uuid', '=', uuid).where('move_source_host', '=', hostId).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Holds of moved resizes whose container is gone (deleted while the resize waited). */
export async function orphanedMoveHolds(q: Queryable): Promise<{ uuid: string; hold: MoveHold }[]> {
  const rows = await q.selectFrom('compute_servers as s')
    .leftJoin('containers as c', (j) => j.onRef('c.uuid', '=', 's.uuid').on('c.deleted', '=', 0))
    .select(['s.uuid', 's.move_source_host', 's.move_source_claim'])
    .where('s.move_source_host', 'is not', null).where('c.uuid', 'is', null).execute();
  return rows.flatMap((r) => {
    const hold = moveHoldOf(r);
    return hold ? [{ uuid: r.uuid, hold }] : [];
  });
}

/** The moved resizes' holds as the container core's move sees them (see container/move.ts). */
export const moveHolds = {
  orphaned: orphanedMoveHolds,
  drop: (q: Queryable, uuid: string, hostId: string) => endMoveIf(q, uuid, hostId, { resize_from: null }),
};

export const listKeypairs = (q: Queryable, userId: string) => q.selectFrom('keypairs').selectAll().where('user_id', '=', userId).orderBy('name').execute();
export const getKeypair = (q: Queryable, userId: string, name: string) =>
  q.selectFrom('keypairs').selectAll().where('user_id', '=', userId).where('name', '=', name).executeTakeFirst();
export const insertKeypair = (q: Queryable, row: KeypairRow) => q.insertInto('keypairs').values(row).execute();
export async function deleteKeypair(q: Queryable, userId: string, name: string): Promise<boolean> {
  return Number((await q.deleteFrom('keypairs').where('user_id', '=', userId).where('name', '=', name).executeTakeFirst()).numDeletedRows) === 1;
}
