import type { Queryable } from './db.js';

/** A user's password hashes, newest first (see migration 20). */
export const latestPasswordHashes = async (q: Queryable, userId: string, limit: number): Promise<string[]> =>
  limit <= 0 ? [] : (await q.selectFrom('password_history').select('hash').where('user_id', '=', userId)
    .orderBy('created_at', 'desc').limit(limit).execute()).map((r) => r.hash);

/** Records a new password hash and keeps only the newest `keep` of the user's. */
export async function recordPasswordHash(q: Queryable, userId: string, hash: string, at: string, keep: number): Promise<void> {
  await q.insertInto('password_history').values({ user_id: userId, hash, created_at: at }).execute();
  const kept = await q.selectFrom('password_history').select('created_at').where('user_id', '=', userId)
    .orderBy('created_at', 'desc').limit(1).offset(keep - 1).executeTakeFirst();
  if (kept) await q.deleteFrom('password_history').where('user_id', '=', userId).where('created_at', '<', kept.created_at).execute();
}

/** Counts a wrong password; returns nothing. */
export const recordFailedLogin = (q: Queryable, userId: string, at: string) =>
  q.updateTable('users').set((eb) => ({ failed_logins: eb('failed_logins', '+', 1), last_failed_at: at })).where('id', '=', userId).execute();

export const resetFailedLogins = (q: Queryable, userId: string) =>
  q.updateTable('users').set({ failed_logins: 0, last_failed_at: null }).where('id', '=', userId).execute();
