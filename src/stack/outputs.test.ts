import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StackResourceRow } from '../store/schema.js';
import { groupAttribute } from './outputs.js';

const row = (name: string, physical: string, attrs: Record<string, unknown>, type = 'OS::Zun::Container'): StackResourceRow => ({
  stack_id: 's', name, id: name, type, physical_id: physical, intended: null, action: 'CREATE', status: 'COMPLETE', reason: '',
  definition: '{}', properties: '{}', attributes: JSON.stringify(attrs), required_by: '[]', created_at: '', updated_at: null,
});

test('a group\'s attributes come from its members in index order', () => {
  const rows = [row('g', 'gid', {}, 'OS::Heat::ResourceGroup'), row('g.10', 'p10', { name: 'ten' }), row('g.2', 'p2', { name: 'two' }), row('other.1', 'x', { name: 'no' })];
  assert.deepEqual(groupAttribute('g', 'refs', rows), ['p2', 'p10']);
  assert.deepEqual(groupAttribute('g', 'refs_map', rows), { 2: 'p2', 10: 'p10' });
  assert.deepEqual(groupAttribute('g', 'name', rows), ['two', 'ten']);
  assert.equal(groupAttribute('g', 'resource.10', rows), 'p10');
  assert.equal(groupAttribute('g', 'resource.2.name', rows), 'two');
  assert.equal(groupAttribute('g', 'resource.7', rows), null);
  assert.deepEqual(groupAttribute('g', 'attributes', rows), { 2: { name: 'two' }, 10: { name: 'ten' } });
});
