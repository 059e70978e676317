import type { Queryable } from './db.js';
import type { CatalogEndpointRow, CatalogRegionRow, CatalogServiceRow, EndpointGroupRow } from './schema.js';

/** The admin-registered regions, services and endpoints of the catalog (migration 19). */

export const listRegions = (q: Queryable) => q.selectFrom('catalog_regions').selectAll().orderBy('id').execute();
export const getRegion = (q: Queryable, id: string) =>
  q.selectFrom('catalog_regions').selectAll().where('id', '=', id).executeTakeFirst();
export const insertRegion = (q: Queryable, row: CatalogRegionRow) => q.insertInto('catalog_regions').values(row).execute();
export const updateRegion = (q: Queryable, id: string, set: Partial<Omit<CatalogRegionRow, 'id'>>) =>
  q.updateTable('catalog_regions').set(set).where('id', '=', id).execute();
export const deleteRegion = async (q: Queryable, id: string) =>
  Number((await q.deleteFrom('catalog_regions').where('id', '=', id).executeTakeFirst()).numDeletedRows);
export const countChildRegions = async (q: Queryable, id: string) =>
  (await q.selectFrom('catalog_regions').select('id').where('parent_region_id', '=', id).execute()).length;

export const listServices = (q: Queryable) => q.selectFrom('catalog_services').selectAll().orderBy('id').execute();
export const getService = (q: Queryable, id: string) =>
  q.selectFrom('catalog_services').selectAll().where('id', '=', id).executeTakeFirst();
export const insertService = (q: Queryable, row: CatalogServiceRow) => q.insertInto('catalog_services').values(row).execute();
export const updateService = (q: Queryable, id: string, set: Partial<Omit<CatalogServiceRow, 'id'>>) =>
  q.updateTable('catalog_services').set(set).where('id', '=', id).execute();
/** Deletes the service and its endpoints. */
export async function deleteService(q: Queryable, id: string): Promise<number> {
  await q.deleteFrom('catalog_endpoints').where('service_id', '=', id).execute();
  return Number((await q.deleteFrom('catalog_services').where('id', '=', id).executeTakeFirst()).numDeletedRows);
}

export const listEndpoints = (q: Queryable) => q.selectFrom('catalog_endpoints').selectAll().orderBy('id').execute();
export const getEndpoint = (q: Queryable, id: string) =>
  q.selectFrom('catalog_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
export const insertEndpoint = (q: Queryable, row: CatalogEndpointRow) => q.insertInto('catalog_endpoints').values(row).execute();
export const updateEndpoint = (q: Queryable, id: string, set: Partial<Omit<CatalogEndpointRow, 'id'>>) =>
  q.updateTable('catalog_endpoints').set(set).where('id', '=', id).execute();
export async function deleteEndpoint(q: Queryable, id: string): Promise<number> {
  await q.deleteFrom('project_endpoints').where('endpoint_id', '=', id).execute();
  return Number((await q.deleteFrom('catalog_endpoints').where('id', '=', id).executeTakeFirst()).numDeletedRows);
}
export const countEndpointsInRegion = async (q: Queryable, regionId: string) =>
  (await q.selectFrom('catalog_endpoints').select('id').where('region_id', '=', regionId).execute()).length;

export const listEndpointGroups = (q: Queryable) => q.selectFrom('catalog_endpoint_groups').selectAll().orderBy('id').execute();
export const getEndpointGroup = (q: Queryable, id: string) =>
  q.selectFrom('catalog_endpoint_groups').selectAll().where('id', '=', id).executeTakeFirst();
export const insertEndpointGroup = (q: Queryable, row: EndpointGroupRow) => q.insertInto('catalog_endpoint_groups').values(row).execute();
export const updateEndpointGroup = (q: Queryable, id: string, set: Partial<Omit<EndpointGroupRow, 'id'>>) =>
  q.updateTable('catalog_endpoint_groups').set(set).where('id', '=', id).execute();
export async function deleteEndpointGroup(q: Queryable, id: string): Promise<number> {
  await q.deleteFrom('project_endpoint_groups').where('endpoint_group_id', '=', id).execute();
  return Number((await q.deleteFrom('catalog_endpoint_groups').where('id', '=', id).executeTakeFirst()).numDeletedRows);
}

/** OS-EP-FILTER: projects limited to some endpoints, directly or through endpoint groups. */
export const endpointsOfProject = async (q: Queryable, projectId: string) =>
  (await q.selectFrom('project_endpoints').select('endpoint_id').where('project_id', '=', projectId).orderBy('endpoint_id').execute()).map((r) => r.endpoint_id);
export const projectsOfEndpoint = async (q: Queryable, endpointId: string) =>
  (await q.selectFrom('project_endpoints').select('project_id').where('endpoint_id', '=', endpointId).orderBy('project_id').execute()).map((r) => r.project_id);
export const hasProjectEndpoint = async (q: Queryable, projectId: string, endpointId: string) =>
  !!(await q.selectFrom('project_endpoints').select('project_id').where('project_id', '=', projectId).where('endpoint_id', '=', endpointId).executeTakeFirst());
export async function addProjectEndpoint(q: Queryable, projectId: string, endpointId: string): Promise<void> {
  if (!(await hasProjectEndpoint(q, projectId, endpointId))) await q.insertInto('project_endpoints').values({ project_id: projectId, endpoint_id: endpointId }).execute();
}
export const removeProjectEndpoint = async (q: Queryable, projectId: string, endpointId: string) =>
  Number((await q.deleteFrom('project_endpoints').where('project_id', '=', projectId).where('endpoint_id', '=', endpointId).executeTakeFirst()).numDeletedRows);

export const endpointGroupsOfProject = (q: Queryable, projectId: string) =>
  q.selectFrom('catalog_endpoint_groups').innerJoin('project_endpoint_groups', 'project_endpoint_groups.endpoint_group_id', 'catalog_endpoint_groups.id')
    .selectAll('catalog_endpoint_groups').where('project_endpoint_groups.project_id', '=', projectId).orderBy('catalog_endpoint_groups.id').execute();
export const projectsOfEndpointGroup = async (q: Queryable, groupId: string) =>
  (await q.selectFrom('project_endpoint_groups').select('project_id').where('endpoint_group_id', '=', groupId).orderBy('project_id').execute()).map((r) => r.project_id);
export const hasProjectEndpointGroup = async (q: Queryable, projectId: string, groupId: string) =>
  !!(await q.selectFrom('project_endpoint_groups').select('project_id').where('project_id', '=', projectId).where('endpoint_group_id', '=', groupId).executeTakeFirst());
export async function addProjectEndpointGroup(q: Queryable, projectId: string, groupId: string): Promise<void> {
  if (!(await hasProjectEndpointGroup(q, projectId, groupId))) await q.insertInto('project_endpoint_groups').values({ project_id: projectId, endpoint_group_id: groupId }).execute();
}
export const removeProjectEndpointGroup = async (q: Queryable, projectId: string, groupId: string) =>
  Number((await q.deleteFrom('project_endpoint_groups').where('project_id', '=', projectId).where('endpoint_group_id', '=', groupId).executeTakeFirst()).numDeletedRows);
