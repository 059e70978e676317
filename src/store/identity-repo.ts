import type { Database, Queryable } from './db.js';
import type { AssignmentRow, DomainRow, ProjectRow, RoleRow, UserRow } from './schema.js';

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

export const getRole = (q: Queryable, id: string) =>
  q.selectFrom('roles').selectAll().where('id', '=', id).executeTakeFirst();
export const getRoleByName = (q: Queryable, name: string) =>
  q.selectFrom('roles').selectAll().where('name', '=', name).executeTakeFirst();
export const listRoles = (q: Queryable, f: { name?: string } = {}) => {
  let s = q.selectFrom('roles').selectAll();
  if (f.name !== undefined) s = s.where('name', '=', f.name);
  return s.orderBy('name').execute();
};
export const insertRole = (q: Queryable, row: RoleRow) => q.insertInto('roles').values(row).execute();

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

/** Role names a user holds on a project or domain. */
export const rolesOn = (q: Queryable, userId: string, targetType: 'project' | 'domain', targetId: string) =>
  q.selectFrom('assignments').innerJoin('roles', 'roles.id', 'assignments.role_id')
    .select(['roles.id', 'roles.name'])
    .where('assignments.user_id', '=', userId).where('assignments.target_type', '=', targetType)
    .where('assignments.target_id', '=', targetId)
    .orderBy('roles.name')
    .execute();

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

export const updateRole = (q: Queryable, id: string, set: Pick<RoleRow, 'name' | 'description'>) =>
  q.updateTable('roles').set(set).where('id', '=', id).execute();
export const deleteRole = (q: Queryable, id: string) => q.deleteFrom('roles').where('id', '=', id).execute();

/** Deletes the assignments of a user, of a role, or on a project or domain. */
export const deleteAssignmentsOf = (q: Queryable, f: { userId?: string; roleId?: string; target?: { type: 'project' | 'domain'; id: string } }) => {
  let d = q.deleteFrom('assignments');
  if (f.userId !== undefined) d = d.where('user_id', '=', f.userId);
  if (f.roleId !== undefined) d = d.where('role_id', '=', f.roleId);
  if (f.target !== undefined) d = d.where('target_type', '=', f.target.type).where('target_id', '=', f.target.id);
  return d.execute();
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
