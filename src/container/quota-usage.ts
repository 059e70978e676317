/**
 * @module The quota model's writes, made on usage rows inside the caller's transaction: a take is the
 * plan's conditional writes in order (the project's own row, then the pool or parent rows it draws
 * from), a release the same writes with the opposite sign. And the recount that repairs drift.
 */
import type { Database, Queryable } from '../store/db.js';
import * as quotas from '../store/quota-repo.js';
import { drawDelta, RESOURCES, type Amounts, type QuotaTree, type Take } from '../quota/index.js';
import type { Logger } from '../core/log.js';

export const ZERO: Amounts = Object.freeze({ containers: 0, cpu: 0, memory: 0, disk: 0 });

/** The quota amounts a container holds. */
export const amountsOfRow = (c: { cpu: number; memory_mb: number; disk_gb: number }, containers = 1): Amounts =>
  ({ containers, cpu: Math.round(Number(c.cpu) * 1000) / 1000, memory: Number(c.memory_mb), disk: Number(c.disk_gb) });

const negated = (a: Amounts): Amounts => ({ containers: -a.containers, cpu: -a.cpu, memory: -a.memory, disk: -a.disk });
const isZero = (a: Amounts) => RESOURCES.every((r) => Math.abs(a[r]) < 1e-9);

/** Where a take was refused. */
export class QuotaRefused extends Error {
  constructor(readonly scope: string) {
    super(`quota refused on ${scope}`);
  }
}

/**
 * Makes the plan's writes for `change` (positive: a take checked against limits; negative: a release,
 * never refused). Throws QuotaRefused when a limit refuses, so the caller's transaction rolls back.
 */
export async function applyPlan(q: Queryable, takes: readonly Take[], change: Amounts): Promise<void> {
  if (isZero(change)) return;
  const taking = RESOURCES.some((r) => change[r] > 0);
  const ownAfter = new Map<string, Amounts>();
  for (const t of takes) {
    if (t.kind === 'own') {
      const after = await quotas.addUsage(q, t.scope, change, taking ? t.limit : undefined);
      if (!after) throw new QuotaRefused(t.scope);
      ownAfter.set(t.scope, after);
    } else {
      const delta = drawDelta(t.reserved, ownAfter.get(t.member) ?? ZERO, change);
      if (isZero(delta)) continue;
      const after = await quotas.addUsage(q, t.scope, delta, taking ? t.capacity : undefined);
      if (!after) throw new QuotaRefused(t.scope);
    }
  }
}

export const takeQuota = (q: Queryable, tree: QuotaTree, projectId: string, a: Amounts) => applyPlan(q, tree.plan(projectId), a);
export const releaseQuota = (q: Queryable, tree: QuotaTree, projectId: string, a: Amounts) => applyPlan(q, tree.plan(projectId), negated(a));

/** Every usage row the plans of the given projects touch. */
export function scopesOf(tree: QuotaTree, projectIds: Iterable<string>): string[] {
  const s = new Set<string>();
  for (const p of projectIds) {
    if (!tree.has(p)) continue;
    s.add(p);
    for (const t of tree.plan(p)) {
      s.add(t.scope);
      if (t.kind === 'pool') s.add(t.member);
    }
  }
  return [...s];
}

/**
 * What the usage rows must hold for the containers that hold quota: own rows sum the project's
 * containers and, through share mode, its children's; a pool row sums each member's draw.
 */
export function expectedUsage(tree: QuotaTree, held: ReadonlyMap<string, Amounts>): Map<string, Amounts> {
  const out = new Map<string, Amounts>();
  const add = (scope: string, a: Amounts) => {
    const cur = out.get(scope) ?? ZERO;
    out.set(scope, { containers: cur.containers + a.containers, cpu: cur.cpu + a.cpu, memory: cur.memory + a.memory, disk: cur.disk + a.disk });
  };
  const pools = new Map<string, Extract<Take, { kind: 'pool' }>>();
  for (const [projectId, a] of held) {
    if (!tree.has(projectId)) continue;
    for (const t of tree.plan(projectId)) {
      if (t.kind === 'own') add(t.scope, a);
      else pools.set(`${t.scope}\u0000${t.member}`, t);
    }
  }
  for (const t of pools.values()) {
    const draw = drawDelta(t.reserved, out.get(t.member) ?? ZERO, out.get(t.member) ?? ZERO);
    if (!isZero(draw)) add(t.scope, draw);
  }
  return out;
}

/**
 * Compares every usage row with what the containers add up to and rewrites those that differ, with
 * creates held back meanwhile (a table lock on PostgreSQL; SQLite has one writer). Returns the scopes
 * repaired.
 */
export async function recountUsage(db: Database, tree: QuotaTree, log?: Logger): Promise<string[]> {
  const repaired = await db.tx(async (trx) => {
    await quotas.lockForRecount(trx, db.dialect);
    const expected = expectedUsage(tree, await quotas.countHeld(trx));
    const stored = await quotas.allUsage(trx);
    const changed: string[] = [];
    for (const [scope, a] of expected) {
      const s = stored.get(scope) ?? ZERO;
      if (RESOURCES.some((r) => Math.abs(s[r] - a[r]) > 1e-6)) {
        await quotas.writeUsage(trx, scope, a);
        changed.push(scope);
      }
    }
    const gone = [...stored].filter(([scope, a]) => !expected.has(scope) && !isZero(a)).map(([scope]) => scope);
    for (const scope of gone) await quotas.writeUsage(trx, scope, ZERO);
    return [...changed, ...gone];
  });
  if (repaired.length > 0) log?.warn({ scopes: repaired.length }, 'quota usage did not match the containers; repaired');
  return repaired;
}
