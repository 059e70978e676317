import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as A from './amounts.js';
import { admit, entitlement, owed } from './admit.js';
import { QuotaTree } from './tree.js';
import { DEFAULT_SETTINGS, type Amounts, type ProjectNode, type QuotaSettings, type Usage } from './types.js';
import { applyTakes, draw, releaseTakes, rowOf } from './usage.js';

const S = (over: Partial<QuotaSettings> = {}): QuotaSettings => ({ ...DEFAULT_SETTINGS, ...over });
const node = (id: string, parentId: string | null, settings: QuotaSettings | null = null): ProjectNode =>
  ({ id, name: id, parentId, domainId: 'd', settings });
const cpu = (n: number): Amounts => ({ ...A.zero(), cpu: n });
const lend = (cpu: number, over: Partial<QuotaSettings> = {}) => S({ mode: 'lend', guarantee: { cpu }, ...over });

const pool = (a: Partial<QuotaSettings> = {}, b: Partial<QuotaSettings> = {}) => new QuotaTree([
  node('p', null, S({ guarantee: { cpu: 21 } })), node('a', 'p', lend(9, a)), node('b', 'p', lend(12, b)),
]);
const nested = () => new QuotaTree([node('p', null, S({ guarantee: { cpu: 10 } })), node('c', 'p', S({ guarantee: { cpu: 4 } })), node('d', 'p')]);
const shares = () => new QuotaTree([node('p', null, S({ guarantee: { cpu: 8 } })), node('s1', 'p', S({ mode: 'share', weight: 1 })), node('s3', 'p', S({ mode: 'share', weight: 3 }))]);

/** Usage after admitting each [project, cpu] in turn, with the same writes the store makes. */
function after(tree: QuotaTree, uses: [string, number][], usage: Usage = new Map()): Usage {
  return uses.reduce((u, [id, n]) => {
    const r = applyTakes(u, tree.plan(id), cpu(n));
    assert.ok(r.ok, `setup: ${id} takes ${n} cpu`);
    return r.usage;
  }, usage);
}

const cases: { name: string; tree: () => QuotaTree; uses?: [string, number][]; id: string; ask: number; refusedAt?: string }[] = [
  { name: 'kueue borrowing: 9 reaches 21 while 12 is idle', tree: () => pool(), id: 'a', ask: 21 },
  { name: 'kueue borrowing: 22 is refused at its own row', tree: () => pool(), id: 'a', ask: 22, refusedAt: 'a' },
  { name: 'kueue borrowing: with 12 in use by b, a gets its 9', tree: () => pool(), uses: [['b', 12]], id: 'a', ask: 9 },
  { name: 'kueue borrowing: with 12 in use by b, the pool refuses a 10th', tree: () => pool(), uses: [['b', 12], ['a', 9]], id: 'a', ask: 1, refusedAt: 'pool:p' },
  { name: 'borrowLimit 1: reaches 10', tree: () => pool({ borrowLimit: { cpu: 1 } }), uses: [['a', 5]], id: 'a', ask: 5 },
  { name: 'borrowLimit 1: not 11', tree: () => pool({ borrowLimit: { cpu: 1 } }), uses: [['a', 10]], id: 'a', ask: 1, refusedAt: 'a' },
  { name: 'lendLimit 1: the other reaches 10', tree: () => pool({}, { lendLimit: { cpu: 1 } }), id: 'a', ask: 10 },
  { name: 'lendLimit 1: the other does not reach 11', tree: () => pool({}, { lendLimit: { cpu: 1 } }), uses: [['a', 10]], id: 'a', ask: 1, refusedAt: 'a' },
  { name: 'lendLimit 1: the lender keeps 11 however much is borrowed', tree: () => pool({}, { lendLimit: { cpu: 1 } }), uses: [['a', 10]], id: 'b', ask: 11 },
  { name: 'lendLimit 1: its 12th is in the pool the other emptied', tree: () => pool({}, { lendLimit: { cpu: 1 } }), uses: [['a', 10], ['b', 11]], id: 'b', ask: 1, refusedAt: 'pool:p' },
  { name: 'lendLimit 1: the lender reaches 21 while the other is idle', tree: () => pool({}, { lendLimit: { cpu: 1 } }), id: 'b', ask: 21 },
  { name: 'exclusive parent: 6 of its 10 are its own', tree: nested, id: 'p', ask: 6 },
  { name: 'exclusive parent: not 7', tree: nested, id: 'p', ask: 7, refusedAt: 'p' },
  { name: 'exclusive child: 4', tree: nested, uses: [['p', 6]], id: 'c', ask: 4 },
  { name: 'exclusive child: not 5', tree: nested, id: 'c', ask: 5, refusedAt: 'c' },
  { name: 'child at defaults: the class default of 20', tree: nested, id: 'd', ask: 20 },
  { name: 'child at defaults: not 21', tree: nested, id: 'd', ask: 21, refusedAt: 'd' },
  { name: 'share weight 1: the whole parent while its sibling is idle', tree: shares, id: 's1', ask: 8 },
  { name: 'share weight 1: not beyond the parent', tree: shares, id: 's1', ask: 9, refusedAt: 'p' },
  { name: 'share weight 3: refused at the parent its sibling filled', tree: shares, uses: [['s1', 8]], id: 's3', ask: 1, refusedAt: 'p' },
];
for (const c of cases) {
  test(`admit: ${c.name}`, () => {
    const tree = c.tree();
    const usage = after(tree, c.uses ?? []);
    const r = admit(tree, usage, c.id, cpu(c.ask));
    assert.equal(r.ok, c.refusedAt === undefined, r.explanation);
    assert.match(r.explanation, new RegExp(`'${c.id}'`));
    if (!r.ok) {
      assert.deepEqual(r.exceeded, ['cpu']);
      const applied = applyTakes(usage, tree.plan(c.id), cpu(c.ask));
      assert.ok(!applied.ok && applied.scope === c.refusedAt, `refused at ${c.refusedAt}`);
    }
  });
}

test('admit: explanations name the limit, the pool and the borrower', () => {
  const tree = pool();
  const ok = admit(tree, new Map(), 'a', cpu(10));
  assert.equal(ok.explanation, "Project 'a' may use 10 cpu: 10 cpu in use of its limit of 21 cpu, 1 cpu beyond its guarantee.");
  const own = admit(tree, new Map(), 'a', cpu(22));
  assert.match(own.explanation, /^Project 'a' asked for 22 cpu with 0 cpu in use; its limit is 21 cpu, its guarantee of 9 cpu plus what the pool of 'p' can lend it\./);
  const full = admit(tree, after(tree, [['a', 15], ['b', 6]]), 'b', cpu(1));
  assert.match(full.explanation, /the pool of 'p' is full: 21 of 21 cpu in use, 6 of them borrowed by 'a'\./);
  assert.match(full.explanation, /'b' asks within its guarantee of 12 cpu, so containers of projects borrowing beyond their guarantee may be reclaimed\./);
});

/** Rows equal in every scope either has (a missing row is zeros). */
function same(x: Usage, y: Usage): void {
  for (const scope of new Set([...x.keys(), ...y.keys()])) assert.ok(A.equal(rowOf(x, scope), rowOf(y, scope)), `row ${scope}`);
}

/** Two trees with the same numbers: lend 'a' (9) and 'b' (12, lendLimit 1); or 'a' a share child of lend 'l' (9). */
const roundTrips: { name: string; tree: () => QuotaTree }[] = [
  { name: 'lend members', tree: () => pool({}, { lendLimit: { cpu: 1 } }) },
  {
    name: 'a share child drawing through its lend parent',
    tree: () => new QuotaTree([
      node('p', null, S({ guarantee: { cpu: 21 } })), node('l', 'p', lend(9)), node('b', 'p', lend(12, { lendLimit: { cpu: 1 } })),
      node('a', 'l', S({ mode: 'share' })),
    ]),
  },
];
/** 'a+5' takes 5 cpu for a; '-3' gives back what op 3 took. */
const interleavings: { name: string; ops: string[] }[] = [
  { name: 'take and give back at once', ops: ['a+5', '-0'] },
  { name: 'a borrows, b takes its own, a gives back first', ops: ['a+10', 'b+6', '-0', '-1'] },
  { name: 'b goes past its reserve, a borrows, b gives back first', ops: ['b+10', 'b+2', 'a+9', '-0', 'a+1', '-1', '-2', '-4'] },
  { name: 'both cross the reserve repeatedly', ops: ['b+7', 'a+4', 'b+5', 'a+3', '-2', '-1', 'a+2', '-0', '-3', '-6'] },
];
test('applyTakes then releaseTakes: back to the exact same rows', () => {
  for (const { tree: make } of roundTrips) {
    const tree = make();
    for (const start of [new Map(), after(tree, [['a', 3]]), after(tree, [['b', 11], ['a', 6]])]) {
      for (const id of ['a', 'b']) {
        const r = applyTakes(start, tree.plan(id), cpu(4));
        assert.ok(r.ok, `${id} takes 4`);
        same(releaseTakes(r.usage, tree.plan(id), cpu(4)), start);
      }
    }
  }
});
for (const t of roundTrips) {
  for (const c of interleavings) {
    test(`applyTakes/releaseTakes round trip (kueue#804), ${t.name}: ${c.name}`, () => {
      const tree = t.tree();
      let usage: Usage = new Map();
      const held: ([string, number] | null)[] = [];
      for (const op of c.ops) {
        const take = /^(\w)\+(\d+)$/.exec(op);
        if (take) {
          const r = applyTakes(usage, tree.plan(take[1]), cpu(Number(take[2])));
          assert.ok(r.ok, op);
          usage = r.usage;
          held.push([take[1], Number(take[2])]);
        } else {
          const k = Number(op.slice(1));
          const [id, n] = held[k]!;
          usage = releaseTakes(usage, tree.plan(id), cpu(n));
          held[k] = null;
          held.push(null);
        }
        // The rows are what the takes still held give on their own, and the pool row is the sum of draws.
        same(usage, after(tree, held.filter((h): h is [string, number] => h !== null)));
        const draws = tree.poolMembers('pool:p').map((m) => draw(tree.reserved(m), rowOf(usage, m)));
        assert.ok(A.equal(rowOf(usage, 'pool:p'), A.sum(draws)), `pool row after ${op}`);
      }
      same(usage, new Map());
    });
  }
}

/** kueue#14543: a borrower is never owed, so two projects cannot take containers back and forth. */
const owing: { name: string; tree: () => QuotaTree; uses: [string, number][]; id: string; ask: number; owed: boolean; reclaim: boolean }[] = [
  { name: 'b within its guarantee while a borrows: owed', tree: () => pool(), uses: [['a', 15], ['b', 6]], id: 'b', ask: 6, owed: true, reclaim: true },
  { name: 'a, the borrower, asks for more: not owed', tree: () => pool(), uses: [['a', 15], ['b', 6]], id: 'a', ask: 1, owed: false, reclaim: false },
  { name: 'a back at 10 after a reclaim asks again: still not owed', tree: () => pool(), uses: [['a', 10], ['b', 11]], id: 'a', ask: 1, owed: false, reclaim: false },
  { name: 'b asking beyond its 12: not owed', tree: () => pool(), uses: [['a', 10], ['b', 11]], id: 'b', ask: 2, owed: false, reclaim: false },
  { name: 'share weight 3 within its fair share of 6: owed', tree: shares, uses: [['s1', 8]], id: 's3', ask: 6, owed: true, reclaim: true },
  { name: 'share weight 1 above its fair share of 2: not owed', tree: shares, uses: [['s1', 2], ['s3', 6]], id: 's1', ask: 1, owed: false, reclaim: false },
  { name: 'exclusive is never owed', tree: nested, uses: [['p', 6]], id: 'p', ask: 1, owed: false, reclaim: false },
];
for (const c of owing) {
  test(`owed: ${c.name}`, () => {
    const tree = c.tree();
    const usage = after(tree, c.uses);
    assert.equal(owed(tree, usage, c.id, cpu(c.ask)), c.owed);
    const r = admit(tree, usage, c.id, cpu(c.ask));
    assert.ok(!r.ok && r.reclaim === c.reclaim, r.explanation);
  });
}

test('entitlement: guarantee for lend, fair share for share, none for exclusive', () => {
  assert.equal(entitlement(pool(), 'b')!.cpu, 12);
  assert.equal(entitlement(shares(), 's3')!.cpu, 6);
  assert.equal(entitlement(nested(), 'c'), null);
});
