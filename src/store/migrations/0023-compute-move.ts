import type { Kysely } from 'kysely';

/**
 * A resize that moved its server to another host keeps the claim on the host it left until the resize
 * is confirmed (then given back) or reverted (then the server returns to it): `move_source_host` is that
 * host and `move_source_claim` the claim held there (JSON: cpu, memoryMb, diskGb, containers); both null
 * when no moved resize waits.
 */
export async function computeMoveSchema(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('compute_servers').addColumn('move_source_host', 'text').execute();
  await db.schema.alterTable('compute_servers').addColumn('move_source_claim', 'text').execute();
}
