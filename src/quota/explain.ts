/**
 * @module The sentences admit() answers with: who asked for what, which row was full, whose borrowing
 * filled it.
 */
import * as A from './amounts.js';
import type { QuotaTree } from './tree.js';
import type { Amounts, Resource, Take, Usage } from './types.js';
import { rowOf } from './usage.js';
import { joinAnd, list, named, num, poolName, quantity } from './words.js';

/** Where a project's own limit comes from, in the given resources. */
export function limitSource(tree: QuotaTree, id: string, rs: readonly Resource[]): string {
  const borrow = A.amounts(tree.settings(id).borrowLimit, A.UNLIMITED);
  const own = tree.ownGuarantee(id);
  switch (tree.mode(id)) {
    case 'exclusive': {
      const alloc = tree.allocated(id);
      if (rs.every((r) => alloc[r] === 0)) return 'its own guarantee';
      return `its guarantee of ${list(tree.nominal(id), rs)} less ${list(alloc, rs)} guaranteed to its subprojects`;
    }
    case 'lend': {
      const pool = tree.poolOf(id)!;
      const reach = A.add(tree.reserved(id), tree.poolCapacity(pool.scope));
      if (rs.every((r) => own[r] + borrow[r] <= reach[r])) return `its guarantee of ${list(own, rs)} plus its borrowing limit of ${list(borrow, rs)}`;
      return `its guarantee of ${list(own, rs)} plus what ${poolName(tree, pool.scope)} can lend it`;
    }
    case 'share': return `its fair share of ${list(own, rs)} plus its borrowing limit of ${list(borrow, rs)}`;
  }
}

/** "Project 'a' asked for 2 cpu" (+ " with 3 cpu in use"). */
function asked(tree: QuotaTree, usage: Usage, id: string, request: Amounts, rs: readonly Resource[]): string {
  return `Project ${named(tree, id)} asked for ${list(request, rs)} with ${list(rowOf(usage, id), rs)} in use`;
}

/** Per resource: "4 of 4 cpu in use, 2 of them borrowed by 'b'". */
function poolFull(tree: QuotaTree, usage: Usage, take: Extract<Take, { kind: 'pool' }>, rs: readonly Resource[]): string {
  const members = tree.poolMembers(take.scope);
  const used = rowOf(usage, take.scope);
  return rs.map((r) => {
    const borrowers = members
      .map((m) => ({ m, b: Math.max(0, rowOf(usage, m)[r] - tree.ownGuarantee(m)[r]) }))
      .filter((x) => x.b > A.EPSILON);
    const total = borrowers.reduce((s, x) => s + x.b, 0);
    const head = `${num(used[r])} of ${quantity(r, take.capacity[r])} in use`;
    if (borrowers.length === 0) return head;
    const who = borrowers.length === 1
      ? named(tree, borrowers[0].m)
      : joinAnd(borrowers.map((x) => `${named(tree, x.m)} (${num(x.b)})`));
    return `${head}, ${num(total)} of them borrowed by ${who}`;
  }).join('; ');
}

/** Per resource, how the share children of `parent` use its row: "'a' uses 2 cpu and 'b' uses 6 cpu". */
function sharedBy(tree: QuotaTree, usage: Usage, parent: string, rs: readonly Resource[]): string {
  const users = tree.children(parent).filter((c) => tree.mode(c) === 'share' && rs.some((r) => rowOf(usage, c)[r] > 0));
  return joinAnd(users.map((c) => `${named(tree, c)} uses ${list(rowOf(usage, c), rs)}`));
}

/** Why `take` refused the request of `id` in `exceeded`. */
export function refusal(tree: QuotaTree, usage: Usage, id: string, request: Amounts, take: Take, exceeded: readonly Resource[]): string {
  const rs = exceeded;
  if (take.kind === 'own' && take.scope === id) {
    return `${asked(tree, usage, id, request, rs)}; its limit is ${list(take.limit, rs)}, ${limitSource(tree, id, rs)}.`;
  }
  if (take.kind === 'own') {
    const shared = sharedBy(tree, usage, take.scope, rs);
    return `${asked(tree, usage, id, request, rs)}; it draws on ${named(tree, take.scope)}, which has ${list(rowOf(usage, take.scope), rs)} in use`
      + `${shared ? ` (${shared})` : ''} and a limit of ${list(take.limit, rs)}, ${limitSource(tree, take.scope, rs)}.`;
  }
  const through = take.member === id ? '' : ` through ${named(tree, take.member)}`;
  return `${asked(tree, usage, id, request, rs)}; ${poolName(tree, take.scope)}${through} is full: ${poolFull(tree, usage, take, rs)}.`;
}

/** What an admission leaves: "Project 'a' may use 1 cpu: 10 cpu in use of its limit of 21 cpu, 1 cpu borrowed." */
export function admitted(tree: QuotaTree, after: Usage, id: string, request: Amounts): string {
  const rs = A.positive(request);
  const used = rowOf(after, id);
  const over = A.clamp(A.sub(used, tree.ownGuarantee(id)));
  const borrowed = rs.filter((r) => over[r] > A.EPSILON && tree.mode(id) !== 'exclusive');
  const what = tree.mode(id) === 'share' ? 'its fair share' : 'its guarantee';
  return `Project ${named(tree, id)} may use ${list(request, rs)}: ${list(used, rs)} in use of its limit of ${list(tree.effectiveLimit(id), rs)}`
    + `${borrowed.length ? `, ${list(over, borrowed)} beyond ${what}` : ''}.`;
}

/** Whether the refused project may have containers reclaimed for it, and why. */
export function reclaimNote(tree: QuotaTree, id: string, entitled: Amounts, request: Amounts, owed: boolean): string {
  const rs = A.positive(request);
  const share = tree.mode(id) === 'share';
  const what = share ? 'fair share' : 'guarantee';
  const others = share ? 'its siblings above their fair share' : 'projects borrowing beyond their guarantee';
  if (!owed) return ` ${named(tree, id)} would go beyond its ${what} of ${list(entitled, rs)} in some resource, so nothing is reclaimed for it.`;
  if (tree.reclaimScope(id).length === 0) return ` ${named(tree, id)} asks within its ${what}, but no other project shares it.`;
  return ` ${named(tree, id)} asks within its ${what} of ${list(entitled, rs)}, so containers of ${others} may be reclaimed.`;
}
