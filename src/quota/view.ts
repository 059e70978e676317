/**
 * @module The quota table an operator reads: per project and resource, its guarantee, the most it may
 * use, what it uses, what it borrows and what of its guarantee others borrow.
 */
import * as A from './amounts.js';
import type { QuotaTree } from './tree.js';
import { RESOURCES, type Amounts, type Mode, type Resource, type Usage } from './types.js';
import { draw, rowOf } from './usage.js';

export interface QuotaRow {
  projectId: string;
  name: string;
  parentId: string | null;
  /** 0 for the first level shown. */
  depth: number;
  mode: Mode;
  resource: Resource;
  /** The nominal guarantee; for share mode the fair share. */
  guarantee: number;
  /** The effective limit: the most it may use while the projects it borrows from are idle. */
  limit: number;
  /** Its own usage row (for a parent of share-mode projects, theirs included). */
  inUse: number;
  /** What it uses beyond its own guarantee (lend) or its fair share (share); 0 for exclusive. */
  borrowed: number;
  /** Lend: how much of its lendable guarantee others' borrowing is using; 0 otherwise. */
  lent: number;
}

/**
 * What each lend member of a pool lends right now. The pool's total borrowing (Σ of members' use beyond
 * their own guarantee) is spread over the lenders in proportion to their idle lendable amount (lendable
 * minus what they draw on the pool themselves), which never gives a lender more than its idle part.
 */
export function lentByMember(tree: QuotaTree, usage: Usage, scope: string): Map<string, Amounts> {
  const members = tree.poolMembers(scope);
  const borrowed = A.sum(members.map((m) => A.clamp(A.sub(rowOf(usage, m), tree.ownGuarantee(m)))));
  const idle = new Map(members.map((m) => [m, A.clamp(A.sub(tree.lendable(m), draw(tree.reserved(m), rowOf(usage, m))))]));
  const totalIdle = A.sum([...idle.values()]);
  const out = new Map<string, Amounts>();
  for (const m of members) {
    const mine = idle.get(m)!;
    out.set(m, A.map((r) => (totalIdle[r] > 0 ? Math.min(mine[r], borrowed[r] * (mine[r] / totalIdle[r])) : 0)));
  }
  return out;
}

function rowsOf(tree: QuotaTree, usage: Usage, id: string, depth: number, lent: Map<string, Amounts>): QuotaRow[] {
  const node = tree.node(id);
  const mode = tree.mode(id);
  const guarantee = tree.fairShare(id) ?? tree.nominal(id);
  const limit = tree.effectiveLimit(id);
  const inUse = rowOf(usage, id);
  const borrowed = mode === 'exclusive' ? A.zero() : A.clamp(A.sub(inUse, tree.ownGuarantee(id)));
  const pool = tree.poolOf(id);
  let mine = A.zero();
  if (pool) {
    if (!lent.has(pool.scope)) for (const [m, a] of lentByMember(tree, usage, pool.scope)) lent.set(`${pool.scope}\u0000${m}`, a);
    lent.set(pool.scope, A.zero());
    mine = lent.get(`${pool.scope}\u0000${id}`) ?? A.zero();
  }
  return RESOURCES.map((resource) => ({
    projectId: id, name: node.name, parentId: tree.parentOf(id), depth, mode, resource,
    guarantee: guarantee[resource], limit: limit[resource], inUse: inUse[resource],
    borrowed: borrowed[resource], lent: mine[resource],
  }));
}

/** One row per project and resource, depth-first from the top (or from `rootId`), siblings by name. */
export function describe(tree: QuotaTree, usage: Usage, rootId?: string): QuotaRow[] {
  if (rootId !== undefined && !tree.has(rootId)) return [];
  const out: QuotaRow[] = [];
  const lent = new Map<string, Amounts>();
  const visit = (id: string, depth: number): void => {
    out.push(...rowsOf(tree, usage, id, depth, lent));
    for (const c of tree.children(id)) visit(c, depth + 1);
  };
  for (const id of rootId !== undefined ? [rootId] : tree.roots()) visit(id, 0);
  return out;
}
