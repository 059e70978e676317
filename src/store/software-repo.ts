/** Heat software configs and deployments as stored (migration 14); every lookup is within one project. */
import type { Queryable } from './db.js';
import type { SoftwareConfigRow, SoftwareDeploymentRow } from './schema.js';

export const insertConfig = (q: Queryable, row: SoftwareConfigRow) => q.insertInto('software_configs').values(row).execute();

export const getConfig = (q: Queryable, projectId: string, id: string) =>
  q.selectFrom('software_configs').selectAll().where('id', '=', id).where('project_id', '=', projectId).executeTakeFirst();

/** A project's configs, oldest first, after `marker` (a config of the project) when given. */
export function listConfigs(q: Queryable, projectId: string, limit: number | undefined, marker: SoftwareConfigRow | undefined) {
  let s = q.selectFrom('software_configs').selectAll().where('project_id', '=', projectId);
  if (marker) s = s.where((e) => e.or([e('created_at', '>', marker.created_at), e.and([e('created_at', '=', marker.created_at), e('id', '>', marker.id)])]));
  s = s.orderBy('created_at').orderBy('id');
  return (limit !== undefined ? s.limit(limit) : s).execute();
}

export const configInUse = async (q: Queryable, id: string) =>
  (await q.selectFrom('software_deployments').select('id').where('config_id', '=', id).executeTakeFirst()) !== undefined;

export const deleteConfig = (q: Queryable, id: string) => q.deleteFrom('software_configs').where('id', '=', id).execute();

export const insertDeployment = (q: Queryable, row: SoftwareDeploymentRow) => q.insertInto('software_deployments').values(row).execute();

export const getDeployment = (q: Queryable, projectId: string, id: string) =>
  q.selectFrom('software_deployments').selectAll().where('id', '=', id).where('project_id', '=', projectId).executeTakeFirst();

export function listDeployments(q: Queryable, projectId: string, serverId: string | undefined) {
  let s = q.selectFrom('software_deployments').selectAll().where('project_id', '=', projectId);
  if (serverId !== undefined) s = s.where('server_id', '=', serverId);
  return s.orderBy('created_at').orderBy('id').execute();
}

export const updateDeployment = (q: Queryable, id: string, set: Partial<SoftwareDeploymentRow>) =>
  q.updateTable('software_deployments').set(set).where('id', '=', id).execute();

export const deleteDeployment = (q: Queryable, id: string) => q.deleteFrom('software_deployments').where('id', '=', id).execute();

/** The configs of a server's deployments in a project, by config name, then deployment age. */
export const configsOfServer = (q: Queryable, projectId: string, serverId: string) =>
  q.selectFrom('software_deployments as d').innerJoin('software_configs as c', 'c.id', 'd.config_id')
    .select(['c.id', 'c.project_id', 'c.name', 'c.group_name', 'c.body', 'c.created_at'])
    .where('d.project_id', '=', projectId).where('d.server_id', '=', serverId)
    .orderBy('c.name').orderBy('d.created_at').execute();
