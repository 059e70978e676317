/**
 * @module Admission: whether a project may take `request` now, simulated on the usage rows with the
 * same conditional writes the store makes, and whether it is owed capacity that others borrow.
 */
import * as A from './amounts.js';
import { admitted, reclaimNote, refusal } from './explain.js';
import type { QuotaTree } from './tree.js';
import type { Amounts, Resource, Take, Usage } from './types.js';
import { applyTakes, rowOf } from './usage.js';

export type Admission =
  | { ok: true; takes: readonly Take[]; explanation: string }
  | { ok: false; exceeded: Resource[]; explanation: string; reclaim: boolean };

/**
 * What a project is entitled to take back from others: a lend project its own guarantee, a share
 * project its fair share; null for exclusive (it never borrows, so nobody holds what is its own).
 */
export function entitlement(tree: QuotaTree, id: string): Amounts | null {
  switch (tree.mode(id)) {
    case 'exclusive': return null;
    case 'lend': return tree.ownGuarantee(id);
    case 'share': return tree.fairShare(id);
  }
}

/**
 * True when the project, after taking `request`, would still be within its entitlement in every
 * resource (for share mode this is dominant-resource fairness: its dominant share stays within its
 * weighted share). A project borrowing anything is owed nothing, so two projects cannot take
 * containers from each other back and forth.
 */
export function owed(tree: QuotaTree, usage: Usage, id: string, request: Amounts): boolean {
  const e = entitlement(tree, id);
  return e !== null && A.within(A.add(rowOf(usage, id), request), e);
}

export function admit(tree: QuotaTree, usage: Usage, projectId: string, request: Amounts): Admission {
  const takes = tree.plan(projectId);
  const applied = applyTakes(usage, takes, request);
  if (applied.ok) {
    // Most admissions are never explained; the sentence is built when read.
    const after = applied.usage;
    return { ok: true, takes, get explanation() { return admitted(tree, after, projectId, request); } };
  }
  const take = takes.find((t) => t.scope === applied.scope)!;
  const entitled = entitlement(tree, projectId);
  const isOwed = owed(tree, usage, projectId, request);
  const reclaim = isOwed && tree.reclaimScope(projectId).length > 0;
  const note = entitled ? reclaimNote(tree, projectId, entitled, request, isOwed) : '';
  return { ok: false, exceeded: applied.exceeded, reclaim, explanation: refusal(tree, usage, projectId, request, take, applied.exceeded) + note };
}
