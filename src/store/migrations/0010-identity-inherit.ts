import type { Kysely } from 'kysely';

/**
 * Keystone's OS-INHERIT: role assignments on a domain or project that apply to the projects beneath it
 * (every project of the domain; every project under the project), not to the target itself. The actor
 * is a user or a group.
 */
export async function identityInheritSchema(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('inherited_assignments')
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('role_id', 'text', (c) => c.notNull().references('roles.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('inherited_assignments_pk', ['actor_type', 'actor_id', 'target_type', 'target_id', 'role_id'])
    .execute();
  await db.schema.createIndex('inherited_assignments_target').on('inherited_assignments').columns(['target_type', 'target_id']).execute();
  await db.schema.createIndex('inherited_assignments_actor').on('inherited_assignments').columns(['actor_type', 'actor_id']).execute();
}
