import type { Queryable } from './db.js';
import type { AccessRuleRow, ApplicationCredentialRow } from './schema.js';

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

/** Access rules (migration 21): a user's, one row per distinct rule, linked to the credentials limited to them. */
export const listAccessRules = (q: Queryable, userId: string, f: { service?: string; method?: string; path?: string } = {}) => {
  let s = q.selectFrom('access_rules').selectAll().where('user_id', '=', userId);
  if (f.service !== undefined) s = s.where('service', '=', f.service);
  if (f.method !== undefined) s = s.where('method', '=', f.method);
  if (f.path !== undefined) s = s.where('path', '=', f.path);
  return s.orderBy('created_at').orderBy('id').execute();
};
export const getAccessRule = (q: Queryable, id: string) => q.selectFrom('access_rules').selectAll().where('id', '=', id).executeTakeFirst();
export const findAccessRule = (q: Queryable, userId: string, r: { service: string; method: string; path: string }) =>
  q.selectFrom('access_rules').selectAll().where('user_id', '=', userId).where('service', '=', r.service)
    .where('method', '=', r.method).where('path', '=', r.path).executeTakeFirst();
export const insertAccessRule = (q: Queryable, row: AccessRuleRow) => q.insertInto('access_rules').values(row).execute();
export const linkAccessRule = (q: Queryable, appCredId: string, accessRuleId: string, position: number) =>
  q.insertInto('application_credential_access_rules').values({ app_cred_id: appCredId, access_rule_id: accessRuleId, position }).execute();
/** The rules an application credential is limited to (none: it is not limited). */
export const accessRulesOf = (q: Queryable, appCredId: string) =>
  q.selectFrom('application_credential_access_rules as l').innerJoin('access_rules as r', 'r.id', 'l.access_rule_id')
    .select(['r.id', 'r.user_id', 'r.service', 'r.method', 'r.path', 'r.created_at'])
    .where('l.app_cred_id', '=', appCredId).orderBy('l.position').execute();
export const accessRuleInUse = async (q: Queryable, accessRuleId: string) =>
  (await q.selectFrom('application_credential_access_rules').select('app_cred_id').where('access_rule_id', '=', accessRuleId).executeTakeFirst()) !== undefined;
export const deleteAccessRule = (q: Queryable, id: string) => q.deleteFrom('access_rules').where('id', '=', id).execute();
