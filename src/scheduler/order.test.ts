import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareHosts, compareNames } from './order.js';

const cases: Array<{ name: string; given: [string, string]; want: -1 | 0 | 1 }> = [
  { name: 'numbers compare as numbers', given: ['host-2', 'host-10'], want: -1 },
  { name: 'same name', given: ['host-1', 'host-1'], want: 0 },
  { name: 'letters by code', given: ['a', 'b'], want: -1 },
  { name: 'prefix first', given: ['host', 'host-1'], want: -1 },
  { name: 'leading zeros equal numbers, then plain order', given: ['h01', 'h1'], want: -1 },
  { name: 'later number decides', given: ['r1-h9', 'r1-h10'], want: -1 },
  { name: 'rack before host', given: ['r2-h1', 'r10-h1'], want: -1 },
  { name: 'digits before letters', given: ['h1', 'ha'], want: -1 },
];

for (const c of cases) {
  test(`compareNames: ${c.name}`, () => {
    assert.equal(compareNames(...c.given), c.want);
    assert.equal(compareNames(c.given[1], c.given[0]), -c.want || 0);
  });
}

test('compareHosts breaks name ties by id', () => {
  assert.equal(compareHosts({ name: 'h', id: 'a' }, { name: 'h', id: 'b' }), -1);
  assert.equal(compareHosts({ name: 'h', id: 'a' }, { name: 'h', id: 'a' }), 0);
});

test('sorting host names reads naturally', () => {
  const names = ['host-10', 'host-2', 'host-1', 'host-11', 'host-3'];
  assert.deepEqual(names.sort(compareNames), ['host-1', 'host-2', 'host-3', 'host-10', 'host-11']);
});
