/**
 * @module Checks on quota settings before they are stored (a reason becomes a 400): well-formed
 * amounts, and guarantees that fit in what the parent has to give. Lowering below current usage is
 * allowed: running containers keep running, new ones are refused until usage drops.
 */
import type { QuotaTree } from './tree.js';
import { MODES, RESOURCES, type Amounts, type QuotaSettings, type Resource } from './types.js';
import { list, named, quantity } from './words.js';

const WHOLE: readonly Resource[] = ['containers', 'memory', 'disk'];
const FIELDS = { guarantee: 'guarantee', borrowLimit: 'borrow limit', lendLimit: 'lend limit' } as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The reason a map of amounts is malformed, or null. */
function badAmounts(field: string, v: unknown): string | null {
  if (!isRecord(v)) return `the ${field} must be an object of resource amounts`;
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined) continue;
    if (!(RESOURCES as readonly string[]).includes(k)) return `unknown resource '${k}' in the ${field}; use ${RESOURCES.join(', ')}`;
    if (x === Infinity) continue; // no limit (Zun's -1)
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) return `the ${field} of ${k} must be a number of at least 0, or no limit`;
    if (WHOLE.includes(k as Resource) && !Number.isInteger(x)) return `the ${field} of ${k} must be a whole number`;
  }
  return null;
}

/** The first project above `id` that is not in share mode: the one whose guarantee its allocations come out of. */
function payer(tree: QuotaTree, id: string): string | null {
  let p = tree.parentOf(id);
  while (p !== null && tree.mode(p) === 'share') p = tree.parentOf(p);
  return p;
}

/** Resources in which `id` allocates more than its nominal after the change, and more so than before. */
function overAllocated(before: QuotaTree, after: QuotaTree, id: string): Resource[] {
  const excess = (t: QuotaTree): Amounts => {
    const n = t.nominal(id), a = t.allocated(id);
    return { containers: a.containers - n.containers, cpu: a.cpu - n.cpu, memory: a.memory - n.memory, disk: a.disk - n.disk };
  };
  const b = excess(before), a = excess(after);
  return RESOURCES.filter((r) => a[r] > 1e-9 && a[r] > b[r] + 1e-9);
}

export function validateSettings(tree: QuotaTree, projectId: string, s: QuotaSettings): string | null {
  if (!tree.has(projectId)) return `unknown project ${projectId}`;
  if (!isRecord(s)) return 'quota settings must be an object';
  if (!MODES.includes(s.mode)) return `unknown mode '${String(s.mode)}'; use ${MODES.join(', ')}`;
  for (const [key, field] of Object.entries(FIELDS)) {
    const bad = badAmounts(field, s[key as keyof typeof FIELDS]);
    if (bad) return bad;
  }
  if (typeof s.weight !== 'number' || !Number.isFinite(s.weight) || s.weight <= 0) return 'the weight must be a finite number above 0';
  if (!Number.isInteger(s.priority)) return 'the priority must be a whole number';
  const name = named(tree, projectId);
  if (s.mode === 'share' && tree.parentOf(projectId) === null) return `${name} has no parent project to share, so it cannot be in share mode`;

  const after = tree.withSettings(projectId, s);
  if (after.mode(projectId) === 'lend') {
    const endless = RESOURCES.filter((r) => after.nominal(projectId)[r] === Infinity);
    if (endless.length > 0) return `${name} lends what its guarantee holds, so in lend mode its guarantee of ${endless.join(', ')} must be a number, not no limit`;
  }
  const up = payer(after, projectId);
  if (up !== null && s.mode !== 'share') {
    const g = after.explicit(projectId), n = after.nominal(up);
    const big = RESOURCES.filter((r) => s.guarantee[r] !== undefined && g[r] > n[r]);
    if (big.length > 0) return `the guarantee of ${name} (${list(g, big)}) is larger than that of ${named(tree, up)} (${list(n, big)}), which it is allocated from`;
  }
  if (up !== null) {
    const over = overAllocated(tree, after, up);
    if (over.length > 0) {
      return `the subprojects of ${named(tree, up)} would be guaranteed ${list(after.allocated(up), over)} in all, more than its guarantee of ${list(after.nominal(up), over)}`;
    }
  }
  if (after.mode(projectId) !== 'share') {
    const over = overAllocated(tree, after, projectId);
    if (over.length > 0) {
      const r = over[0];
      return `the guarantee of ${name} (${quantity(r, after.nominal(projectId)[r])}) would be smaller than the ${quantity(r, after.allocated(projectId)[r])} its subprojects are guaranteed`;
    }
  }
  return null;
}
