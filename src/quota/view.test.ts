import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as A from './amounts.js';
import { QuotaTree } from './tree.js';
import { DEFAULT_SETTINGS, type Amounts, type ProjectNode, type QuotaSettings, type Usage } from './types.js';
import { applyTakes } from './usage.js';
import { describe, lentByMember, type QuotaRow } from './view.js';

const S = (over: Partial<QuotaSettings> = {}): QuotaSettings => ({ ...DEFAULT_SETTINGS, ...over });
const node = (id: string, parentId: string | null, settings: QuotaSettings | null = null): ProjectNode =>
  ({ id, name: id, parentId, domainId: 'd', settings });
const cpu = (n: number): Amounts => ({ ...A.zero(), cpu: n });
const lend = (n: number, over: Partial<QuotaSettings> = {}) => S({ mode: 'lend', guarantee: { cpu: n }, ...over });

function after(tree: QuotaTree, uses: [string, number][]): Usage {
  return uses.reduce<Usage>((u, [id, n]) => {
    const r = applyTakes(u, tree.plan(id), cpu(n));
    assert.ok(r.ok, `setup: ${id} takes ${n} cpu`);
    return r.usage;
  }, new Map());
}

/**
 * org (exclusive, 30 cpu)
 *   a (lend 9), b (lend 12): a borrows 6 of b's idle guarantee
 *   team (exclusive, 8 cpu)
 *     s1 (share, weight 1), s3 (share, weight 3): s1 uses 3 beyond its fair share of 2
 */
const org = () => new QuotaTree([
  node('org', null, S({ guarantee: { cpu: 30 } })),
  node('team', 'org', S({ guarantee: { cpu: 8 } })),
  node('b', 'org', lend(12)),
  node('a', 'org', lend(9)),
  node('s3', 'team', S({ mode: 'share', weight: 3 })),
  node('s1', 'team', S({ mode: 'share', weight: 1 })),
]);
const uses: [string, number][] = [['a', 15], ['b', 3], ['s1', 5], ['s3', 1]];

type Cpu = Pick<QuotaRow, 'projectId' | 'parentId' | 'depth' | 'mode' | 'guarantee' | 'limit' | 'inUse' | 'borrowed' | 'lent'>;
const cpuRow = (r: QuotaRow): Cpu =>
  ({ projectId: r.projectId, parentId: r.parentId, depth: r.depth, mode: r.mode, guarantee: r.guarantee, limit: r.limit, inUse: r.inUse, borrowed: r.borrowed, lent: r.lent });

const cases: { name: string; root?: string; want: Cpu[] }[] = [
  {
    name: 'the whole tree, depth first, siblings by name',
    want: [
      { projectId: 'org', parentId: null, depth: 0, mode: 'exclusive', guarantee: 30, limit: 1, inUse: 0, borrowed: 0, lent: 0 },
      { projectId: 'a', parentId: 'org', depth: 1, mode: 'lend', guarantee: 9, limit: 21, inUse: 15, borrowed: 6, lent: 0 },
      { projectId: 'b', parentId: 'org', depth: 1, mode: 'lend', guarantee: 12, limit: 21, inUse: 3, borrowed: 0, lent: 6 },
      { projectId: 'team', parentId: 'org', depth: 1, mode: 'exclusive', guarantee: 8, limit: 8, inUse: 6, borrowed: 0, lent: 0 },
      { projectId: 's1', parentId: 'team', depth: 2, mode: 'share', guarantee: 2, limit: 8, inUse: 5, borrowed: 3, lent: 0 },
      { projectId: 's3', parentId: 'team', depth: 2, mode: 'share', guarantee: 6, limit: 8, inUse: 1, borrowed: 0, lent: 0 },
    ],
  },
  {
    name: 'from a subtree: depth counts from it',
    root: 'team',
    want: [
      { projectId: 'team', parentId: 'org', depth: 0, mode: 'exclusive', guarantee: 8, limit: 8, inUse: 6, borrowed: 0, lent: 0 },
      { projectId: 's1', parentId: 'team', depth: 1, mode: 'share', guarantee: 2, limit: 8, inUse: 5, borrowed: 3, lent: 0 },
      { projectId: 's3', parentId: 'team', depth: 1, mode: 'share', guarantee: 6, limit: 8, inUse: 1, borrowed: 0, lent: 0 },
    ],
  },
  {
    name: 'from a lend member: what it lends is still counted against the whole pool',
    root: 'b',
    want: [{ projectId: 'b', parentId: 'org', depth: 0, mode: 'lend', guarantee: 12, limit: 21, inUse: 3, borrowed: 0, lent: 6 }],
  },
  { name: 'an unknown root', root: 'nope', want: [] },
];
for (const c of cases) {
  test(`describe: ${c.name}`, () => {
    const tree = org();
    const rows = describe(tree, after(tree, uses), c.root);
    assert.equal(rows.length, c.want.length * 4);
    assert.deepEqual(rows.filter((r) => r.resource === 'cpu').map(cpuRow), c.want);
  });
}

test('describe: one row per resource, in resource order, with the project name', () => {
  const tree = org();
  const rows = describe(tree, after(tree, uses)).filter((r) => r.projectId === 'a');
  assert.deepEqual(rows.map((r) => r.resource), ['containers', 'cpu', 'memory', 'disk']);
  assert.ok(rows.every((r) => r.name === 'a'));
  // Resources not set take the class defaults; the pool holds both members' defaults.
  assert.deepEqual(rows.map((r) => [r.guarantee, r.limit, r.inUse]), [[40, 80, 0], [9, 21, 15], [51200, 102400, 0], [100, 200, 0]]);
});

test('describe: a parent with share children shows their use on its row', () => {
  const tree = org();
  const team = describe(tree, after(tree, [['s1', 2], ['team', 1]]), 'team').filter((r) => r.resource === 'cpu');
  assert.deepEqual(team.map((r) => [r.projectId, r.inUse]), [['team', 3], ['s1', 2], ['s3', 0]]);
});

const lending: { name: string; lendLimits?: [number, number, number]; uses: [string, number][]; want: [number, number, number] }[] = [
  { name: 'nobody borrows', uses: [['a', 9], ['b', 12]], want: [0, 0, 0] },
  { name: 'one lender', uses: [['a', 15], ['c', 3]], want: [0, 6, 0] },
  { name: 'split by idle lendable guarantee', uses: [['a', 15]], want: [0, 4.8, 1.2] },
  { name: 'a lender using part of its own lends less', uses: [['a', 13], ['b', 6]], want: [0, 8 / 3, 4 / 3] },
  { name: 'lendLimit: reserved part is never lent', lendLimits: [9, 1, 3], uses: [['a', 13]], want: [0, 1, 3] },
];
for (const c of lending) {
  test(`lentByMember: ${c.name}`, () => {
    const [la, lb, lc] = c.lendLimits ?? [9, 12, 3];
    const tree = new QuotaTree([
      node('p', null, S({ guarantee: { cpu: 24 } })),
      node('a', 'p', lend(9, { lendLimit: { cpu: la } })), node('b', 'p', lend(12, { lendLimit: { cpu: lb } })), node('c', 'p', lend(3, { lendLimit: { cpu: lc } })),
    ]);
    const usage = after(tree, c.uses);
    const lent = lentByMember(tree, usage, 'pool:p');
    const members = ['a', 'b', 'c'];
    members.forEach((m, i) => assert.ok(Math.abs(lent.get(m)!.cpu - c.want[i]) < 1e-9, `${m} lends ${lent.get(m)!.cpu}, want ${c.want[i]}`));
    // What is lent is what is borrowed: Σ use beyond the own guarantee.
    const borrowed = members.reduce((s, m) => s + Math.max(0, (usage.get(m)?.cpu ?? 0) - tree.ownGuarantee(m).cpu), 0);
    const total = members.reduce((s, m) => s + lent.get(m)!.cpu, 0);
    assert.ok(Math.abs(total - borrowed) < 1e-9, `lent ${total}, borrowed ${borrowed}`);
  });
}
