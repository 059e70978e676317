import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QuotaTree } from './tree.js';
import { DEFAULT_SETTINGS, type ProjectNode, type QuotaSettings } from './types.js';
import { validateSettings } from './validate.js';

const S = (over: Partial<QuotaSettings> = {}): QuotaSettings => ({ ...DEFAULT_SETTINGS, ...over });
const node = (id: string, parentId: string | null, settings: QuotaSettings | null = null): ProjectNode =>
  ({ id, name: id, parentId, domainId: 'd', settings });
/** Settings with a value of the wrong type, as a request could carry it. */
const raw = (over: Record<string, unknown>): QuotaSettings => ({ ...DEFAULT_SETTINGS, ...over });

/** root (10 cpu, 1024 MiB) with c1 (4 cpu), c2 (defaults) and a share child sh, whose g is at defaults; top alone. */
const tree = () => new QuotaTree([
  node('root', null, S({ guarantee: { cpu: 10, memory: 1024 } })),
  node('c1', 'root', S({ guarantee: { cpu: 4 } })),
  node('c2', 'root'),
  node('sh', 'root', S({ mode: 'share' })),
  node('g', 'sh'),
  node('top', null),
]);
/** c1 and c2 already guaranteed 8 cpu each out of a root of 10 (stored before a rule, or by hand). */
const overdrawn = () => new QuotaTree([
  node('root', null, S({ guarantee: { cpu: 10 } })), node('c1', 'root', S({ guarantee: { cpu: 8 } })), node('c2', 'root', S({ guarantee: { cpu: 8 } })),
]);

const cases: { name: string; tree?: () => QuotaTree; id: string; s: QuotaSettings; reason: RegExp | null }[] = [
  { name: 'defaults', id: 'c2', s: S(), reason: null },
  { name: 'exclusive guarantee that fits beside its sibling', id: 'c2', s: S({ guarantee: { cpu: 6 } }), reason: null },
  { name: 'lend with limits', id: 'c2', s: S({ mode: 'lend', guarantee: { cpu: 6 }, borrowLimit: { cpu: 2 }, lendLimit: { cpu: 1 } }), reason: null },
  { name: 'fractional cpu', id: 'c2', s: S({ guarantee: { cpu: 0.5 } }), reason: null },
  { name: 'zero everywhere', id: 'c2', s: S({ guarantee: { containers: 0, cpu: 0, memory: 0, disk: 0 } }), reason: null },
  { name: 'share with a weight', id: 'c2', s: S({ mode: 'share', weight: 2.5 }), reason: null },
  { name: 'a borrowLimit on exclusive is stored (it has no effect there)', id: 'c2', s: S({ borrowLimit: { cpu: 2 } }), reason: null },
  { name: 'a lendLimit above the guarantee (lends all of it)', id: 'c2', s: S({ mode: 'lend', guarantee: { cpu: 2 }, lendLimit: { cpu: 5 } }), reason: null },
  { name: 'a weight on exclusive', id: 'c2', s: S({ weight: 7 }), reason: null },
  { name: 'negative priority', id: 'c2', s: S({ priority: -3 }), reason: null },
  { name: 'an undefined resource is skipped', id: 'c2', s: S({ guarantee: { cpu: undefined } }), reason: null },
  { name: 'unknown project', id: 'nope', s: S(), reason: /^unknown project nope$/ },
  { name: 'not an object', id: 'c2', s: null as unknown as QuotaSettings, reason: /^quota settings must be an object$/ },
  { name: 'unknown mode', id: 'c2', s: raw({ mode: 'burst' }), reason: /^unknown mode 'burst'; use exclusive, lend, share$/ },
  { name: 'negative guarantee', id: 'c2', s: S({ guarantee: { cpu: -1 } }), reason: /^the guarantee of cpu must be a number of at least 0, or no limit$/ },
  { name: 'negative borrowLimit', id: 'c2', s: S({ mode: 'lend', borrowLimit: { disk: -5 } }), reason: /^the borrow limit of disk must be a number of at least 0, or no limit$/ },
  { name: 'NaN lendLimit', id: 'c2', s: S({ mode: 'lend', lendLimit: { cpu: NaN } }), reason: /^the lend limit of cpu must be a number of at least 0/ },
  { name: 'no limit on a top-level guarantee (Zun -1)', id: 'top', s: S({ guarantee: { cpu: Infinity } }), reason: null },
  { name: 'no borrow limit', id: 'c2', s: S({ mode: 'lend', borrowLimit: { cpu: Infinity } }), reason: null },
  { name: 'no lend limit', id: 'c2', s: S({ mode: 'lend', lendLimit: { cpu: Infinity } }), reason: null },
  { name: 'no limit on a guarantee in lend mode', id: 'c2', s: S({ mode: 'lend', guarantee: { cpu: Infinity } }), reason: /^'c2' lends what its guarantee holds, so in lend mode its guarantee of cpu must be a number/ },
  { name: 'no limit on a child of a limited parent', id: 'c2', s: S({ guarantee: { cpu: Infinity } }), reason: /is larger than that of 'root'/ },
  { name: 'a string amount', id: 'c2', s: raw({ guarantee: { cpu: '2' } }), reason: /^the guarantee of cpu must be a number of at least 0/ },
  { name: 'fractional memory', id: 'c2', s: S({ guarantee: { memory: 1.5 } }), reason: /^the guarantee of memory must be a whole number$/ },
  { name: 'fractional containers', id: 'c2', s: S({ borrowLimit: { containers: 0.5 } }), reason: /^the borrow limit of containers must be a whole number$/ },
  { name: 'unknown resource', id: 'c2', s: raw({ guarantee: { gpu: 1 } }), reason: /^unknown resource 'gpu' in the guarantee; use containers, cpu, memory, disk$/ },
  { name: 'amounts not an object', id: 'c2', s: raw({ lendLimit: 5 }), reason: /^the lend limit must be an object of resource amounts$/ },
  { name: 'weight 0 for share', id: 'c2', s: S({ mode: 'share', weight: 0 }), reason: /^the weight must be a finite number above 0$/ },
  { name: 'negative weight', id: 'c2', s: S({ mode: 'share', weight: -1 }), reason: /^the weight must be a finite number above 0$/ },
  { name: 'Infinity weight', id: 'c2', s: S({ mode: 'share', weight: Infinity }), reason: /^the weight must be a finite number above 0$/ },
  { name: 'weight 0 even for exclusive', id: 'c2', s: S({ weight: 0 }), reason: /^the weight must be a finite number above 0$/ },
  { name: 'fractional priority', id: 'c2', s: S({ priority: 1.5 }), reason: /^the priority must be a whole number$/ },
  { name: 'share at the top', id: 'top', s: S({ mode: 'share' }), reason: /^'top' has no parent project to share, so it cannot be in share mode$/ },
  {
    name: "a child's guarantee above its parent's", id: 'c2', s: S({ guarantee: { cpu: 11 } }),
    reason: /^the guarantee of 'c2' \(11 cpu\) is larger than that of 'root' \(10 cpu\), which it is allocated from$/,
  },
  {
    name: "a child's memory above its parent's", id: 'c2', s: S({ mode: 'lend', guarantee: { memory: 2048 } }),
    reason: /^the guarantee of 'c2' \(2048 MiB\) is larger than that of 'root' \(1024 MiB\)/,
  },
  {
    name: 'siblings guaranteed more than the parent', id: 'c2', s: S({ guarantee: { cpu: 7 } }),
    reason: /^the subprojects of 'root' would be guaranteed 11 cpu in all, more than its guarantee of 10 cpu$/,
  },
  {
    name: 'a parent lowered below what its subprojects are guaranteed', id: 'root', s: S({ guarantee: { cpu: 3, memory: 1024 } }),
    reason: /^the guarantee of 'root' \(3 cpu\) would be smaller than the 4 cpu its subprojects are guaranteed$/,
  },
  { name: 'a guarantee under a share project is allocated from the grandparent: fits', id: 'g', s: S({ guarantee: { cpu: 6 } }), reason: null },
  { name: 'a guarantee under a share project is allocated from the grandparent: too much', id: 'g', s: S({ guarantee: { cpu: 7 } }), reason: /^the subprojects of 'root' would be guaranteed 11 cpu/ },
  { name: 'above the grandparent through a share project', id: 'g', s: S({ guarantee: { cpu: 12 } }), reason: /^the guarantee of 'g' \(12 cpu\) is larger than that of 'root' \(10 cpu\)/ },
  { name: 'a share project guarantee is not allocated', id: 'sh', s: S({ mode: 'share', guarantee: { cpu: 50 } }), reason: null },
  {
    name: 'turning share into exclusive counts its guarantee', id: 'sh', s: S({ guarantee: { cpu: 7 } }),
    reason: /^the subprojects of 'root' would be guaranteed 11 cpu in all/,
  },
  { name: 'already over-allocated: other changes are allowed', tree: overdrawn, id: 'c2', s: S({ guarantee: { cpu: 8 }, priority: 4 }), reason: null },
  { name: 'already over-allocated: lowering is allowed', tree: overdrawn, id: 'c2', s: S({ guarantee: { cpu: 5 } }), reason: null },
  { name: 'already over-allocated: raising is not', tree: overdrawn, id: 'c2', s: S({ guarantee: { cpu: 9 } }), reason: /^the subprojects of 'root' would be guaranteed 17 cpu/ },
];
for (const c of cases) {
  test(`validateSettings: ${c.name}`, () => {
    const reason = validateSettings((c.tree ?? tree)(), c.id, c.s);
    if (c.reason === null) assert.equal(reason, null);
    else assert.match(reason ?? '(accepted)', c.reason);
  });
}
