import type { Kysely } from 'kysely';

/**
 * The admin-editable part of the service catalog. Berth's own services, endpoints and region are not
 * stored: they follow from the services it serves and the address a client used (identity/catalog.ts).
 * - `catalog_regions`, `catalog_services` (`extra` a JSON object), `catalog_endpoints`;
 * - `catalog_endpoint_groups` (`filters` a JSON object) and the OS-EP-FILTER associations of projects
 *   with endpoints and with endpoint groups.
 */
export async function catalogSchema(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('catalog_regions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('parent_region_id', 'text')
    .addColumn('extra', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema.createTable('catalog_services')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('extra', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema.createTable('catalog_endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addColumn('region_id', 'text')
    .addColumn('interface', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('extra', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema.createTable('catalog_endpoint_groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('filters', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema.createTable('project_endpoints')
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('endpoint_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('project_endpoints_pk', ['project_id', 'endpoint_id'])
    .execute();
  await db.schema.createTable('project_endpoint_groups')
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('endpoint_group_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('project_endpoint_groups_pk', ['project_id', 'endpoint_group_id'])
    .execute();
}
