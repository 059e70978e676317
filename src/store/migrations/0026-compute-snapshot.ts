import type { Kysely } from 'kysely';

/**
 * A server being snapshotted (Nova's task_state image_snapshot): `snapshot_by` is the Berth server
 * process (its `servers` id) that runs the snapshot; null when none runs. A value naming a server that
 * is no longer running is stale: a snapshot cut short by a crash.
 */
export async function computeSnapshotSchema(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('compute_servers').addColumn('snapshot_by', 'text').execute();
}
