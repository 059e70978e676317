import type { Kysely } from 'kysely';

/**
 * Private flavors' access list (the projects that may see and use a flavor whose is_public is 0) and
 * flavor extra specs, one row per key; the extra specs written into flavors.extra_specs before are moved
 * here and that column is no longer read.
 */
export async function flavorAccessSchema(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('flavor_access')
    .addColumn('flavor_id', 'text', (c) => c.notNull())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('flavor_access_pk', ['flavor_id', 'project_id'])
    .execute();
  await db.schema.createIndex('flavor_access_project').on('flavor_access').column('project_id').execute();
  await db.schema.createTable('flavor_extra_specs')
    .addColumn('flavor_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('flavor_extra_specs_pk', ['flavor_id', 'key'])
    .execute();
  const rows = await db.selectFrom('flavors').select(['id', 'extra_specs']).execute() as { id: string; extra_specs: string }[];
  for (const r of rows) {
    const specs = Object.entries(JSON.parse(r.extra_specs || '{}') as Record<string, unknown>);
    if (specs.length === 0) continue;
    await db.insertInto('flavor_extra_specs').values(specs.map(([key, value]) => ({ flavor_id: r.id, key, value: String(value) }))).execute();
  }
}
