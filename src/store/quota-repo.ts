import { sql } from 'kysely';
import type { Queryable } from './db.js';
import type { QuotaSettingsRow, QuotaUsageRow } from './schema.js';
import { RESOURCES, type Amounts, type Resource, type Limits, type ProjectNode, type QuotaSettings } from '../quota/types.js';

/** Queries over quota settings, quota classes and usage rows (see migration 5). */

const ZERO: Amounts = Object.freeze({ containers: 0, cpu: 0, memory: 0, disk: 0 });

/** vCPUs in thousandths, as usage rows count them. */
export const milli = (cpu: number): number => Math.round(cpu * 1000);

export const amountsOf = (r: Pick<QuotaUsageRow, 'containers' | 'cpu_milli' | 'memory' | 'disk'> | undefined): Amounts =>
  r ? { containers: Number(r.containers), cpu: Number(r.cpu_milli) / 1000, memory: Number(r.memory), disk: Number(r.disk) } : { ...ZERO };

/** The usage row's column of a resource. */
const column = (r: Resource) => (r === 'cpu' ? 'cpu_milli' : r);
/** A resource's amount in the row's unit. */
const stored = (r: Resource, v: number) => (r === 'cpu' ? milli(v) : v);

// ---------------------------------------------------------------------------------------------------
// Settings and classes

/** Amounts as stored: JSON with -1 for no limit (JSON has no Infinity). */
const limitsText = (l: Limits): string => JSON.stringify(l, (_k, v: unknown) => (v === Infinity ? -1 : v));
const limitsOf = (text: string): Limits => JSON.parse(text, (_k, v: unknown) => (v === -1 ? Infinity : v)) as Limits;

export function settingsOf(r: QuotaSettingsRow): QuotaSettings {
  return {
    mode: r.mode as QuotaSettings['mode'], guarantee: limitsOf(r.guarantee),
    borrowLimit: limitsOf(r.borrow_limit), lendLimit: limitsOf(r.lend_limit),
    weight: Number(r.weight), priority: Number(r.priority),
  };
}

export const getSettings = async (q: Queryable, projectId: string): Promise<QuotaSettings | null> => {
  const r = await q.selectFrom('quota_settings').selectAll().where('project_id', '=', projectId).executeTakeFirst();
  return r ? settingsOf(r) : null;
};

export async function putSettings(q: Queryable, projectId: string, s: QuotaSettings): Promise<void> {
  const row: QuotaSettingsRow = {
    project_id: projectId, mode: s.mode, guarantee: limitsText(s.guarantee), borrow_limit: limitsText(s.borrowLimit),
    lend_limit: limitsText(s.lendLimit), weight: s.weight, priority: s.priority, updated_at: new Date().toISOString(),
  };
  const { project_id: _id, ...set } = row;
  await q.insertInto('quota_settings').values(row).onConflict((oc) => oc.column('project_id').doUpdateSet(set)).execute();
}

export const deleteSettings = (q: Queryable, projectId: string) => q.deleteFrom('quota_settings').where('project_id', '=', projectId).execute();

export async function getClass(q: Queryable, name: string): Promise<Limits> {
  const r = await q.selectFrom('quota_classes').select('limits').where('name', '=', name).executeTakeFirst();
  return r ? limitsOf(r.limits) : {};
}

export async function putClass(q: Queryable, name: string, limits: Limits): Promise<void> {
  const row = { name, limits: limitsText(limits), updated_at: new Date().toISOString() };
  await q.insertInto('quota_classes').values(row).onConflict((oc) => oc.column('name').doUpdateSet({ limits: row.limits, updated_at: row.updated_at })).execute();
}

/** Every project with its settings (null when none were set), for the quota model's tree. */
export async function loadProjects(q: Queryable): Promise<ProjectNode[]> {
  const rows = await q.selectFrom('projects')
    .leftJoin('quota_settings', 'quota_settings.project_id', 'projects.id')
    .select(['projects.id', 'projects.name', 'projects.parent_id', 'projects.domain_id'])
    .select(['quota_settings.project_id as s_id', 'quota_settings.mode', 'quota_settings.guarantee', 'quota_settings.borrow_limit',
      'quota_settings.lend_limit', 'quota_settings.weight', 'quota_settings.priority', 'quota_settings.updated_at'])
    .execute();
  return rows.map((r) => ({
    id: r.id, name: r.name, parentId: r.parent_id, domainId: r.domain_id,
    settings: r.s_id ? settingsOf({
      project_id: r.s_id, mode: r.mode!, guarantee: r.guarantee!, borrow_limit: r.borrow_limit!, lend_limit: r.lend_limit!,
      weight: r.weight!, priority: r.priority!, updated_at: r.updated_at!,
    }) : null,
  }));
}

// ---------------------------------------------------------------------------------------------------
// Usage rows

/**
 * Adds `change` to a usage row only while every resource with a positive change stays within `limit`
 * (Infinity = unchecked); creates the row when missing. Returns the row after the write, or undefined
 * when the limit refused it. The one conditional write that makes quota admission safe without a lock.
 */
export async function addUsage(q: Queryable, scope: string, change: Amounts, limit?: Amounts): Promise<Amounts | undefined> {
  const checked = limit ? RESOURCES.filter((r) => change[r] > 0 && Number.isFinite(limit[r])) : [];
  const allowed = (r: Resource) => Math.floor(stored(r, limit![r]) + 1e-6);
  // A missing row starts at 0: the change alone must fit.
  if (checked.some((r) => stored(r, change[r]) > allowed(r))) return undefined;
  const values = { scope, containers: change.containers, cpu_milli: milli(change.cpu), memory: change.memory, disk: change.disk };
  // One statement: insert the row, or add to it while every checked resource stays within its limit.
  const row = await q.insertInto('quota_usage').values(values)
    .onConflict((oc) => {
      const add = oc.column('scope').doUpdateSet({
        containers: sql`quota_usage.containers + ${values.containers}`, cpu_milli: sql`quota_usage.cpu_milli + ${values.cpu_milli}`,
        memory: sql`quota_usage.memory + ${values.memory}`, disk: sql`quota_usage.disk + ${values.disk}`,
      });
      return checked.reduce((u, r) => u.where(sql<boolean>`${sql.ref(`quota_usage.${column(r)}`)} + ${stored(r, change[r])} <= ${allowed(r)}`), add);
    })
    .returning(['containers', 'cpu_milli', 'memory', 'disk']).executeTakeFirst();
  return row ? amountsOf(row) : undefined;
}

export async function usageOf(q: Queryable, scopes: readonly string[]): Promise<Map<string, Amounts>> {
  const m = new Map<string, Amounts>();
  if (scopes.length === 0) return m;
  for (const r of await q.selectFrom('quota_usage').selectAll().where('scope', 'in', scopes).execute()) m.set(r.scope, amountsOf(r));
  return m;
}

export async function allUsage(q: Queryable): Promise<Map<string, Amounts>> {
  const m = new Map<string, Amounts>();
  for (const r of await q.selectFrom('quota_usage').selectAll().execute()) m.set(r.scope, amountsOf(r));
  return m;
}

export async function writeUsage(q: Queryable, scope: string, a: Amounts): Promise<void> {
  const row = { scope, containers: a.containers, cpu_milli: milli(a.cpu), memory: a.memory, disk: a.disk };
  const { scope: _s, ...set } = row;
  await q.insertInto('quota_usage').values(row).onConflict((oc) => oc.column('scope').doUpdateSet(set)).execute();
}

export const deleteUsage = (q: Queryable, scopes: readonly string[]) =>
  scopes.length === 0 ? Promise.resolve() : q.deleteFrom('quota_usage').where('scope', 'in', scopes).execute().then(() => undefined);

/** What each project's containers that hold quota add up to (queued ones hold none). */
export async function countHeld(q: Queryable): Promise<Map<string, Amounts>> {
  const rows = await q.selectFrom('containers')
    .select(['project_id', sql<number>`count(*)`.as('containers'), sql<number>`coalesce(sum(round(cpu * 1000)), 0)`.as('cpu_milli'),
      sql<number>`coalesce(sum(memory_mb), 0)`.as('memory'), sql<number>`coalesce(sum(disk_gb), 0)`.as('disk')])
    .where('queued_at', 'is', null)
    .groupBy('project_id').execute();
  return new Map(rows.map((r) => [r.project_id, amountsOf(r)]));
}

/** Preempted containers waiting for capacity, oldest first. */
export const queuedContainers = (q: Queryable, limit = 50) =>
  q.selectFrom('containers').selectAll().where('queued_at', 'is not', null).orderBy('queued_at').orderBy('uuid').limit(limit).execute();

export async function countQueued(q: Queryable): Promise<Map<string, number>> {
  const rows = await q.selectFrom('containers').select(['project_id', sql<number>`count(*)`.as('n')])
    .where('queued_at', 'is not', null).groupBy('project_id').execute();
  return new Map(rows.map((r) => [r.project_id, Number(r.n)]));
}

/** Holds back creates and usage writes while the usage rows are recounted (SQLite has one writer already). */
export async function lockForRecount(q: Queryable, dialect: string): Promise<void> {
  if (dialect === 'postgres') await sql`lock table containers, quota_usage in share row exclusive mode`.execute(q);
}
