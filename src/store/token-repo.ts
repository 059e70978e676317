import type { Queryable } from './db.js';
import type { TokenRow } from './schema.js';

/** Plain queries over tokens (stored by the SHA-256 of the token, never the token itself). */

export const insertToken = (q: Queryable, row: TokenRow) => q.insertInto('tokens').values(row).execute();

export async function deleteToken(q: Queryable, hash: string): Promise<boolean> {
  const r = await q.deleteFrom('tokens').where('hash', '=', hash).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Deletes the tokens of a user, a project or a domain, or a user's tokens on one project or domain. */
export const deleteTokensOf = (q: Queryable, f: { userId?: string; projectId?: string; domainId?: string }) => {
  let d = q.deleteFrom('tokens');
  if (f.userId !== undefined) d = d.where('user_id', '=', f.userId);
  if (f.projectId !== undefined) d = d.where('project_id', '=', f.projectId);
  if (f.domainId !== undefined) d = d.where('domain_id', '=', f.domainId);
  return d.execute();
};

export const deleteExpiredTokens = (q: Queryable, now: string) => q.deleteFrom('tokens').where('expires_at', '<', now).execute();

/** A token with its user, project and domains, as validation needs them. */
export const getTokenWithScope = (q: Queryable, hash: string) =>
  q.selectFrom('tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .innerJoin('domains as ud', 'ud.id', 'u.domain_id')
    .leftJoin('projects as p', 'p.id', 't.project_id')
    .leftJoin('domains as pd', 'pd.id', 'p.domain_id')
    .leftJoin('domains as d', 'd.id', 't.domain_id')
    .select([
      't.hash', 't.user_id', 't.project_id', 't.domain_id', 't.methods', 't.audit_id', 't.issued_at', 't.expires_at', 't.app_cred_id',
      'u.name as user_name', 'u.enabled as user_enabled', 'u.domain_id as user_domain_id', 'u.password_changed_at as user_password_changed_at',
      'u.password_hash as user_password_hash',
      'ud.name as user_domain_name', 'ud.enabled as user_domain_enabled',
      'p.name as project_name', 'p.enabled as project_enabled', 'p.domain_id as project_domain_id', 'p.parent_id as project_parent_id',
      'pd.name as project_domain_name', 'pd.enabled as project_domain_enabled',
      'd.name as domain_name', 'd.enabled as domain_enabled',
    ])
    .where('t.hash', '=', hash)
    .executeTakeFirst();
