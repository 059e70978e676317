import { test } from 'node:test';
import assert from 'node:assert/strict';
import { owed } from './admit.js';
import { eligible, reclaim, reclaimOrder } from './reclaim.js';
import { QuotaTree } from './tree.js';
import { DEFAULT_SETTINGS, type Amounts, type Candidate, type ProjectNode, type QuotaSettings, type Usage } from './types.js';
import { applyTakes, releaseTakes } from './usage.js';

const S = (over: Partial<QuotaSettings> = {}): QuotaSettings => ({ ...DEFAULT_SETTINGS, ...over });
const node = (id: string, parentId: string | null, settings: QuotaSettings | null = null): ProjectNode =>
  ({ id, name: id, parentId, domainId: 'd', settings });
/** One container's amounts (or a request): 1 container unless told. */
const amt = (cpu: number, memory = 0, containers = 1): Amounts => ({ containers, cpu, memory, disk: 0 });
const at = (minute: number) => `2026-01-01T00:${String(minute).padStart(2, '0')}:00.000Z`;
const cand = (uuid: string, projectId: string, cpu: number, priority = 0, minute = 0, memory = 0): Candidate =>
  ({ uuid, projectId, amounts: amt(cpu, memory), priority, admittedAt: at(minute) });
/** `n` containers of `cpu` each, admitted a minute apart. */
const many = (prefix: string, projectId: string, n: number, cpu: number): Candidate[] =>
  Array.from({ length: n }, (_, i) => cand(`${prefix}${i + 1}`, projectId, cpu, 0, i));

/** Usage with every container (and any extra amounts not offered for reclaim) admitted. */
function usageOf(tree: QuotaTree, cands: readonly Candidate[], extra: [string, Amounts][] = []): Usage {
  const all: [string, Amounts][] = [...cands.map((c): [string, Amounts] => [c.projectId, c.amounts]), ...extra];
  return all.reduce<Usage>((u, [id, a]) => {
    const r = applyTakes(u, tree.plan(id), a);
    assert.ok(r.ok, `setup: ${id}`);
    return r.usage;
  }, new Map());
}

const pool = () => new QuotaTree([
  node('p', null, S({ guarantee: { cpu: 21 } })), node('a', 'p', S({ mode: 'lend', guarantee: { cpu: 9 } })), node('b', 'p', S({ mode: 'lend', guarantee: { cpu: 12 } })),
]);
const shares = () => new QuotaTree([
  node('p', null, S({ guarantee: { cpu: 8 } })), node('s1', 'p', S({ mode: 'share', weight: 1 })), node('s3', 'p', S({ mode: 'share', weight: 3 })),
]);
/** Three equal share siblings of 4 cpu and 4000 MiB each; the parent runs 4 cpu itself. */
const drf = () => new QuotaTree([
  node('p', null, S({ guarantee: { cpu: 12, memory: 12000 } })),
  node('x', 'p', S({ mode: 'share' })), node('y', 'p', S({ mode: 'share' })), node('z', 'p', S({ mode: 'share' })),
]);

/** a borrows 6 (five 3-cpu containers of various priorities and ages), b runs 6: the pool of 21 is full. */
const borrowed = [
  cand('a1', 'a', 3, 0, 1), cand('a2', 'a', 3, -1, 1), cand('a3', 'a', 3, 0, 2), cand('a4', 'a', 3, -2, 0), cand('a5', 'a', 3, 0, 3),
  cand('b1', 'b', 3, -9, 9), cand('b2', 'b', 3, -9, 9),
];
const sameRank = borrowed.map((c) => ({ ...c, priority: 0 }));

const cases: {
  name: string; tree: () => QuotaTree; cands: Candidate[]; extra?: [string, Amounts][]; id: string; ask: Amounts; max?: number;
  victims?: string[]; explain: RegExp;
}[] = [
  {
    name: 'lend: lowest priority first', tree: pool, cands: borrowed, id: 'b', ask: amt(6), victims: ['a4', 'a2'],
    explain: /^To give 'b' the 1 container and 6 cpu it is owed, 2 containers of 'a' \(using 5 containers and 15 cpu of its guarantee of 40 containers and 9 cpu\) are reclaimed\.$/,
  },
  { name: 'lend: same priority, most recently admitted first', tree: pool, cands: sameRank, id: 'b', ask: amt(6), victims: ['a5', 'a3'], explain: /2 containers of 'a'/ },
  {
    name: 'lend: same priority and time, by uuid', tree: pool, id: 'b', ask: amt(3), victims: ['a1'],
    cands: [cand('a3', 'a', 5), cand('a1', 'a', 5), cand('a2', 'a', 5), cand('b1', 'b', 6)], explain: /1 container of 'a'/,
  },
  {
    name: 'lend: own containers, duplicates and projects outside the pool are not victims', tree: pool, id: 'b', ask: amt(6), victims: ['a5', 'a3'],
    cands: [...sameRank, { ...sameRank[4], priority: -50 }, cand('p1', 'p', 0, -99, 59)], explain: /'a'/,
  },
  { name: 'lend: the borrower is not owed (no ping-pong)', tree: pool, cands: borrowed, id: 'a', ask: amt(1), explain: /^Nothing is reclaimed for 'a': it is not owed what it asks\.$/ },
  { name: 'lend: beyond its own guarantee is not owed', tree: pool, cands: borrowed, id: 'b', ask: amt(7), explain: /^Nothing is reclaimed for 'b': it is not owed/ },
  {
    name: 'exclusive: never', id: 'c', ask: amt(1), cands: [cand('c1', 'c', 4)], explain: /^Nothing is reclaimed for 'c': it is in exclusive mode and lends nothing\.$/,
    tree: () => new QuotaTree([node('p', null, S({ guarantee: { cpu: 10 } })), node('c', 'p', S({ guarantee: { cpu: 4 } }))]),
  },
  { name: 'nothing to reclaim when it fits', tree: pool, cands: many('a', 'a', 3, 3), id: 'b', ask: amt(3), victims: [], explain: /^Nothing needs reclaiming: Project 'b' may use/ },
  { name: 'at most 10 victims by default', tree: pool, cands: [...many('a', 'a', 21, 1)], id: 'b', ask: amt(12), explain: /^Not enough can be reclaimed for 'b': reclaiming the most allowed at once \(10 containers\) would not free 12 cpu\.$/ },
  { name: 'max 12 is enough for 12', tree: pool, cands: many('a', 'a', 21, 1), id: 'b', ask: amt(12), max: 12, victims: ['a21', 'a20', 'a19', 'a18', 'a17', 'a16', 'a15', 'a14', 'a13', 'a12', 'a11', 'a10'], explain: /12 containers of 'a'/ },
  { name: 'max 2 stops at 2', tree: pool, cands: many('a', 'a', 21, 1), id: 'b', ask: amt(3), max: 2, explain: /\(2 containers\)/ },
  {
    name: 'not enough containers above their guarantee', tree: pool, cands: many('a', 'a', 3, 1), extra: [['a', amt(18, 0, 0)]], id: 'b', ask: amt(12),
    explain: /^Not enough can be reclaimed for 'b': no container of a project above its share is left to reclaim would not free 12 cpu\.$/,
  },
  {
    name: 'share 1:3: the weight-3 sibling takes back from the one above its fair share', tree: shares, cands: many('s', 's1', 4, 2), id: 's3', ask: amt(2), victims: ['s4'],
    explain: /^To give 's3' the 1 container and 2 cpu it is owed, 1 container of 's1' \(using 4 containers and 8 cpu of its fair share of 10 containers and 2 cpu\) is reclaimed\.$/,
  },
  { name: 'share 1:3: up to its fair share of 6', tree: shares, cands: many('s', 's1', 4, 2), id: 's3', ask: amt(6), victims: ['s4', 's3', 's2'], explain: /3 containers of 's1'/ },
  { name: 'share 1:3: not beyond its fair share', tree: shares, cands: many('s', 's1', 4, 2), id: 's3', ask: amt(7), explain: /it is not owed what it asks/ },
  {
    name: 'DRF: the sibling over its share in memory gives back cpu; the one at its share does not, low priority or not',
    tree: drf, id: 'z', ask: amt(4, 1000), extra: [['p', amt(4, 0)]], victims: ['x1'],
    cands: [cand('x1', 'x', 3, 0, 0, 7000), cand('y1', 'y', 2, -5, 5, 500), cand('y2', 'y', 2, -5, 6, 500)],
    explain: /1 container of 'x' \(using 1 container, 3 cpu and 7000 MiB of its fair share of 13\.333 containers, 4 cpu and 4000 MiB\)/,
  },
];
for (const c of cases) {
  test(`reclaim: ${c.name}`, () => {
    const tree = c.tree();
    const usage = usageOf(tree, c.cands.filter((x, i, all) => all.findIndex((y) => y.uuid === x.uuid) === i && x.projectId !== 'p'), c.extra);
    const r = reclaim(tree, usage, c.id, c.ask, c.cands, c.max);
    assert.equal(r.ok, c.victims !== undefined, r.explanation);
    assert.match(r.explanation, c.explain);
    if (!r.ok) return;
    assert.deepEqual(r.victims.map((v) => v.uuid), c.victims);
    const freed = r.victims.reduce((u, v) => releaseTakes(u, tree.plan(v.projectId), v.amounts), usage);
    assert.ok(applyTakes(freed, tree.plan(c.id), c.ask).ok, 'fits once the victims stop');
  });
}

test('reclaim: after one reclaim for b, neither a nor b is owed more, so it cannot go back and forth (kueue#14543)', () => {
  const tree = pool();
  const forB = reclaim(tree, usageOf(tree, borrowed), 'b', amt(6), borrowed);
  assert.ok(forB.ok);
  const cands = [...borrowed.filter((c) => !forB.victims.includes(c)), cand('b3', 'b', 6, 0, 30)];
  const now = usageOf(tree, cands);
  for (const [id, ask] of [['a', 3], ['b', 1], ['a', 1]] as const) {
    assert.equal(owed(tree, now, id, amt(ask)), false, `${id} asks ${ask}`);
    const r = reclaim(tree, now, id, amt(ask), cands);
    assert.equal(r.ok, false);
    assert.match(r.explanation, new RegExp(`^Nothing is reclaimed for '${id}': it is not owed`));
  }
});

const orders: { name: string; cands: Candidate[]; want: string[] }[] = [
  { name: 'lowest priority first', cands: [cand('a', 'x', 1, 5), cand('b', 'x', 1, -1), cand('c', 'x', 1, 0)], want: ['b', 'c', 'a'] },
  { name: 'then most recently admitted', cands: [cand('a', 'x', 1, 0, 1), cand('b', 'x', 1, 0, 3), cand('c', 'x', 1, 0, 2)], want: ['b', 'c', 'a'] },
  { name: 'then by uuid', cands: [cand('c', 'x', 1), cand('a', 'x', 1), cand('b', 'x', 1)], want: ['a', 'b', 'c'] },
  { name: 'an unreadable time counts as oldest', cands: [{ ...cand('a', 'x', 1), admittedAt: 'soon' }, cand('b', 'x', 1, 0, 0)], want: ['b', 'a'] },
];
for (const c of orders) {
  test(`reclaimOrder: ${c.name}`, () => {
    assert.deepEqual([...c.cands].sort(reclaimOrder).map((x) => x.uuid), c.want);
  });
}

test('eligible: a lend member only above its guarantee in a blocking resource', () => {
  const tree = pool();
  const usage = usageOf(tree, borrowed);
  assert.equal(eligible(tree, usage, borrowed[0], ['cpu']), true);
  assert.equal(eligible(tree, usage, borrowed[5], ['cpu']), false);
  assert.equal(eligible(tree, usage, borrowed[0], ['memory']), false);
});
