import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appCredRoles, expiryMs, isExpired } from './app-creds.js';

test('expiryMs reads a time without a zone as UTC', () => {
  const cases = [
    { given: '2030-01-02T03:04:05.123456', want: Date.UTC(2030, 0, 2, 3, 4, 5, 123) },
    { given: '2030-01-02T03:04:05Z', want: Date.UTC(2030, 0, 2, 3, 4, 5) },
    { given: '2030-01-02T05:04:05+02:00', want: Date.UTC(2030, 0, 2, 3, 4, 5) },
  ];
  for (const c of cases) assert.equal(expiryMs(c.given), c.want, c.given);
  assert.ok(Number.isNaN(expiryMs('tomorrow')));
});

test('isExpired: never without an expiry, at and after the instant', () => {
  const at = Date.UTC(2030, 0, 1);
  assert.equal(isExpired(null, at), false);
  assert.equal(isExpired('2030-01-01T00:00:00', at - 1), false);
  assert.equal(isExpired('2030-01-01T00:00:00', at), true);
  assert.equal(isExpired('2030-01-01T00:00:00', at + 1), true);
});

test('appCredRoles: the granted roles while every one is still held, else none', () => {
  const held = [{ id: 'a', name: 'A' }, { id: 'b', name: 'B' }, { id: 'c', name: 'C' }];
  const cases = [
    { name: 'subset', granted: ['a', 'c'], want: ['a', 'c'] },
    { name: 'all', granted: ['a', 'b', 'c'], want: ['a', 'b', 'c'] },
    { name: 'one lost', granted: ['a', 'x'], want: [] },
    { name: 'none granted', granted: [], want: [] },
  ];
  for (const c of cases) assert.deepEqual(appCredRoles(held, c.granted).map((r) => r.id), c.want, c.name);
});
