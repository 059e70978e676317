import type { Kysely } from 'kysely';

/**
 * Keystone's credentials API and application credentials.
 * - `credentials`: the blob is a secret (an EC2 secret key, a TOTP seed): only its AES-256-GCM
 *   ciphertext is stored (`blob`), under a key Berth keeps in its settings.
 * - `application_credentials`: a user's delegated login to one project with some of their roles (JSON
 *   array of role ids); only the scrypt hash of its secret is stored. A token made with one names it
 *   (`tokens.app_cred_id`), so its roles stay within the application credential's.
 */
export async function identityCredentialsSchema(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('credentials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('project_id', 'text')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('blob', 'text', (c) => c.notNull())
    .addColumn('extra', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('credentials_user').on('credentials').column('user_id').execute();
  await db.schema.createTable('application_credentials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('unrestricted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('roles', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('application_credentials_user_name', ['user_id', 'name'])
    .execute();
  await db.schema.alterTable('tokens').addColumn('app_cred_id', 'text').execute();
}
