import type { Queryable } from './db.js';

/**
 * Which server snapshots run (compute_servers.snapshot_by, migration 26), shared by every Berth server
 * of the cloud: a snapshot belongs to the server process that runs it, and one whose process stopped
 * heartbeating (its `servers` row gone or older than `liveSince`) is stale and counts as ended.
 */

/** The ids of servers whose heartbeat is at or after `liveSince` (ISO time). */
const liveServers = (q: Queryable, liveSince: string) => q.selectFrom('servers').select('id').where('last_seen_at', '>=', liveSince);

/**
 * Marks a snapshot of server `uuid` run by `serverId`; false when one already runs (by this server or
 * by another live one). A stale mark is taken over. The row must exist.
 */
export async function claimSnapshot(q: Queryable, uuid: string, serverId: string, liveSince: string): Promise<boolean> {
  const res = await q.updateTable('compute_servers').set({ snapshot_by: serverId })
    .where('uuid', '=', uuid)
    .where((eb) => eb.or([
      eb('snapshot_by', 'is', null),
      eb.and([eb('snapshot_by', '!=', serverId), eb('snapshot_by', 'not in', liveServers(q, liveSince))]),
    ]))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Ends the snapshot of server `uuid` that `serverId` marked (a mark taken over since stays). */
export const endSnapshot = (q: Queryable, uuid: string, serverId: string) =>
  q.updateTable('compute_servers').set({ snapshot_by: null }).where('uuid', '=', uuid).where('snapshot_by', '=', serverId).execute();

/** Ends every snapshot whose server is not live (crashed mid-snapshot); how many there were. */
export async function endStaleSnapshots(q: Queryable, liveSince: string): Promise<number> {
  const res = await q.updateTable('compute_servers').set({ snapshot_by: null })
    .where('snapshot_by', 'is not', null).where('snapshot_by', 'not in', liveServers(q, liveSince))
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}
