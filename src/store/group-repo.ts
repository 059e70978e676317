import type { Queryable } from './db.js';
import type { GroupRow } from './schema.js';

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
