import type { Database, Queryable } from './db.js';
import type { CredentialRow } from './schema.js';
import { getSetting, putSetting } from './identity-repo.js';

/** Keystone credentials as stored: `blob` is always sealed (see identity/secret-box). */

export const getCredential = (q: Queryable, id: string) =>
  q.selectFrom('credentials').selectAll().where('id', '=', id).executeTakeFirst();
export const listCredentials = (q: Queryable, f: { userId?: string; type?: string } = {}) => {
  let s = q.selectFrom('credentials').selectAll();
  if (f.userId !== undefined) s = s.where('user_id', '=', f.userId);
  if (f.type !== undefined) s = s.where('type', '=', f.type);
  return s.orderBy('created_at').orderBy('id').execute();
};
export const insertCredential = (q: Queryable, row: CredentialRow) => q.insertInto('credentials').values(row).execute();
export const updateCredential = (q: Queryable, id: string, set: Partial<Omit<CredentialRow, 'id' | 'created_at'>>) =>
  q.updateTable('credentials').set(set).where('id', '=', id).execute();
export const deleteCredential = async (q: Queryable, id: string) =>
  Number((await q.deleteFrom('credentials').where('id', '=', id).executeTakeFirst()).numDeletedRows);
export const deleteCredentialsOfProject = (q: Queryable, projectId: string) =>
  q.deleteFrom('credentials').where('project_id', '=', projectId).execute();

/** The key credential blobs are sealed with: made once per cloud by `make` and kept in the settings. */
export async function credentialKey(db: Database, make: () => string): Promise<string> {
  const existing = await getSetting(db.kysely, 'credential_key');
  if (existing) return existing;
  return db.tx(async (trx) => {
    await db.lock(trx, 'credential_key');
    const again = await getSetting(trx, 'credential_key');
    if (again) return again;
    const key = make();
    await putSetting(trx, 'credential_key', key);
    return key;
  });
}
