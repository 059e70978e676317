import type { Kysely } from 'kysely';

/**
 * Keystone's security compliance:
 * - `users.failed_logins` / `users.last_failed_at`: wrong passwords since the last good login, for lockout;
 * - `users.password_self_service`: 1 when the user set the current password themself (the minimum
 *   password age applies only then);
 * - `password_history`: the scrypt hashes of a user's passwords, newest last, for the unique-password
 *   rule. Never the password itself. `users.password_changed_at` (migration 1) dates the current one.
 */
export async function identityComplianceSchema(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('users').addColumn('last_failed_at', 'text').execute();
  await db.schema.alterTable('users').addColumn('password_self_service', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.createTable('password_history')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('password_history_user').on('password_history').columns(['user_id', 'created_at']).execute();
}
