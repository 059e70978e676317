import type { Queryable } from './db.js';
import type { ApplicationCredentialRow } from './schema.js';

/** Application credentials as stored (the secret only as its hash). */

export const getAppCred = (q: Queryable, id: string) =>
  q.selectFrom('application_credentials').selectAll().where('id', '=', id).executeTakeFirst();
export const getAppCredByName = (q: Queryable, userId: string, name: string) =>
  q.selectFrom('application_credentials').selectAll().where('user_id', '=', userId).where('name', '=', name).executeTakeFirst();
export const listAppCreds = (q: Queryable, userId: string, name?: string) => {
  let s = q.selectFrom('application_credentials').selectAll().where('user_id', '=', userId);
  if (name !== undefined) s = s.where('name', '=', name);
  return s.orderBy('created_at').orderBy('id').execute();
};
export const insertAppCred = (q: Queryable, row: ApplicationCredentialRow) => q.insertInto('application_credentials').values(row).execute();
/** Deletes it and the tokens made with it. */
export const deleteAppCred = async (q: Queryable, id: string) => {
  await q.deleteFrom('tokens').where('app_cred_id', '=', id).execute();
  return Number((await q.deleteFrom('application_credentials').where('id', '=', id).executeTakeFirst()).numDeletedRows);
};
