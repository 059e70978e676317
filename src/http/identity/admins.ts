import * as repo from '../../store/identity-repo.js';
import { BerthError } from '../../core/errors.js';
import type { Database, Queryable } from '../../store/db.js';

/**
 * The cloud must keep one enabled user holding the admin role. Every change that could remove the last
 * one (deleting or disabling a user, revoking a grant, deleting a role) runs `guardLastAdmin` after
 * taking the `admins` lock in its transaction, so two admins removing each other at once leave one.
 */
export async function lockAdmins(db: Database, trx: Queryable): Promise<void> {
  await db.lock(trx, 'admins');
}

export async function enabledAdmins(q: Queryable): Promise<Set<string>> {
  return repo.enabledAdminIds(q);
}

export async function guardLastAdmin(q: Queryable, what: string): Promise<void> {
  if ((await enabledAdmins(q)).size === 0)
    throw new BerthError('forbidden', `Refusing to ${what}: it would leave the cloud without an enabled admin.`);
}
