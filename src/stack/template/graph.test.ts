import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dependencyGraph, parseTemplate, TemplateError } from './index.js';

const T = (resources: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  parseTemplate({ heat_template_version: '2018-08-31', resources, ...extra });

const cases: { name: string; resources: Record<string, unknown>; conditions?: Record<string, boolean>; extra?: Record<string, unknown>;
  deps: Record<string, string[]>; levels: string[][] }[] = [
  { name: 'independent resources share one level, in template order',
    resources: { b: { type: 'T' }, a: { type: 'T' } }, deps: { b: [], a: [] }, levels: [['b', 'a']] },
  { name: 'depends_on as a string',
    resources: { web: { type: 'T', depends_on: 'db' }, db: { type: 'T' } }, deps: { web: ['db'], db: [] }, levels: [['db'], ['web']] },
  { name: 'depends_on as a list',
    resources: { c: { type: 'T', depends_on: ['a', 'b'] }, a: { type: 'T' }, b: { type: 'T' } }, deps: { c: ['a', 'b'], a: [], b: [] }, levels: [['a', 'b'], ['c']] },
  { name: 'get_resource in properties',
    resources: { port: { type: 'T', properties: { net: { get_resource: 'net' } } }, net: { type: 'T' } }, deps: { port: ['net'], net: [] }, levels: [['net'], ['port']] },
  { name: 'get_attr nested deep in properties, and in metadata',
    resources: { a: { type: 'T', properties: { x: [{ y: { get_attr: ['b', 'ip', 0] } }] }, metadata: { m: { get_resource: 'c' } } }, b: { type: 'T' }, c: { type: 'T' } },
    deps: { a: ['b', 'c'], b: [], c: [] }, levels: [['b', 'c'], ['a']] },
  { name: 'a diamond: levels by longest chain',
    resources: { top: { type: 'T', depends_on: ['l', 'r'] }, l: { type: 'T', depends_on: 'base' }, r: { type: 'T', properties: { p: { get_resource: 'l' } } }, base: { type: 'T' } },
    deps: { top: ['l', 'r'], l: ['base'], r: ['l'], base: [] }, levels: [['base'], ['l'], ['r'], ['top']] },
  { name: 'a reference twice is one dependency',
    resources: { a: { type: 'T', depends_on: 'b', properties: { x: { get_resource: 'b' }, y: { get_attr: ['b', 'z'] } } }, b: { type: 'T' } },
    deps: { a: ['b'], b: [] }, levels: [['b'], ['a']] },
  { name: 'a resource whose condition is false is left out, and so are dependencies on it',
    resources: { a: { type: 'T', depends_on: 'b', properties: { x: { get_resource: 'b' } } }, b: { type: 'T', condition: 'big' } },
    extra: { conditions: { big: false } }, conditions: { big: false }, deps: { a: [] }, levels: [['a']] },
  { name: 'only the branch of an if its condition picks counts',
    resources: { a: { type: 'T', properties: { x: { if: ['big', { get_resource: 'b' }, { get_resource: 'c' }] } } }, b: { type: 'T' }, c: { type: 'T' } },
    extra: { conditions: { big: true } }, conditions: { big: true }, deps: { a: ['b'], b: [], c: [] }, levels: [['b', 'c'], ['a']] },
  { name: 'a literal false condition',
    resources: { a: { type: 'T', condition: false }, b: { type: 'T', condition: true } }, deps: { b: [] }, levels: [['b']] },
  { name: 'no resources', resources: {}, deps: {}, levels: [] },
];
for (const c of cases) {
  test(`graph: ${c.name}`, () => {
    const g = dependencyGraph(T(c.resources, c.extra), c.conditions ?? {});
    assert.deepEqual(g.deps, c.deps);
    assert.deepEqual(g.levels, c.levels);
  });
}

const cycles: { name: string; resources: Record<string, unknown>; message: string }[] = [
  { name: 'a resource on itself', resources: { a: { type: 'T', properties: { x: { get_resource: 'a' } } } }, message: 'Circular Dependency Found: a -> a' },
  { name: 'two by depends_on', resources: { a: { type: 'T', depends_on: 'b' }, b: { type: 'T', depends_on: 'a' } }, message: 'Circular Dependency Found: a -> b -> a' },
  { name: 'three, through get_attr, behind a resource that waits on them',
    resources: { z: { type: 'T', depends_on: 'a' }, a: { type: 'T', properties: { x: { get_attr: ['b', 'k'] } } }, b: { type: 'T', depends_on: 'c' }, c: { type: 'T', depends_on: 'a' }, ok: { type: 'T' } },
    message: 'Circular Dependency Found: a -> b -> c -> a' },
];
for (const c of cycles) {
  test(`graph refuses a cycle: ${c.name}`, () => {
    assert.throws(() => dependencyGraph(T(c.resources), {}), (e: unknown) => {
      assert.ok(e instanceof TemplateError);
      assert.equal(e.message, c.message);
      return true;
    });
  });
}

test('graph: depends_on an unknown resource', () => {
  assert.throws(() => dependencyGraph(T({ a: { type: 'T', depends_on: 'nope' } }), {}),
    { message: 'The specified reference "nope" (in resources.a.depends_on) is incorrect.' });
});

test('graph: a long chain and a wide level stay in order (linear work)', () => {
  const resources: Record<string, unknown> = {};
  for (let i = 0; i < 2000; i++) resources[`r${i}`] = { type: 'T', ...(i > 0 ? { properties: { p: { get_resource: `r${i - 1}` } } } : {}) };
  const g = dependencyGraph(T(resources), {});
  assert.equal(g.levels.length, 2000);
  assert.deepEqual(g.levels[1999], ['r1999']);
});
