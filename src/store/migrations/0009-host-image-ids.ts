import type { Kysely } from 'kysely';

/**
 * The engine id of the image each host_images reference names, so that an image's id and repo tags can
 * be shown together (Zun's image API). Rows from before stay null until their host's next full report.
 */
export async function hostImageIdSchema(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('host_images').addColumn('image_id', 'text').execute();
}
