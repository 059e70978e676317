import { sql } from 'kysely';
import type { Queryable } from './db.js';
import type { ContainerRow, ContainerActionRow, HostRow } from './schema.js';

/** Plain queries over hosts, containers and container actions. */

/** A parameter PostgreSQL must read as a float (it would guess integer from an integer column). */
const real = (v: number) => sql`cast(${v} as double precision)`;

/** A host as registered: its claims start at zero. */
export type NewHost = Omit<HostRow, 'used_cpu' | 'used_memory_mb' | 'used_disk_gb' | 'used_containers'>;
/** An amount claimed on a host. */
export interface Claim { cpu: number; memoryMb: number; diskGb: number; containers: number }
/** How far claims may exceed the engine's real size, applied where capacity is compared. */
export interface Ratios { cpu: number; memory: number }

export const getHost = (q: Queryable, id: string) => q.selectFrom('hosts').selectAll().where('id', '=', id).executeTakeFirst();
export const getHostByName = (q: Queryable, name: string) => q.selectFrom('hosts').selectAll().where('name', '=', name).executeTakeFirst();
export const getHostByCredential = (q: Queryable, hash: string) =>
  q.selectFrom('hosts').selectAll().where('credential_hash', '=', hash).executeTakeFirst();
export const listHosts = (q: Queryable) => q.selectFrom('hosts').selectAll().orderBy('name').execute();
export const insertHost = (q: Queryable, row: NewHost) => q.insertInto('hosts').values({ ...row, used_cpu: 0, used_memory_mb: 0, used_disk_gb: 0, used_containers: 0 }).execute();
export const listHostsById = (q: Queryable, ids: readonly string[]) =>
  ids.length === 0 ? Promise.resolve([] as HostRow[]) : q.selectFrom('hosts').selectAll().where('id', 'in', ids).execute();
/** Deletes a host that holds no claim; false when it holds one (or is gone). */
export const deleteEmptyHost = async (q: Queryable, id: string) =>
  Number((await q.deleteFrom('hosts').where('id', '=', id).where('used_containers', '=', 0).executeTakeFirst()).numDeletedRows) === 1;

/**
 * Adds a claim to a host only if it still fits: `used + amount <= capacity` for every resource, and the
 * host is enabled and not forced down. The one conditional write that makes admission safe without a
 * lock: two servers deciding from stale views cannot both take the last room. A negative amount (a
 * resize down) always fits. Returns whether the claim was taken.
 */
export async function claimOnHost(q: Queryable, hostId: string, a: Claim, r: Ratios): Promise<boolean> {
  let u = q.updateTable('hosts')
    .set({
      used_cpu: sql`used_cpu + ${real(a.cpu)}`, used_memory_mb: sql`used_memory_mb + ${a.memoryMb}`,
      used_disk_gb: sql`used_disk_gb + ${a.diskGb}`, used_containers: sql`used_containers + ${a.containers}`,
    })
    .where('id', '=', hostId).where('enabled', '=', 1).where('forced_down', '=', 0);
  if (a.cpu > 0) u = u.where(sql<boolean>`used_cpu + ${real(a.cpu)} <= cpus * ${real(r.cpu)}`);
  if (a.memoryMb > 0) u = u.where(sql<boolean>`used_memory_mb + ${a.memoryMb} <= floor(memory_mb * ${real(r.memory)})`);
  if (a.diskGb > 0) u = u.where(sql<boolean>`used_disk_gb + ${a.diskGb} <= disk_gb`);
  if (a.containers > 0) u = u.where(sql<boolean>`used_containers + ${a.containers} <= max_containers`);
  return Number((await u.executeTakeFirst()).numUpdatedRows) === 1;
}

/** Gives a claim back (a container removed, or resized down). */
export const releaseOnHost = (q: Queryable, hostId: string, a: Claim) =>
  q.updateTable('hosts')
    .set({
      used_cpu: sql`used_cpu - ${real(a.cpu)}`, used_memory_mb: sql`used_memory_mb - ${a.memoryMb}`,
      used_disk_gb: sql`used_disk_gb - ${a.diskGb}`, used_containers: sql`used_containers - ${a.containers}`,
    })
    .where('id', '=', hostId).execute();

/** The hosts of the named containers in a project (for same_host / different_host hints). */
export const hostsOfContainers = (q: Queryable, projectId: string, uuids: readonly string[]) =>
  uuids.length === 0 ? Promise.resolve([] as { uuid: string; host_id: string | null }[])
    : q.selectFrom('containers').select(['uuid', 'host_id']).where('project_id', '=', projectId).where('uuid', 'in', uuids).execute();
export const updateHost = (q: Queryable, id: string, set: Partial<HostRow>) =>
  q.updateTable('hosts').set({ ...set, updated_at: new Date().toISOString() }).where('id', '=', id).execute();

export const getContainer = (q: Queryable, uuid: string) =>
  q.selectFrom('containers').selectAll().where('uuid', '=', uuid).where('deleted', '=', 0).executeTakeFirst();

export const findContainersByName = (q: Queryable, projectId: string | undefined, name: string) => {
  let s = q.selectFrom('containers').selectAll().where('name', '=', name).where('deleted', '=', 0);
  if (projectId !== undefined) s = s.where('project_id', '=', projectId);
  return s.execute();
};

/** Containers of a project whose uuid starts with `prefix` (at most two: one is a match, two ambiguous). */
export const findContainersByUuidPrefix = (q: Queryable, projectId: string | undefined, prefix: string) => {
  let s = q.selectFrom('containers').selectAll().where('uuid', '>=', prefix).where('uuid', '<', `${prefix}\uffff`);
  if (projectId !== undefined) s = s.where('project_id', '=', projectId);
  return s.limit(2).execute();
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

/** The named containers of a host (those a change notification named). */
export const containersOfHostByUuid = (q: Queryable, hostId: string, uuids: readonly string[]) =>
  uuids.length === 0 ? Promise.resolve([] as ContainerRow[])
    : q.selectFrom('containers').selectAll().where('host_id', '=', hostId).where('uuid', 'in', uuids).where('deleted', '=', 0).execute();

export const insertContainer = (q: Queryable, row: ContainerRow) => q.insertInto('containers').values(row).execute();
export const updateContainer = (q: Queryable, uuid: string, set: Partial<ContainerRow>) =>
  q.updateTable('containers').set({ ...set, updated_at: new Date().toISOString() }).where('uuid', '=', uuid).execute();
/**
 * Writes a change decided on the row at `generation`: only if nobody changed the row's desired state
 * since. Returns false when the row moved on (or is gone); the caller reloads and decides again.
 */
export async function updateContainerIf(q: Queryable, uuid: string, generation: number, set: Partial<ContainerRow>): Promise<boolean> {
  const res = await q.updateTable('containers').set({ ...set, updated_at: new Date().toISOString() })
    .where('uuid', '=', uuid).where('generation', '=', generation).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}
export async function removeContainerIf(q: Queryable, uuid: string, generation: number): Promise<boolean> {
  const res = await q.deleteFrom('containers').where('uuid', '=', uuid).where('generation', '=', generation).executeTakeFirst();
  return Number(res.numDeletedRows) === 1;
}
export const removeContainer = (q: Queryable, uuid: string) => q.deleteFrom('containers').where('uuid', '=', uuid).execute();

export const insertAction = (q: Queryable, row: ContainerActionRow) => q.insertInto('container_actions').values(row).execute();
export const finishAction = (q: Queryable, id: string, result: string, message: string | null = null) =>
  q.updateTable('container_actions').set({ finish_time: new Date().toISOString(), result, message }).where('id', '=', id).execute();
export const listActions = (q: Queryable, uuid: string) =>
  q.selectFrom('container_actions').selectAll().where('container_uuid', '=', uuid).orderBy('start_time', 'desc').execute();
export const getActionByRequest = (q: Queryable, uuid: string, requestId: string) =>
  q.selectFrom('container_actions').selectAll().where('container_uuid', '=', uuid).where('request_id', '=', requestId).executeTakeFirst();
/** Finishes every open action of a container. */
export const finishOpenActions = (q: Queryable, uuid: string, result: string, message: string | null = null) =>
  q.updateTable('container_actions').set({ finish_time: new Date().toISOString(), result, message })
    .where('container_uuid', '=', uuid).where('finish_time', 'is', null).execute();
/** Actions still open on a container (finished when the agent reports the generation applied). */
export const openActions = (q: Queryable, uuid: string) =>
  q.selectFrom('container_actions').selectAll().where('container_uuid', '=', uuid).where('finish_time', 'is', null).execute();

/** Containers holding quota in the given projects (not queued, not being deleted), at most `limit`. */
export const containersHoldingQuota = (q: Queryable, projectIds: readonly string[], limit = 500) =>
  projectIds.length === 0 ? Promise.resolve([] as ContainerRow[]) : q.selectFrom('containers').selectAll()
    .where('project_id', 'in', projectIds).where('queued_at', 'is', null).where('desired', '!=', 'deleted')
    .orderBy('admitted_at', 'desc').limit(limit).execute();
