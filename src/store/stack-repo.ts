import { sql, type Selectable } from 'kysely';
import type { Queryable } from './db.js';
import type { StackEventRow, StackResourceRow, StackRow } from './schema.js';

/** Queries over stacks, their resources and their events (see migration 13). */

export const insertStack = (q: Queryable, s: StackRow) => q.insertInto('stacks').values(s).execute();

export const getStack = (q: Queryable, id: string) => q.selectFrom('stacks').selectAll().where('id', '=', id).executeTakeFirst();

export const findStackByName = (q: Queryable, projectId: string, name: string) =>
  q.selectFrom('stacks').selectAll().where('project_id', '=', projectId).where('name', '=', name).executeTakeFirst();

export interface StackListFilter {
  /** Undefined: every project (an admin's global listing). */
  projectId?: string;
  names?: string[];
  statuses?: string[];
  actions?: string[];
  ids?: string[];
  /** Every one of these tags. */
  tags?: string[];
  sortKey: 'name' | 'created_at' | 'updated_at' | 'status';
  sortDir: 'asc' | 'desc';
  limit: number;
  marker?: StackRow;
}

const sortColumnOf = { name: 'name', created_at: 'created_at', updated_at: 'updated_at', status: 'status' } as const;

/** One page of stacks in sort order (id breaks ties), after `marker` when given. */
export async function listStacks(q: Queryable, f: StackListFilter): Promise<StackRow[]> {
  let b = q.selectFrom('stacks').selectAll();
  if (f.projectId !== undefined) b = b.where('project_id', '=', f.projectId);
  if (f.names?.length) b = b.where('name', 'in', f.names);
  if (f.statuses?.length) b = b.where('status', 'in', f.statuses);
  if (f.actions?.length) b = b.where('action', 'in', f.actions);
  if (f.ids?.length) b = b.where('id', 'in', f.ids);
  for (const t of f.tags ?? []) b = b.where('tags', 'like', `%${JSON.stringify(t)}%`);
  const col = sortColumnOf[f.sortKey];
  const op = f.sortDir === 'asc' ? '>' : '<';
  if (f.marker) {
    const mv = f.marker[col] ?? '';
    b = b.where((eb) => eb.or([
      eb(sql<string>`coalesce(${sql.ref(col)}, '')`, op, mv),
      eb.and([eb(sql<string>`coalesce(${sql.ref(col)}, '')`, '=', mv), eb('id', op, f.marker!.id)]),
    ]));
  }
  return b.orderBy(sql`coalesce(${sql.ref(col)}, '')`, f.sortDir).orderBy('id', f.sortDir).limit(f.limit).execute();
}

/** Writes `set` (generation + 1) only while the stack is still at `generation`. */
export async function updateStackIf(q: Queryable, id: string, generation: number, set: Partial<StackRow>): Promise<boolean> {
  const r = await q.updateTable('stacks').set({ ...set, generation: generation + 1, updated_at: new Date().toISOString() })
    .where('id', '=', id).where('generation', '=', generation).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** The controller's report of where a stack stands; kept only while no newer request changed it. */
export async function setStackState(q: Queryable, id: string, generation: number, state: { action: string; status: string; reason: string } & Partial<StackRow>): Promise<boolean> {
  const r = await q.updateTable('stacks').set({ ...state, updated_at: new Date().toISOString() })
    .where('id', '=', id).where('generation', '=', generation).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function deleteStackIf(q: Queryable, id: string, generation: number): Promise<boolean> {
  const r = await q.deleteFrom('stacks').where('id', '=', id).where('generation', '=', generation).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

/**
 * Takes the lease of stacks in progress that no live server holds (none, or its lease ran out), for
 * `owner` until `until`; returns their ids.
 */
export async function claimStacks(q: Queryable, owner: string, now: string, until: string): Promise<string[]> {
  const open = await q.selectFrom('stacks').select(['id', 'owner']).where('status', '=', 'IN_PROGRESS')
    .where((eb) => eb.or([eb('owner', 'is', null), eb('lease_until', '<', now), eb('owner', '=', owner)])).execute();
  const ids: string[] = [];
  for (const s of open) {
    const r = await q.updateTable('stacks').set({ owner, lease_until: until }).where('id', '=', s.id)
      .where((eb) => eb.or([eb('owner', 'is', null), eb('lease_until', '<', now), eb('owner', '=', owner)])).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 1) ids.push(s.id);
  }
  return ids;
}

/** Takes the lease of one stack when no live server holds it. */
export async function takeLease(q: Queryable, id: string, owner: string, now: string, until: string): Promise<boolean> {
  const r = await q.updateTable('stacks').set({ owner, lease_until: until }).where('id', '=', id)
    .where((eb) => eb.or([eb('owner', 'is', null), eb('owner', '=', owner), eb('lease_until', '<', now)])).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Extends the lease of the stacks `owner` holds. */
export const renewLeases = (q: Queryable, owner: string, until: string) =>
  q.updateTable('stacks').set({ lease_until: until }).where('owner', '=', owner).execute();

export const releaseLease = (q: Queryable, id: string, owner: string) =>
  q.updateTable('stacks').set({ owner: null, lease_until: null }).where('id', '=', id).where('owner', '=', owner).execute();

// ---------------------------------------------------------------------------------------------------
// Resources

export const listResources = (q: Queryable, stackId: string) =>
  q.selectFrom('stack_resources').selectAll().where('stack_id', '=', stackId).orderBy('created_at').orderBy('name').execute();

export const getResource = (q: Queryable, stackId: string, name: string) =>
  q.selectFrom('stack_resources').selectAll().where('stack_id', '=', stackId).where('name', '=', name).executeTakeFirst();

export async function putResource(q: Queryable, r: StackResourceRow): Promise<void> {
  const { stack_id: _s, name: _n, created_at: _c, ...set } = r;
  await q.insertInto('stack_resources').values(r)
    .onConflict((oc) => oc.columns(['stack_id', 'name']).doUpdateSet(set)).execute();
}

export const updateResource = (q: Queryable, stackId: string, name: string, set: Partial<StackResourceRow>) =>
  q.updateTable('stack_resources').set({ ...set, updated_at: new Date().toISOString() }).where('stack_id', '=', stackId).where('name', '=', name).execute();

export const deleteResource = (q: Queryable, stackId: string, name: string) =>
  q.deleteFrom('stack_resources').where('stack_id', '=', stackId).where('name', '=', name).execute();

// ---------------------------------------------------------------------------------------------------
// Events

export const insertEvent = (q: Queryable, e: Omit<Selectable<StackEventRow>, 'seq'>) => q.insertInto('stack_events').values(e).execute();

export interface EventListFilter {
  stackId: string;
  resourceName?: string;
  /** The event id to page after. */
  marker?: string;
  limit?: number;
  sortDir: 'asc' | 'desc';
  statuses?: string[];
  actions?: string[];
}

export type StackEvent = Selectable<StackEventRow>;

export async function listEvents(q: Queryable, f: EventListFilter): Promise<StackEvent[]> {
  let b = q.selectFrom('stack_events').selectAll().where('stack_id', '=', f.stackId);
  if (f.resourceName !== undefined) b = b.where('resource_name', '=', f.resourceName);
  if (f.statuses?.length) b = b.where('status', 'in', f.statuses);
  if (f.actions?.length) b = b.where('action', 'in', f.actions);
  if (f.marker !== undefined) {
    const m = await q.selectFrom('stack_events').select('seq').where('id', '=', f.marker).executeTakeFirst();
    if (m) b = b.where('seq', f.sortDir === 'asc' ? '>' : '<', m.seq);
  }
  b = b.orderBy('seq', f.sortDir);
  if (f.limit !== undefined) b = b.limit(f.limit);
  return b.execute();
}

export const getEvent = (q: Queryable, stackId: string, id: string) =>
  q.selectFrom('stack_events').selectAll().where('stack_id', '=', stackId).where('id', '=', id).executeTakeFirst();
