import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveRoleIds, expandRoleIds, inferenceRefusal } from './implied-roles.js';

const rule = (prior: string, implied: string) => ({ prior, implied });

test('expandRoleIds follows chains once, keeps where each came from, survives cycles', () => {
  const cases = [
    { name: 'no rules', held: ['a'], rules: [], want: [{ id: 'a', from: 'a' }] },
    { name: 'one rule', held: ['a'], rules: [rule('a', 'b')], want: [{ id: 'a', from: 'a' }, { id: 'b', from: 'a' }] },
    { name: 'chain', held: ['a'], rules: [rule('a', 'b'), rule('b', 'c')], want: [{ id: 'a', from: 'a' }, { id: 'b', from: 'a' }, { id: 'c', from: 'a' }] },
    { name: 'cycle', held: ['a'], rules: [rule('a', 'b'), rule('b', 'a')], want: [{ id: 'a', from: 'a' }, { id: 'b', from: 'a' }] },
    { name: 'implied already held', held: ['a', 'b'], rules: [rule('a', 'b')], want: [{ id: 'a', from: 'a' }, { id: 'b', from: 'b' }] },
    { name: 'rule of a role not held', held: ['c'], rules: [rule('a', 'b')], want: [{ id: 'c', from: 'c' }] },
  ];
  for (const c of cases) assert.deepEqual(expandRoleIds(c.held, c.rules), c.want, c.name);
});

test('effectiveRoleIds drops domain-specific roles after expanding them', () => {
  const isDomainRole = (id: string) => id.startsWith('d');
  assert.deepEqual(effectiveRoleIds(['d1'], [rule('d1', 'g1'), rule('d1', 'd2'), rule('d2', 'g2')], isDomainRole), ['g1', 'g2']);
  assert.deepEqual(effectiveRoleIds(['d1'], [], isDomainRole), []);
  assert.deepEqual(effectiveRoleIds(['g1'], [], isDomainRole), ['g1']);
});

test('inferenceRefusal: self, admin implied, global implying domain-specific', () => {
  const g = (id: string, name = id) => ({ id, name, domainId: null });
  const d = (id: string) => ({ id, name: id, domainId: 'dom' });
  const cases = [
    { name: 'global to global', prior: g('a'), implied: g('b'), want: undefined },
    { name: 'domain to global', prior: d('a'), implied: g('b'), want: undefined },
    { name: 'domain to domain', prior: d('a'), implied: d('b'), want: undefined },
    { name: 'itself', prior: g('a'), implied: g('a'), want: 'bad_request' },
    { name: 'admin implied', prior: g('a'), implied: g('x', 'admin'), want: 'forbidden' },
    { name: 'global to domain', prior: g('a'), implied: d('b'), want: 'forbidden' },
  ];
  for (const c of cases) assert.equal(inferenceRefusal(c.prior, c.implied)?.status, c.want, c.name);
});
