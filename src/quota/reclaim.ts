/**
 * @module Reclaiming: which running containers to stop so that a project gets back capacity it is owed
 * (lend: its own guarantee, lent to pool members who borrow it; share: its fair share, used by siblings
 * above theirs). Pure: picks victims by simulating their release on the usage rows.
 */
import * as A from './amounts.js';
import { admit, entitlement } from './admit.js';
import type { QuotaTree } from './tree.js';
import type { Amounts, Candidate, Resource, Usage } from './types.js';
import { releaseTakes, rowOf } from './usage.js';
import { joinAnd, list, named } from './words.js';

export type Reclaim = { ok: true; victims: Candidate[]; explanation: string } | { ok: false; explanation: string };

function time(s: string): number {
  const t = Date.parse(s);
  return Number.isNaN(t) ? 0 : t;
}

/** Reclaim order: lowest priority first, then the most recently admitted, then by uuid. */
export function reclaimOrder(a: Candidate, b: Candidate): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  const ta = time(a.admittedAt), tb = time(b.admittedAt);
  if (ta !== tb) return tb - ta;
  if (a.admittedAt !== b.admittedAt) return a.admittedAt < b.admittedAt ? 1 : -1;
  return a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0;
}

/**
 * Whether stopping `c` now takes back capacity that is not its project's: a lend member must be using
 * more than its own guarantee in a resource that blocks the admission; a share sibling must be above
 * its fair share (in any resource: dominant-resource fairness). Either way the container must hold some
 * of a blocking resource.
 */
export function eligible(tree: QuotaTree, usage: Usage, c: Candidate, blocking: readonly Resource[]): boolean {
  const ent = entitlement(tree, c.projectId);
  if (!ent) return false;
  const over = A.above(rowOf(usage, c.projectId), ent);
  const holds = blocking.filter((r) => c.amounts[r] > 0);
  if (tree.mode(c.projectId) === 'share') return over.length > 0 && holds.length > 0;
  return holds.some((r) => over.includes(r));
}

/** "2 containers of 'b' (using 12 cpu of its guarantee of 9 cpu)", one clause per project. */
function victimsInWords(tree: QuotaTree, usage: Usage, victims: readonly Candidate[], rs: readonly Resource[]): string {
  const projects = [...new Set(victims.map((v) => v.projectId))];
  return joinAnd(projects.map((p) => {
    const n = victims.filter((v) => v.projectId === p).length;
    const what = tree.mode(p) === 'share' ? 'fair share' : 'guarantee';
    return `${n} ${n === 1 ? 'container' : 'containers'} of ${named(tree, p)} (using ${list(rowOf(usage, p), rs)} of its ${what} of ${list(entitlement(tree, p)!, rs)})`;
  }));
}

export function reclaim(
  tree: QuotaTree, usage: Usage, projectId: string, request: Amounts, candidates: readonly Candidate[], max = 10,
): Reclaim {
  const who = named(tree, projectId);
  const first = admit(tree, usage, projectId, request);
  if (first.ok) return { ok: true, victims: [], explanation: `Nothing needs reclaiming: ${first.explanation}` };
  if (!first.reclaim) {
    const why = tree.mode(projectId) === 'exclusive' ? 'it is in exclusive mode and lends nothing' : 'it is not owed what it asks';
    return { ok: false, explanation: `Nothing is reclaimed for ${who}: ${why}.` };
  }
  const scope = new Set(tree.reclaimScope(projectId));
  const seen = new Set<string>();
  const order = candidates
    .filter((c) => scope.has(c.projectId) && !seen.has(c.uuid) && seen.add(c.uuid))
    .sort(reclaimOrder);
  const victims: Candidate[] = [];
  const picked = new Set<string>();
  let current = usage;
  let blocking = first.exceeded;
  while (victims.length < max) {
    const pick = order.find((c) => !picked.has(c.uuid) && eligible(tree, current, c, blocking));
    if (!pick) break;
    victims.push(pick);
    picked.add(pick.uuid);
    current = releaseTakes(current, tree.plan(pick.projectId), pick.amounts);
    const a = admit(tree, current, projectId, request);
    if (a.ok) {
      const words = victimsInWords(tree, usage, victims, A.positive(request));
      return { ok: true, victims, explanation: `To give ${who} the ${list(request, A.positive(request))} it is owed, ${words} ${victims.length === 1 ? 'is' : 'are'} reclaimed.` };
    }
    blocking = a.exceeded;
  }
  const limit = victims.length >= max ? `reclaiming the most allowed at once (${max} containers)` : `no container of a project above its share is left to reclaim`;
  return { ok: false, explanation: `Not enough can be reclaimed for ${who}: ${limit} would not free ${list(request, blocking)}.` };
}
