/**
 * @module Reclaiming lent capacity: when a create is refused on a pool (or a share parent) that others
 * borrow from, and the model says the project is owed what it asks, the borrowers' containers to stop
 * are chosen here, and each is stopped, given a reason and an action, and queued — all in the create's
 * own transaction, which then takes the freed quota.
 */
import { BerthError } from '../core/errors.js';
import type { Database, Queryable } from '../store/db.js';
import type { ContainerRow } from '../store/schema.js';
import * as repo from '../store/container-repo.js';
import * as quotas from '../store/quota-repo.js';
import { admit, reclaim, type Amounts, type Candidate, type QuotaTree, type Resource } from '../quota/index.js';
import { amountsOfRow, releaseQuota, scopesOf } from './quota-usage.js';
import { journalEntry } from './rows.js';
import type { Actor } from './core.js';

/** Zun's message for a refused create, followed by the model's explanation. */
export function quotaExceeded(exceeded: readonly Resource[], explanation: string): BerthError {
  const list = exceeded.map((r) => `'${r}'`).join(', ');
  return new BerthError('quota_exceeded', `Quota exceeded for resources: [${list}]. ${explanation}`.trim());
}

/**
 * After a refused take: reads the usage the decision depends on and asks the model why. Returns the
 * containers to preempt (empty when usage changed meanwhile and the create may simply try again), or
 * throws the 403.
 */
export async function settleRefusal(db: Database, tree: QuotaTree, projectId: string, ask: Amounts, mayReclaim: boolean): Promise<ContainerRow[]> {
  const others = tree.reclaimScope(projectId);
  const usage = await quotas.usageOf(db.kysely, scopesOf(tree, [projectId, ...others]));
  const a = admit(tree, usage, projectId, ask);
  if (a.ok) return [];
  if (!a.reclaim || !mayReclaim) throw quotaExceeded(a.exceeded, a.explanation);
  const holders = await repo.containersHoldingQuota(db.kysely, others);
  const byUuid = new Map(holders.map((h) => [h.uuid, h]));
  const candidates: Candidate[] = holders.map((h) => ({
    uuid: h.uuid, projectId: h.project_id, amounts: amountsOfRow(h),
    priority: h.priority ?? tree.settings(h.project_id).priority, admittedAt: h.admitted_at ?? h.created_at,
  }));
  const r = reclaim(tree, usage, projectId, ask, candidates);
  if (!r.ok) throw quotaExceeded(a.exceeded, `${a.explanation} ${r.explanation}`);
  return r.victims.map((v) => byUuid.get(v.uuid)!);
}

/** A victim moved on (changed, deleted) since it was chosen: the create decides again. */
export class VictimMoved extends Error {}

/**
 * Stops a victim in the caller's transaction: desired stopped, queued, a reason naming who reclaimed
 * it and a `preempt` action; its quota goes back. Throws VictimMoved when its row changed meanwhile.
 */
export async function preemptIn(trx: Queryable, tree: QuotaTree, who: Actor, v: ContainerRow, by: string, now: string): Promise<void> {
  const set: Partial<ContainerRow> = {
    desired: 'stopped', task_state: v.status === 'Running' || v.status === 'Paused' ? 'container_stopping' : v.task_state,
    generation: v.generation + 1, queued_at: now,
    status_reason: `Preempted: project '${tree.node(by)?.name ?? by}' reclaimed the capacity it lent; queued to start again when capacity returns.`,
  };
  if (!(await repo.updateContainerIf(trx, v.uuid, v.generation, set))) throw new VictimMoved();
  await releaseQuota(trx, tree, v.project_id, amountsOfRow(v));
  const entry = journalEntry(who, v, 'preempt', { result: 'Success', message: set.status_reason });
  await repo.insertAction(trx, entry);
}

/**
 * Whether `ask` fits the project's quota now, without taking it (no reclaim): throws the quota's 403
 * when it does not. A check ahead of other checks; the take in the change's transaction stays the rule.
 */
export async function checkQuotaFits(db: Database, tree: QuotaTree, projectId: string, ask: Amounts): Promise<void> {
  const usage = await quotas.usageOf(db.kysely, scopesOf(tree, [projectId]));
  const a = admit(tree, usage, projectId, ask);
  if (!a.ok) throw quotaExceeded(a.exceeded, a.explanation);
}
