import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QuotaTree } from './tree.js';
import { DEFAULT_SETTINGS, type Mode, type ProjectNode, type QuotaSettings } from './types.js';

const S = (over: Partial<QuotaSettings> = {}): QuotaSettings => ({ ...DEFAULT_SETTINGS, ...over });
const node = (id: string, parentId: string | null, settings: QuotaSettings | null = null, domainId = 'd'): ProjectNode =>
  ({ id, name: id, parentId, domainId, settings });
const lend = (cpu: number, over: Partial<QuotaSettings> = {}) => S({ mode: 'lend', guarantee: { cpu }, ...over });
const share = (weight: number, over: Partial<QuotaSettings> = {}) => S({ mode: 'share', weight, ...over });

/** Two lend projects under one parent, as in Kueue's cohort examples (guarantees 9 and 12 cpu). */
const pool = (a: Partial<QuotaSettings> = {}, b: Partial<QuotaSettings> = {}) => new QuotaTree([
  node('p', null, S({ guarantee: { cpu: 21 } })), node('a', 'p', lend(9, a)), node('b', 'p', lend(12, b)),
]);
const nested = () => new QuotaTree([
  node('p', null, S({ guarantee: { cpu: 10 } })), node('c', 'p', S({ guarantee: { cpu: 4 } })), node('d', 'p'),
]);
const shares = () => new QuotaTree([
  node('p', null, S({ guarantee: { cpu: 8 } })), node('s1', 'p', share(1)), node('s3', 'p', share(3)),
]);

/** Per project, in cpu: [own guarantee, own limit, effective limit] and optionally [lendable, reserved]. */
const cases: { name: string; tree: () => QuotaTree; want: Record<string, [number, number, number, number?, number?]> }[] = [
  { name: 'lend 9 + 12: each may reach the whole pool of 21', tree: () => pool(), want: { a: [9, 21, 21, 9, 0], b: [12, 21, 21, 12, 0] } },
  { name: 'lend, borrowLimit 1 on the 9: it reaches 10', tree: () => pool({ borrowLimit: { cpu: 1 } }), want: { a: [9, 10, 10], b: [12, 21, 21] } },
  {
    name: 'lend, lendLimit 1 on the 12: it keeps 11, the other reaches 9 + 1',
    tree: () => pool({}, { lendLimit: { cpu: 1 } }), want: { a: [9, 10, 10, 9, 0], b: [12, 21, 21, 1, 11] },
  },
  { name: 'lend parent keeps nothing of what its lend subprojects were guaranteed', tree: () => pool(), want: { p: [0, 0, 0] } },
  { name: 'exclusive 10 with an exclusive child of 4: parent keeps 6', tree: nested, want: { p: [6, 6, 6], c: [4, 4, 4] } },
  { name: 'a child left at defaults allocates nothing and gets the class default', tree: nested, want: { d: [20, 20, 20] } },
  { name: 'share 1:3 of 8: fair shares 2 and 6, each bounded by the parent', tree: shares, want: { s1: [2, Infinity, 8], s3: [6, Infinity, 8] } },
  {
    name: 'share with a borrowLimit: fair share + borrowLimit',
    tree: () => new QuotaTree([node('p', null, S({ guarantee: { cpu: 8 } })), node('s1', 'p', share(1, { borrowLimit: { cpu: 1 } })), node('s3', 'p', share(3))]),
    want: { s1: [2, 3, 3], s3: [6, Infinity, 8] },
  },
  {
    name: 'an exclusive grandchild under a share child is allocated from the grandparent',
    tree: () => new QuotaTree([node('p', null, S({ guarantee: { cpu: 10 } })), node('s', 'p', share(1)), node('g', 's', S({ guarantee: { cpu: 4 } }))]),
    want: { p: [6, 6, 6], s: [6, Infinity, 6], g: [4, 4, 4] },
  },
  { name: 'a top-level share project acts as exclusive', tree: () => new QuotaTree([node('t', null, share(2, { guarantee: { cpu: 5 } }))]), want: { t: [5, 5, 5] } },
  {
    name: 'top-level lend projects pool by domain',
    tree: () => new QuotaTree([node('x', null, lend(5)), node('y', null, lend(7)), node('z', null, lend(3), 'e')]),
    want: { x: [5, 12, 12], y: [7, 12, 12], z: [3, 3, 3] },
  },
];
for (const c of cases) {
  test(`QuotaTree: ${c.name}`, () => {
    const t = c.tree();
    for (const [id, [own, limit, effective, lendable, reserved]] of Object.entries(c.want)) {
      assert.equal(t.ownGuarantee(id).cpu, own, `${id} own guarantee`);
      assert.equal(t.ownLimit(id).cpu, limit, `${id} own limit`);
      assert.equal(t.effectiveLimit(id).cpu, effective, `${id} effective limit`);
      if (lendable !== undefined) assert.equal(t.lendable(id).cpu, lendable, `${id} lendable`);
      if (reserved !== undefined) assert.equal(t.reserved(id).cpu, reserved, `${id} reserved`);
    }
  });
}

test('QuotaTree: resources not set fall back to the defaults; share divides them too', () => {
  const t = shares();
  assert.deepEqual(t.nominal('p'), { containers: 40, cpu: 8, memory: 51200, disk: 100 });
  assert.deepEqual(t.fairShare('s1'), { containers: 10, cpu: 2, memory: 12800, disk: 25 });
  assert.deepEqual(t.fairShare('s3'), { containers: 30, cpu: 6, memory: 38400, disk: 75 });
  assert.equal(t.fairShare('p'), null);
  assert.deepEqual(nested().allocated('p'), { containers: 0, cpu: 4, memory: 0, disk: 0 });
});

const modes: { name: string; tree: () => QuotaTree; id: string; mode: Mode; pool: string | null; members?: string[]; reclaim: string[] }[] = [
  { name: 'lend child', tree: () => pool(), id: 'a', mode: 'lend', pool: 'pool:p', members: ['a', 'b'], reclaim: ['b'] },
  { name: 'top-level lend', tree: () => new QuotaTree([node('x', null, lend(5)), node('y', null, lend(7))]), id: 'y', mode: 'lend', pool: 'pool:domain:d', members: ['x', 'y'], reclaim: ['x'] },
  { name: 'share child', tree: shares, id: 's3', mode: 'share', pool: null, reclaim: ['s1'] },
  { name: 'exclusive child', tree: nested, id: 'c', mode: 'exclusive', pool: null, reclaim: [] },
];
for (const c of modes) {
  test(`QuotaTree: mode, pool and reclaim scope of a ${c.name}`, () => {
    const t = c.tree();
    assert.equal(t.mode(c.id), c.mode);
    assert.equal(t.poolOf(c.id)?.scope ?? null, c.pool);
    if (c.members) assert.deepEqual(t.poolOf(c.id)!.members, c.members);
    assert.deepEqual(t.reclaimScope(c.id), c.reclaim);
  });
}

test('QuotaTree: plan is own row, then pool row, then the parent (share)', () => {
  const t = new QuotaTree([
    node('p', null, S({ guarantee: { cpu: 30 } })), node('l', 'p', lend(10)), node('m', 'p', lend(10)), node('s', 'l', share(1)),
  ]);
  assert.deepEqual(t.plan('p').map((x) => `${x.kind}:${x.scope}`), ['own:p']);
  assert.deepEqual(t.plan('l').map((x) => `${x.kind}:${x.scope}`), ['own:l', 'pool:pool:p']);
  assert.deepEqual(t.plan('s').map((x) => `${x.kind}:${x.scope}`), ['own:s', 'own:l', 'pool:pool:p']);
  const last = t.plan('s')[2];
  assert.ok(last.kind === 'pool' && last.member === 'l' && last.capacity.cpu === 20 && last.reserved.cpu === 0);
});

test('QuotaTree: children by name, a parent outside the list makes a top-level project', () => {
  const t = new QuotaTree([node('3', null), { ...node('2', '3'), name: 'zed' }, { ...node('1', '3'), name: 'amy' }, node('o', 'gone')]);
  assert.deepEqual(t.children('3'), ['1', '2']);
  assert.deepEqual(t.roots(), ['3', 'o']);
  assert.equal(t.parentOf('o'), null);
  assert.throws(() => t.node('nope'), /unknown project nope/);
});

test('QuotaTree: a parent cycle is cut at the first project found on it', () => {
  const t = new QuotaTree([node('a', 'b'), node('b', 'a')]);
  assert.deepEqual([t.parentOf('a'), t.parentOf('b')], [null, 'a']);
});

test('QuotaTree: a cycle above a project that is not on it ends too', () => {
  const t = new QuotaTree([node('p', 'a'), node('a', 'b'), node('b', 'a')]);
  assert.deepEqual([t.parentOf('p'), t.parentOf('a'), t.parentOf('b')], ['a', null, 'a']);
  assert.deepEqual(t.roots(), ['a']);
});

test('QuotaTree: withSettings is a copy; the original is unchanged', () => {
  const t = pool();
  const u = t.withSettings('a', lend(9, { borrowLimit: { cpu: 1 } }));
  assert.equal(t.ownLimit('a').cpu, 21);
  assert.equal(u.ownLimit('a').cpu, 10);
  assert.equal(t.withSettings('a', null).mode('a'), 'exclusive');
});
