import type { Database, Queryable } from './db.js';
import type { AssignmentRow, DomainRow, InheritedAssignmentRow, ProjectRow, UserRow } from './schema.js';
import { listDomainRoleIds, listInferences } from './role-repo.js';
import { effectiveRoleIds } from '../identity/implied-roles.js';

/** Plain queries over the identity tables; callers pass the database or a transaction. */

export const getDomain = (q: Queryable, id: string) =>
  q.selectFrom('domains').selectAll().where('id', '=', id).executeTakeFirst();
export const getDomainByName = (q: Queryable, name: string) =>
  q.selectFrom('domains').selectAll().where('name', '=', name).executeTakeFirst();
export const listDomains = (q: Queryable, f: { name?: string; enabled?: number } = {}) => {
  let s = q.selectFrom('domains').selectAll();
  if (f.name !== undefined) s = s.where('name', '=', f.name);
  if (f.enabled !== undefined) s = s.where('enabled', '=', f.enabled);
  return s.orderBy('name').execute();
};
export const insertDomain = (q: Queryable, row: DomainRow) => q.insertInto('domains').values(row).execute();

export const getProject = (q: Queryable, id: string) =>
  q.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
export const getProjectByName = (q: Queryable, domainId: string, name: string) =>
  q.selectFrom('projects').selectAll().where('domain_id', '=', domainId).where('name', '=', name).executeTakeFirst();
export interface ProjectFilter { name?: string; domainId?: string; parentId?: string; enabled?: number; ids?: string[] }
export const listProjects = (q: Queryable, f: ProjectFilter = {}) => {
  let s = q.selectFrom('projects').selectAll();
  if (f.name !== undefined) s = s.where('name', '=', f.name);
  if (f.domainId !== undefined) s = s.where('domain_id', '=', f.domainId);
  if (f.parentId !== undefined) s = s.where('parent_id', '=', f.parentId);
  if (f.enabled !== undefined) s = s.where('enabled', '=', f.enabled);
  if (f.ids !== undefined) {
    if (f.ids.length === 0) return Promise.resolve([] as ProjectRow[]);
    s = s.where('id', 'in', f.ids);
  }
  return s.orderBy('name').execute();
};
/** `extra` defaults to none. */
export const insertProject = async (q: Queryable, row: Omit<ProjectRow, 'extra'> & { extra?: string }) => {
  projectsChanged();
  await q.insertInto('projects').values({ ...row, extra: row.extra ?? '{}' }).execute();
};
export const updateProject = async (q: Queryable, id: string, set: Partial<Pick<ProjectRow, 'name' | 'description' | 'enabled' | 'tags' | 'extra'>>) => {
  projectsChanged();
  await q.updateTable('projects').set(set).where('id', '=', id).execute();
};
export const deleteProject = async (q: Queryable, id: string) => {
  projectsChanged();
  await q.deleteFrom('projects').where('id', '=', id).execute();
};

/**
 * Project listings of a SQLite database, kept until the next write of the projects table. On SQLite one
 * server process owns the database and every write of that table goes through the three functions
 * above, which bump `projectsGeneration` (before the write, and again once its transaction is over, see
 * `projectsChanged`); a listing read while a write was under way is not kept. On PostgreSQL other
 * servers write too, so every listing there is a query.
 */
let projectsGeneration = 0;
const MAX_CACHED_LISTINGS = 256;
const projectListings = new WeakMap<Database, { generation: number; byFilter: Map<string, readonly ProjectRow[]> }>();

/** Forgets every cached project listing; call after a transaction that wrote projects has ended. */
export function projectsChanged(): void {
  projectsGeneration++;
}

/** listProjects on the database itself (not in a transaction), cached on SQLite. Callers must not change the rows. */
export async function listProjectsCached(db: Database, f: ProjectFilter = {}): Promise<readonly ProjectRow[]> {
  if (db.dialect !== 'sqlite') return listProjects(db.kysely, f);
  let cache = projectListings.get(db);
  if (!cache || cache.generation !== projectsGeneration) {
    cache = { generation: projectsGeneration, byFilter: new Map() };
    projectListings.set(db, cache);
  }
  const unfiltered = f.name === undefined && f.domainId === undefined && f.parentId === undefined && f.enabled === undefined && f.ids === undefined;
  const key = unfiltered ? '' : JSON.stringify([f.name, f.domainId, f.parentId, f.enabled, f.ids]);
  const hit = cache.byFilter.get(key);
  if (hit) return hit;
  const generation = projectsGeneration;
  const rows = await listProjects(db.kysely, f);
  for (const r of rows) Object.freeze(r);
  Object.freeze(rows);
  if (generation === projectsGeneration && cache.generation === generation) {
    if (cache.byFilter.size >= MAX_CACHED_LISTINGS) cache.byFilter.clear();
    cache.byFilter.set(key, rows);
  }
  return rows;
}
export const countChildren = async (q: Queryable, id: string) =>
  Number((await q.selectFrom('projects').select((e) => e.fn.countAll().as('n')).where('parent_id', '=', id).executeTakeFirstOrThrow()).n);

export const getUser = (q: Queryable, id: string) =>
  q.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
export const getUserByName = (q: Queryable, domainId: string, name: string) =>
  q.selectFrom('users').selectAll().where('domain_id', '=', domainId).where('name', '=', name).executeTakeFirst();
export const listUsers = (q: Queryable, f: { name?: string; domainId?: string; enabled?: number } = {}) => {
  let s = q.selectFrom('users').selectAll();
  if (f.name !== undefined) s = s.where('name', '=', f.name);
  if (f.domainId !== undefined) s = s.where('domain_id', '=', f.domainId);
  if (f.enabled !== undefined) s = s.where('enabled', '=', f.enabled);
  return s.orderBy('name').execute();
};
/** `extra` defaults to none. */
export const insertUser = (q: Queryable, row: Omit<UserRow, 'extra'> & { extra?: string }) =>
  q.insertInto('users').values({ ...row, extra: row.extra ?? '{}' }).execute();

// Roles live in role-repo (domain-specific roles are stored under a qualified name); re-exported here.
export { getRole, getRoleByName, listRoles, insertRole } from './role-repo.js';

export interface AssignmentFilter { userId?: string; targetType?: 'project' | 'domain'; targetIds?: string[]; roleId?: string }
export const listAssignments = (q: Queryable, f: AssignmentFilter = {}) => {
  let s = q.selectFrom('assignments').selectAll();
  if (f.userId !== undefined) s = s.where('user_id', '=', f.userId);
  if (f.targetType !== undefined) s = s.where('target_type', '=', f.targetType);
  if (f.targetIds !== undefined) {
    if (f.targetIds.length === 0) return Promise.resolve([] as AssignmentRow[]);
    s = s.where('target_id', 'in', f.targetIds);
  }
  if (f.roleId !== undefined) s = s.where('role_id', '=', f.roleId);
  return s.orderBy('user_id').orderBy('target_id').orderBy('role_id').execute();
};
export const insertAssignment = (q: Queryable, row: AssignmentRow) =>
  q.insertInto('assignments').values(row).onConflict((c) => c.doNothing()).execute();
export const deleteAssignment = (q: Queryable, row: AssignmentRow) =>
  q.deleteFrom('assignments')
    .where('user_id', '=', row.user_id).where('target_type', '=', row.target_type)
    .where('target_id', '=', row.target_id).where('role_id', '=', row.role_id)
    .executeTakeFirst();

/** The roles assigned to a user directly (not through a group) on a project or domain. */
export const directRolesOn = (q: Queryable, userId: string, targetType: 'project' | 'domain', targetId: string) =>
  q.selectFrom('assignments').innerJoin('roles', 'roles.id', 'assignments.role_id')
    .select(['roles.id', 'roles.name'])
    .where('assignments.user_id', '=', userId).where('assignments.target_type', '=', targetType)
    .where('assignments.target_id', '=', targetId)
    .orderBy('roles.name')
    .execute();

/**
 * The roles a user holds on a project or domain: their own, those of the groups they are in and (on a
 * project) those inherited, then expanded by the implied-role rules, domain-specific roles left out; by name.
 */
export async function rolesOn(q: Queryable, userId: string, targetType: 'project' | 'domain', targetId: string): Promise<{ id: string; name: string }[]> {
  const direct = await directRolesOn(q, userId, targetType, targetId);
  const viaGroups = await q.selectFrom('group_assignments')
    .innerJoin('group_members', 'group_members.group_id', 'group_assignments.group_id')
    .innerJoin('roles', 'roles.id', 'group_assignments.role_id')
    .select(['roles.id', 'roles.name'])
    .where('group_members.user_id', '=', userId).where('group_assignments.target_type', '=', targetType)
    .where('group_assignments.target_id', '=', targetId)
    .execute();
  const inherited = targetType === 'project' ? await inheritedRolesOn(q, userId, targetId) : [];
  const held = [...new Set([...direct, ...viaGroups, ...inherited].map((r) => r.id))];
  if (held.length === 0) return [];
  const rules = (await listInferences(q)).map((r) => ({ prior: r.prior_role_id, implied: r.implied_role_id }));
  const domainRoles = await listDomainRoleIds(q);
  if (rules.length === 0 && domainRoles.size === 0 && viaGroups.length === 0 && inherited.length === 0) return direct;
  const ids = effectiveRoleIds(held, rules, (id) => domainRoles.has(id));
  if (ids.length === 0) return [];
  const rows = await q.selectFrom('roles').select(['id', 'name']).where('id', 'in', ids).execute();
  return rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The project's domain and its ancestors' ids (nearest first): what its inherited roles come from. */
async function inheritanceSources(q: Queryable, projectId: string): Promise<{ domainId: string; ancestors: string[] } | undefined> {
  const p = await q.selectFrom('projects').select(['domain_id', 'parent_id']).where('id', '=', projectId).executeTakeFirst();
  if (!p) return undefined;
  const ancestors: string[] = [];
  let parent = p.parent_id;
  while (parent && ancestors.length < 100) {
    const up = await q.selectFrom('projects').select(['id', 'parent_id']).where('id', '=', parent).executeTakeFirst();
    if (!up) break;
    ancestors.push(up.id);
    parent = up.parent_id;
  }
  return { domainId: p.domain_id, ancestors };
}

/** The roles a user inherits on a project (OS-INHERIT) from its domain and its ancestors, themselves or through a group. */
async function inheritedRolesOn(q: Queryable, userId: string, projectId: string): Promise<{ id: string; name: string }[]> {
  const src = await inheritanceSources(q, projectId);
  if (!src) return [];
  return q.selectFrom('inherited_assignments').innerJoin('roles', 'roles.id', 'inherited_assignments.role_id')
    .select(['roles.id', 'roles.name'])
    .where((e) => e.or([
      e.and([e('inherited_assignments.target_type', '=', 'domain'), e('inherited_assignments.target_id', '=', src.domainId)]),
      ...(src.ancestors.length ? [e.and([e('inherited_assignments.target_type', '=', 'project'), e('inherited_assignments.target_id', 'in', src.ancestors)])] : []),
    ]))
    .where((e) => e.or([
      e.and([e('inherited_assignments.actor_type', '=', 'user'), e('inherited_assignments.actor_id', '=', userId)]),
      e.and([e('inherited_assignments.actor_type', '=', 'group'),
        e('inherited_assignments.actor_id', 'in', q.selectFrom('group_members').select('group_id').where('user_id', '=', userId))]),
    ]))
    .execute();
}

export interface InheritedFilter { actorType?: 'user' | 'group'; actorId?: string; targetType?: 'project' | 'domain'; targetIds?: string[]; roleId?: string }
export const listInherited = (q: Queryable, f: InheritedFilter = {}) => {
  let s = q.selectFrom('inherited_assignments').selectAll();
  if (f.actorType !== undefined) s = s.where('actor_type', '=', f.actorType);
  if (f.actorId !== undefined) s = s.where('actor_id', '=', f.actorId);
  if (f.targetType !== undefined) s = s.where('target_type', '=', f.targetType);
  if (f.targetIds !== undefined) {
    if (f.targetIds.length === 0) return Promise.resolve([] as InheritedAssignmentRow[]);
    s = s.where('target_id', 'in', f.targetIds);
  }
  if (f.roleId !== undefined) s = s.where('role_id', '=', f.roleId);
  return s.orderBy('actor_id').orderBy('target_id').orderBy('role_id').execute();
};
export const insertInherited = (q: Queryable, row: InheritedAssignmentRow) =>
  q.insertInto('inherited_assignments').values(row).onConflict((c) => c.doNothing()).execute();
export const deleteInherited = async (q: Queryable, row: InheritedAssignmentRow) =>
  Number((await q.deleteFrom('inherited_assignments')
    .where('actor_type', '=', row.actor_type).where('actor_id', '=', row.actor_id)
    .where('target_type', '=', row.target_type).where('target_id', '=', row.target_id).where('role_id', '=', row.role_id)
    .executeTakeFirst()).numDeletedRows);

/** An assignment a user holds, directly (no group_id) or through the group group_id; `inherited_from` names an OS-INHERIT source. */
export interface EffectiveAssignment extends AssignmentRow { group_id?: string; inherited_from?: { type: 'project' | 'domain'; id: string } }

/** listAssignments with the groups' assignments expanded to their members (Keystone's `effective`). */
export async function listEffectiveAssignments(q: Queryable, f: AssignmentFilter = {}): Promise<EffectiveAssignment[]> {
  const direct: EffectiveAssignment[] = await listAssignments(q, f);
  if (f.targetIds !== undefined && f.targetIds.length === 0) return direct;
  let s = q.selectFrom('group_assignments')
    .innerJoin('group_members', 'group_members.group_id', 'group_assignments.group_id')
    .select(['group_members.user_id', 'group_assignments.group_id', 'group_assignments.target_type', 'group_assignments.target_id', 'group_assignments.role_id']);
  if (f.userId !== undefined) s = s.where('group_members.user_id', '=', f.userId);
  if (f.targetType !== undefined) s = s.where('group_assignments.target_type', '=', f.targetType);
  if (f.targetIds !== undefined) s = s.where('group_assignments.target_id', 'in', f.targetIds);
  if (f.roleId !== undefined) s = s.where('group_assignments.role_id', '=', f.roleId);
  const viaGroups = await s.orderBy('group_members.user_id').orderBy('group_assignments.target_id').orderBy('group_assignments.role_id').orderBy('group_assignments.group_id').execute();
  const out: EffectiveAssignment[] = [...direct, ...viaGroups];
  if (f.targetType === 'domain') return out;
  // OS-INHERIT: each inherited assignment, to its user or its group's members, on every project beneath its target.
  const wanted = f.targetIds === undefined ? undefined : new Set(f.targetIds);
  const projects = await q.selectFrom('projects').select(['id', 'domain_id', 'parent_id']).orderBy('name').execute();
  const children = new Map<string, string[]>();
  for (const p of projects) if (p.parent_id) children.set(p.parent_id, [...(children.get(p.parent_id) ?? []), p.id]);
  const below = (id: string) => {
    const ids: string[] = [];
    const queue = [id];
    while (queue.length && ids.length < projects.length) for (const c of children.get(queue.shift()!) ?? []) { ids.push(c); queue.push(c); }
    return ids;
  };
  for (const i of await listInherited(q, { roleId: f.roleId })) {
    let users: { user_id: string; group_id?: string }[];
    if (i.actor_type === 'user') users = f.userId === undefined || f.userId === i.actor_id ? [{ user_id: i.actor_id }] : [];
    else {
      let m = q.selectFrom('group_members').select('user_id').where('group_id', '=', i.actor_id);
      if (f.userId !== undefined) m = m.where('user_id', '=', f.userId);
      users = (await m.orderBy('user_id').execute()).map((r) => ({ user_id: r.user_id, group_id: i.actor_id }));
    }
    if (users.length === 0) continue;
    const targets = i.target_type === 'domain' ? projects.filter((p) => p.domain_id === i.target_id).map((p) => p.id) : below(i.target_id);
    for (const t of targets) {
      if (wanted && !wanted.has(t)) continue;
      for (const u of users) out.push({ ...u, target_type: 'project', target_id: t, role_id: i.role_id, inherited_from: { type: i.target_type, id: i.target_id } });
    }
  }
  return out;
}

export async function getSetting(q: Queryable, key: string): Promise<string | undefined> {
  return (await q.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst())?.value;
}
export const putSetting = (q: Queryable, key: string, value: string) =>
  q.insertInto('settings').values({ key, value }).onConflict((c) => c.column('key').doUpdateSet({ value })).execute();

export const updateUser = (q: Queryable, id: string, set: Partial<Omit<UserRow, 'id' | 'created_at' | 'domain_id'>>) =>
  q.updateTable('users').set(set).where('id', '=', id).execute();
export const deleteUser = (q: Queryable, id: string) => q.deleteFrom('users').where('id', '=', id).execute();
/** Users whose default project is going away keep no default project. */
export const clearDefaultProject = (q: Queryable, projectId: string) =>
  q.updateTable('users').set({ default_project_id: null }).where('default_project_id', '=', projectId).execute();

export const updateDomain = (q: Queryable, id: string, set: Pick<DomainRow, 'name' | 'description' | 'enabled'>) =>
  q.updateTable('domains').set(set).where('id', '=', id).execute();
export const deleteDomain = (q: Queryable, id: string) => q.deleteFrom('domains').where('id', '=', id).execute();

export { updateRole } from './role-repo.js';
export const deleteRole = (q: Queryable, id: string) => q.deleteFrom('roles').where('id', '=', id).execute();

/** Deletes the assignments of a user, of a role, or on a project or domain. */
export const deleteAssignmentsOf = async (q: Queryable, f: { userId?: string; roleId?: string; target?: { type: 'project' | 'domain'; id: string } }) => {
  let d = q.deleteFrom('assignments');
  if (f.userId !== undefined) d = d.where('user_id', '=', f.userId);
  if (f.roleId !== undefined) d = d.where('role_id', '=', f.roleId);
  if (f.target !== undefined) d = d.where('target_type', '=', f.target.type).where('target_id', '=', f.target.id);
  await d.execute();
  // A group's assignments of that role or on that target go too (a user's groups are not theirs to lose).
  let i = q.deleteFrom('inherited_assignments');
  if (f.userId !== undefined) i = i.where('actor_type', '=', 'user').where('actor_id', '=', f.userId);
  if (f.roleId !== undefined) i = i.where('role_id', '=', f.roleId);
  if (f.target !== undefined) i = i.where('target_type', '=', f.target.type).where('target_id', '=', f.target.id);
  await i.execute();
  if (f.userId !== undefined) await q.deleteFrom('system_assignments').where('actor_type', '=', 'user').where('actor_id', '=', f.userId).execute();
  if (f.userId === undefined) {
    let g = q.deleteFrom('group_assignments');
    if (f.roleId !== undefined) g = g.where('role_id', '=', f.roleId);
    if (f.target !== undefined) g = g.where('target_type', '=', f.target.type).where('target_id', '=', f.target.id);
    await g.execute();
  }
};

/** The ids of enabled users holding the admin role anywhere. */
export async function enabledAdminIds(q: Queryable): Promise<Set<string>> {
  const rows = await q.selectFrom('assignments')
    .innerJoin('roles', 'roles.id', 'assignments.role_id')
    .innerJoin('users', 'users.id', 'assignments.user_id')
    .select('assignments.user_id')
    .where('roles.name', '=', 'admin').where('users.enabled', '=', 1)
    .execute();
  return new Set(rows.map((r) => r.user_id));
}

/** Whether a project still owns a container. */
export const projectHasContainers = async (q: Queryable, projectId: string) =>
  (await q.selectFrom('containers').select('uuid').where('project_id', '=', projectId).limit(1).executeTakeFirst()) !== undefined;
