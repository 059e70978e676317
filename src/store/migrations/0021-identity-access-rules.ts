import type { Kysely } from 'kysely';

/**
 * Keystone's application credential access rules.
 * - `access_rules`: a user's rules (service type, HTTP method, path pattern), one row per distinct rule
 *   of a user, shared by the application credentials that name it; a rule outlives its credentials
 *   until its user deletes it, as in Keystone.
 * - `application_credential_access_rules`: which rules an application credential is limited to, in the
 *   order it named them (`position`).
 */
export async function identityAccessRulesSchema(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('access_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('access_rules_user_rule', ['user_id', 'service', 'method', 'path'])
    .execute();
  await db.schema.createTable('application_credential_access_rules')
    .addColumn('app_cred_id', 'text', (c) => c.notNull().references('application_credentials.id').onDelete('cascade'))
    .addColumn('access_rule_id', 'text', (c) => c.notNull().references('access_rules.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('application_credential_access_rules_pk', ['app_cred_id', 'access_rule_id'])
    .execute();
  await db.schema.createIndex('application_credential_access_rules_rule').on('application_credential_access_rules').column('access_rule_id').execute();
}
