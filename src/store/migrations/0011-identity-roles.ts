import type { Kysely } from 'kysely';

/**
 * Keystone's implied roles, domain-specific roles and system role assignments.
 * - `roles.domain_id`: null for a global role, else the domain that owns the role. `roles.name` stays
 *   unique over the table (migration 1), so a domain-specific role is stored under its name qualified
 *   with its domain (see identity-repo's `storedRoleName`); readers get the plain name back.
 * - `role_inferences`: holding the prior role also grants the implied one (one level; chains follow).
 * - `system_assignments`: roles on the system scope, to a user or a group.
 */
export async function identityRolesSchema(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('roles').addColumn('domain_id', 'text').execute();
  await db.schema.createTable('role_inferences')
    .addColumn('prior_role_id', 'text', (c) => c.notNull().references('roles.id').onDelete('cascade'))
    .addColumn('implied_role_id', 'text', (c) => c.notNull().references('roles.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('role_inferences_pk', ['prior_role_id', 'implied_role_id'])
    .execute();
  await db.schema.createTable('system_assignments')
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('role_id', 'text', (c) => c.notNull().references('roles.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('system_assignments_pk', ['actor_type', 'actor_id', 'role_id'])
    .execute();
}
