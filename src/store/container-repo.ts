import type { Queryable } from './db.js';
import type { ContainerRow, ContainerActionRow, HostRow } from './schema.js';

/** Plain queries over hosts, containers and container actions. */

export const getHost = (q: Queryable, id: string) => q.selectFrom('hosts').selectAll().where('id', '=', id).executeTakeFirst();
export const getHostByName = (q: Queryable, name: string) => q.selectFrom('hosts').selectAll().where('name', '=', name).executeTakeFirst();
export const getHostByCredential = (q: Queryable, hash: string) =>
  q.selectFrom('hosts').selectAll().where('credential_hash', '=', hash).executeTakeFirst();
export const listHosts = (q: Queryable) => q.selectFrom('hosts').selectAll().orderBy('name').execute();
export const insertHost = (q: Queryable, row: HostRow) => q.insertInto('hosts').values(row).execute();
export const updateHost = (q: Queryable, id: string, set: Partial<HostRow>) =>
  q.updateTable('hosts').set({ ...set, updated_at: new Date().toISOString() }).where('id', '=', id).execute();

/** Claims per host: the sum of every live container placed there. */
export const claimsByHost = (q: Queryable) =>
  q.selectFrom('containers')
    .select((e) => ['host_id', e.fn.sum<number>('cpu').as('cpu'), e.fn.sum<number>('memory_mb').as('memory_mb'),
      e.fn.sum<number>('disk_gb').as('disk_gb'), e.fn.countAll<number>().as('n')])
    .where('host_id', 'is not', null).where('deleted', '=', 0)
    .groupBy('host_id')
    .execute();

export const containerIdsByHost = (q: Queryable) =>
  q.selectFrom('containers').select(['uuid', 'host_id']).where('host_id', 'is not', null).where('deleted', '=', 0).execute();

export const getContainer = (q: Queryable, uuid: string) =>
  q.selectFrom('containers').selectAll().where('uuid', '=', uuid).where('deleted', '=', 0).executeTakeFirst();

export const findContainersByName = (q: Queryable, projectId: string | undefined, name: string) => {
  let s = q.selectFrom('containers').selectAll().where('name', '=', name).where('deleted', '=', 0);
  if (projectId !== undefined) s = s.where('project_id', '=', projectId);
  return s.execute();
};

export interface ContainerListFilter {
  projectId?: string; limit?: number; marker?: ContainerRow; sortKey: keyof ContainerRow; sortDir: 'asc' | 'desc';
  name?: string; status?: string; image?: string; hostId?: string;
}
export const listContainers = (q: Queryable, f: ContainerListFilter) => {
  let s = q.selectFrom('containers').selectAll().where('deleted', '=', 0);
  if (f.projectId !== undefined) s = s.where('project_id', '=', f.projectId);
  if (f.name !== undefined) s = s.where('name', '=', f.name);
  if (f.status !== undefined) s = s.where('status', '=', f.status);
  if (f.image !== undefined) s = s.where('image', '=', f.image);
  if (f.hostId !== undefined) s = s.where('host_id', '=', f.hostId);
  if (f.marker) {
    const m = f.marker;
    const v = m[f.sortKey] as never;
    s = f.sortDir === 'asc'
      ? s.where((e) => e.or([e(f.sortKey, '>', v), e.and([e(f.sortKey, '=', v), e('uuid', '>', m.uuid)])]))
      : s.where((e) => e.or([e(f.sortKey, '<', v), e.and([e(f.sortKey, '=', v), e('uuid', '<', m.uuid)])]));
  }
  s = s.orderBy(f.sortKey, f.sortDir).orderBy('uuid', f.sortDir);
  if (f.limit !== undefined) s = s.limit(f.limit);
  return s.execute();
};

export const containersOfHost = (q: Queryable, hostId: string) =>
  q.selectFrom('containers').selectAll().where('host_id', '=', hostId).where('deleted', '=', 0).execute();

export const insertContainer = (q: Queryable, row: ContainerRow) => q.insertInto('containers').values(row).execute();
export const updateContainer = (q: Queryable, uuid: string, set: Partial<ContainerRow>) =>
  q.updateTable('containers').set({ ...set, updated_at: new Date().toISOString() }).where('uuid', '=', uuid).execute();
export const removeContainer = (q: Queryable, uuid: string) => q.deleteFrom('containers').where('uuid', '=', uuid).execute();

export const insertAction = (q: Queryable, row: ContainerActionRow) => q.insertInto('container_actions').values(row).execute();
export const finishAction = (q: Queryable, id: string, result: string, message: string | null = null) =>
  q.updateTable('container_actions').set({ finish_time: new Date().toISOString(), result, message }).where('id', '=', id).execute();
export const listActions = (q: Queryable, uuid: string) =>
  q.selectFrom('container_actions').selectAll().where('container_uuid', '=', uuid).orderBy('start_time', 'desc').execute();
export const getActionByRequest = (q: Queryable, uuid: string, requestId: string) =>
  q.selectFrom('container_actions').selectAll().where('container_uuid', '=', uuid).where('request_id', '=', requestId).executeTakeFirst();
/** Actions still open on a container (finished when the agent reports the generation applied). */
export const openActions = (q: Queryable, uuid: string) =>
  q.selectFrom('container_actions').selectAll().where('container_uuid', '=', uuid).where('finish_time', 'is', null).execute();
