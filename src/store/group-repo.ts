import type { Queryable } from './db.js';
import type { GroupAssignmentRow, GroupRow } from './schema.js';
import { fromStored } from './role-repo.js';

/** Plain queries over groups and their members; callers pass the database or a transaction. */

export const getGroup = (q: Queryable, id: string) =>
  q.selectFrom('groups').selectAll().where('id', '=', id).executeTakeFirst();
export const getGroupByName = (q: Queryable, domainId: string, name: string) =>
  q.selectFrom('groups').selectAll().where('domain_id', '=', domainId).where('name', '=', name).executeTakeFirst();
export const listGroups = (q: Queryable, f: { name?: string; domainId?: string } = {}) => {
  let s = q.selectFrom('groups').selectAll();
  if (f.name !== undefined) s = s.where('name', '=', f.name);
  if (f.domainId !== undefined) s = s.where('domain_id', '=', f.domainId);
  return s.orderBy('name').execute();
};
export const insertGroup = (q: Queryable, row: GroupRow) => q.insertInto('groups').values(row).execute();
export const updateGroup = (q: Queryable, id: string, set: Pick<GroupRow, 'name' | 'description'>) =>
  q.updateTable('groups').set(set).where('id', '=', id).execute();
/** Deletes a group; its memberships and role assignments go with it (foreign keys cascade). */
export const deleteGroup = async (q: Queryable, id: string) => {
  await q.deleteFrom('group_members').where('group_id', '=', id).execute();
  await q.deleteFrom('group_assignments').where('group_id', '=', id).execute();
  await q.deleteFrom('inherited_assignments').where('actor_type', '=', 'group').where('actor_id', '=', id).execute();
  await q.deleteFrom('system_assignments').where('actor_type', '=', 'group').where('actor_id', '=', id).execute();
  await q.deleteFrom('groups').where('id', '=', id).execute();
};

export const addMember = (q: Queryable, groupId: string, userId: string) =>
  q.insertInto('group_members').values({ group_id: groupId, user_id: userId }).onConflict((c) => c.doNothing()).execute();
export const removeMember = async (q: Queryable, groupId: string, userId: string) =>
  Number((await q.deleteFrom('group_members').where('group_id', '=', groupId).where('user_id', '=', userId).executeTakeFirst()).numDeletedRows);
export const isMember = async (q: Queryable, groupId: string, userId: string) =>
  (await q.selectFrom('group_members').select('user_id').where('group_id', '=', groupId).where('user_id', '=', userId).executeTakeFirst()) !== undefined;
export const membersOf = (q: Queryable, groupId: string) =>
  q.selectFrom('group_members').innerJoin('users', 'users.id', 'group_members.user_id').selectAll('users')
    .where('group_members.group_id', '=', groupId).orderBy('users.name').execute();
export const groupsOf = (q: Queryable, userId: string) =>
  q.selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id').selectAll('groups')
    .where('group_members.user_id', '=', userId).orderBy('groups.name').execute();

export interface GroupAssignmentFilter { groupId?: string; targetType?: 'project' | 'domain'; targetIds?: string[]; roleId?: string }
/** A group's role assignments on projects and domains. */
export const listGroupAssignments = (q: Queryable, f: GroupAssignmentFilter = {}) => {
  let s = q.selectFrom('group_assignments').selectAll();
  if (f.groupId !== undefined) s = s.where('group_id', '=', f.groupId);
  if (f.targetType !== undefined) s = s.where('target_type', '=', f.targetType);
  if (f.targetIds !== undefined) {
    if (f.targetIds.length === 0) return Promise.resolve([] as GroupAssignmentRow[]);
    s = s.where('target_id', 'in', f.targetIds);
  }
  if (f.roleId !== undefined) s = s.where('role_id', '=', f.roleId);
  return s.orderBy('group_id').orderBy('target_id').orderBy('role_id').execute();
};
export const insertGroupAssignment = (q: Queryable, row: GroupAssignmentRow) =>
  q.insertInto('group_assignments').values(row).onConflict((c) => c.doNothing()).execute();
export const deleteGroupAssignment = async (q: Queryable, row: GroupAssignmentRow) =>
  Number((await q.deleteFrom('group_assignments')
    .where('group_id', '=', row.group_id).where('target_type', '=', row.target_type)
    .where('target_id', '=', row.target_id).where('role_id', '=', row.role_id)
    .executeTakeFirst()).numDeletedRows);
/** The roles assigned to a group on a project or domain. */
export const groupRolesOn = (q: Queryable, groupId: string, targetType: 'project' | 'domain', targetId: string) =>
  q.selectFrom('group_assignments').innerJoin('roles', 'roles.id', 'group_assignments.role_id')
    .selectAll('roles')
    .where('group_assignments.group_id', '=', groupId).where('group_assignments.target_type', '=', targetType)
    .where('group_assignments.target_id', '=', targetId)
    .orderBy('roles.name')
    .execute()
    .then((rows) => rows.map(fromStored));
