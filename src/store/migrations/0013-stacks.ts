import type { Kysely } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * Stacks (the orchestration service): the desired stack (template, files, environment, parameters as
 * given) with Heat's action/status and a generation that grows with every request that changes it; a
 * lease (`owner`, `lease_until`) says which server's controller converges it now. Stack resources hold
 * what the controller made or means to make (`intended` is the name of the physical object, written
 * before it is created, so a restart finds it instead of making a second one). Events are ordered by
 * `seq`, which also serves as the page marker's position.
 */
export async function stackSchema(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema.createTable('stacks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('roles', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('template', 'text', (c) => c.notNull())
    .addColumn('files', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('environment', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('parameters', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('previous', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('timeout_mins', 'integer')
    .addColumn('disable_rollback', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('generation', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text')
    .execute();
  await db.schema.createIndex('stacks_project_name').unique().on('stacks').columns(['project_id', 'name']).execute();
  await db.schema.createIndex('stacks_status').on('stacks').columns(['status']).execute();
  await db.schema.createTable('stack_resources')
    .addColumn('stack_id', 'text', (c) => c.notNull().references('stacks.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('physical_id', 'text')
    .addColumn('intended', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('definition', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('properties', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('attributes', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('required_by', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text')
    .addPrimaryKeyConstraint('stack_resources_pk', ['stack_id', 'name'])
    .execute();
  await db.schema.createTable('stack_events')
    .addColumn('seq', dialect === 'postgres' ? 'serial' : 'integer', (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('stack_id', 'text', (c) => c.notNull().references('stacks.id').onDelete('cascade'))
    .addColumn('resource_name', 'text', (c) => c.notNull())
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('physical_id', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('stack_events_stack').on('stack_events').columns(['stack_id', 'seq']).execute();
}
