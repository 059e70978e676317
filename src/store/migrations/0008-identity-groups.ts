import type { Kysely } from 'kysely';

/**
 * Keystone's extra attributes and groups. `extra` holds, as a JSON object, the attributes a client sent
 * on a user or project that Berth has no column for (Keystone stores and echoes them). Groups live in a
 * domain; a member is a user; a group's role assignments sit in their own table, beside the users'.
 */
export async function identityGroupsSchema(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('extra', 'text', (c) => c.notNull().defaultTo('{}')).execute();
  await db.schema.alterTable('projects').addColumn('extra', 'text', (c) => c.notNull().defaultTo('{}')).execute();
  await db.schema.createTable('groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('domain_id', 'text', (c) => c.notNull().references('domains.id'))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('groups_domain_name', ['domain_id', 'name'])
    .execute();
  await db.schema.createTable('group_members')
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'user_id'])
    .execute();
  await db.schema.createIndex('group_members_user').on('group_members').column('user_id').execute();
  await db.schema.createTable('group_assignments')
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('role_id', 'text', (c) => c.notNull().references('roles.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('group_assignments_pk', ['group_id', 'target_type', 'target_id', 'role_id'])
    .execute();
  await db.schema.createIndex('group_assignments_target').on('group_assignments').columns(['target_type', 'target_id']).execute();
}
