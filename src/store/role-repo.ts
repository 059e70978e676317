import type { Queryable } from './db.js';
import type { RoleRow, SystemAssignmentRow } from './schema.js';

/**
 * Roles as the API sees them: global or domain-specific, with implication rules and system-scope
 * assignments. `roles.name` is unique over the table, so a domain-specific role is stored under a name
 * qualified with its domain; every reader here gets the plain name back.
 */

const PREFIX = 'domain:';
export const storedRoleName = (name: string, domainId: string | null | undefined) => (domainId ? `${PREFIX}${domainId}:${name}` : name);
export function fromStored(r: RoleRow): RoleRow {
  const domainId = r.domain_id ?? null;
  const prefix = domainId ? `${PREFIX}${domainId}:` : '';
  return { ...r, domain_id: domainId, name: prefix && r.name.startsWith(prefix) ? r.name.slice(prefix.length) : r.name };
}

export const getRole = async (q: Queryable, id: string) => {
  const r = await q.selectFrom('roles').selectAll().where('id', '=', id).executeTakeFirst();
  return r && fromStored(r);
};
/** A global role by name, or with `domainId` that domain's role of that name. */
export const getRoleByName = async (q: Queryable, name: string, domainId: string | null = null) => {
  const r = await q.selectFrom('roles').selectAll().where('name', '=', storedRoleName(name, domainId)).executeTakeFirst();
  return r && fromStored(r);
};
/** Global roles, or with `domainId` that domain's roles (Keystone lists one or the other). */
export const listRoles = async (q: Queryable, f: { name?: string; domainId?: string } = {}) => {
  let s = q.selectFrom('roles').selectAll();
  s = f.domainId === undefined ? s.where('domain_id', 'is', null) : s.where('domain_id', '=', f.domainId);
  if (f.name !== undefined) s = s.where('name', '=', storedRoleName(f.name, f.domainId));
  return (await s.orderBy('name').execute()).map(fromStored);
};
export const listDomainRoleIds = async (q: Queryable) =>
  new Set((await q.selectFrom('roles').select('id').where('domain_id', 'is not', null).execute()).map((r) => r.id));
export const insertRole = (q: Queryable, row: RoleRow) =>
  q.insertInto('roles').values({ ...row, domain_id: row.domain_id ?? null, name: storedRoleName(row.name, row.domain_id) }).execute();
export const updateRole = (q: Queryable, id: string, set: Pick<RoleRow, 'name' | 'description'> & { domain_id: string | null }) =>
  q.updateTable('roles').set({ name: storedRoleName(set.name, set.domain_id), description: set.description }).where('id', '=', id).execute();
export const deleteDomainRoles = (q: Queryable, domainId: string) => q.deleteFrom('roles').where('domain_id', '=', domainId).execute();

export const listInferences = (q: Queryable, priorId?: string) => {
  let s = q.selectFrom('role_inferences').selectAll();
  if (priorId !== undefined) s = s.where('prior_role_id', '=', priorId);
  return s.orderBy('prior_role_id').orderBy('implied_role_id').execute();
};
export const hasInference = async (q: Queryable, priorId: string, impliedId: string) =>
  (await q.selectFrom('role_inferences').select('prior_role_id')
    .where('prior_role_id', '=', priorId).where('implied_role_id', '=', impliedId).executeTakeFirst()) !== undefined;
export const insertInference = (q: Queryable, priorId: string, impliedId: string) =>
  q.insertInto('role_inferences').values({ prior_role_id: priorId, implied_role_id: impliedId }).onConflict((c) => c.doNothing()).execute();
export const deleteInference = async (q: Queryable, priorId: string, impliedId: string) =>
  Number((await q.deleteFrom('role_inferences').where('prior_role_id', '=', priorId).where('implied_role_id', '=', impliedId)
    .executeTakeFirst()).numDeletedRows);

export const listSystemAssignments = (q: Queryable, f: { actorType?: 'user' | 'group'; actorId?: string; roleId?: string } = {}) => {
  let s = q.selectFrom('system_assignments').selectAll();
  if (f.actorType !== undefined) s = s.where('actor_type', '=', f.actorType);
  if (f.actorId !== undefined) s = s.where('actor_id', '=', f.actorId);
  if (f.roleId !== undefined) s = s.where('role_id', '=', f.roleId);
  return s.orderBy('actor_id').orderBy('role_id').execute();
};
export const insertSystemAssignment = (q: Queryable, row: SystemAssignmentRow) =>
  q.insertInto('system_assignments').values(row).onConflict((c) => c.doNothing()).execute();
export const deleteSystemAssignment = async (q: Queryable, row: SystemAssignmentRow) =>
  Number((await q.deleteFrom('system_assignments').where('actor_type', '=', row.actor_type).where('actor_id', '=', row.actor_id)
    .where('role_id', '=', row.role_id).executeTakeFirst()).numDeletedRows);
export const deleteSystemAssignmentsOf = (q: Queryable, actorType: 'user' | 'group', actorId: string) =>
  q.deleteFrom('system_assignments').where('actor_type', '=', actorType).where('actor_id', '=', actorId).execute();
