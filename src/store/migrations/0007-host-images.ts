import type { Kysely } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * The images each host's engine holds, as its agent reports them: one row per reference the engine
 * knows an image by (its id `sha256:…` and each repo tag), with the Glance image it was loaded from when
 * the agent knows it. The scheduler prefers hosts that already hold a container's image.
 */
export async function hostImageSchema(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema.createTable('host_images')
    .addColumn('host_id', 'text', (c) => c.notNull().references('hosts.id').onDelete('cascade'))
    .addColumn('image_ref', 'text', (c) => c.notNull())
    .addColumn('glance_image_id', 'text')
    .addColumn('size', big, (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('host_images_pk', ['host_id', 'image_ref'])
    .execute();
  await db.schema.createIndex('host_images_ref').on('host_images').columns(['image_ref']).execute();
}
