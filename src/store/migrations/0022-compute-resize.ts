import type { Kysely } from 'kysely';

/**
 * A resized server waiting for its confirmation (Nova's VERIFY_RESIZE): `resize_from` is the flavor it
 * had before, which a revert restores; null when no resize waits.
 */
export async function computeResizeSchema(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('compute_servers').addColumn('resize_from', 'text').execute();
}
