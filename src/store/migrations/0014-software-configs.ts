import type { Kysely } from 'kysely';

/**
 * Software configs and deployments of the orchestration service (Heat's /software_configs and
 * /software_deployments), stored and served as Heat does. A config is immutable (`body` holds its config,
 * inputs, outputs and options as JSON); a deployment ties a config to a server id with its own
 * action/status and input/output values.
 */
export async function softwareConfigSchema(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('software_configs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('group_name', 'text', (c) => c.notNull().defaultTo('Heat::Ungrouped'))
    .addColumn('body', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('software_configs_project').on('software_configs').columns(['project_id', 'created_at']).execute();
  await db.schema.createTable('software_deployments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('config_id', 'text', (c) => c.notNull())
    .addColumn('server_id', 'text', (c) => c.notNull())
    .addColumn('input_values', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('output_values', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text')
    .execute();
  await db.schema.createIndex('software_deployments_server').on('software_deployments').columns(['project_id', 'server_id']).execute();
}
