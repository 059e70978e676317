import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isBerthError } from '../../core/errors.js';
import { parseListQuery } from './query.js';

test('parseListQuery: defaults are 25 newest first, accepted memberships, no hidden images', () => {
  const q = parseListQuery({});
  assert.equal(q.limit, 25);
  assert.deepEqual(q.sort, [{ key: 'created_at', dir: 'desc' }]);
  assert.equal(q.memberStatus, 'accepted');
  assert.equal(q.hidden, false);
  assert.deepEqual(q.tags, []);
  assert.deepEqual(q.properties, {});
});

test('parseListQuery: filters, both sort syntaxes, property filters and the limit cap', () => {
  const q = parseListQuery({ name: 'a', status: 'active', visibility: 'shared', owner: 'p', tag: ['x', 'y'], member_status: 'all',
    protected: 'true', os_hidden: 'false', size_min: '10', size_max: '20', limit: '5000', marker: 'm', os_distro: 'busybox', sort: 'name:asc,size' });
  assert.deepEqual([q.name, q.status, q.visibility, q.owner, q.tags, q.memberStatus, q.protected, q.sizeMin, q.sizeMax, q.limit, q.marker],
    ['a', 'active', 'shared', 'p', ['x', 'y'], 'all', true, 10, 20, 1000, 'm']);
  assert.deepEqual(q.sort, [{ key: 'name', dir: 'asc' }, { key: 'size', dir: 'desc' }]);
  assert.deepEqual(q.properties, { os_distro: 'busybox' });
  assert.deepEqual(parseListQuery({ sort_key: ['name', 'size'], sort_dir: 'asc' }).sort, [{ key: 'name', dir: 'asc' }, { key: 'size', dir: 'asc' }]);
  assert.deepEqual(parseListQuery({ sort_dir: 'asc' }).sort, [{ key: 'created_at', dir: 'asc' }]);
});

test('parseListQuery: exact filters on integer columns and digests', () => {
  const q = parseListQuery({ size: '2359', min_ram: '0', virtual_size: '10', min_disk: '1', checksum: 'abc', os_hash_value: 'def', id: 'A-B' });
  assert.deepEqual(q.exact, { size: 2359, min_ram: 0, virtual_size: 10, min_disk: 1, checksum: 'abc', os_hash_value: 'def', id: 'a-b' });
  assert.deepEqual(q.properties, {});
  assert.deepEqual(parseListQuery({}).exact, {});
});

test('parseListQuery: in: on id, name, status and formats; time comparisons', () => {
  const q = parseListQuery({ id: 'in:A,b', name: 'in:x,"y,z"', status: 'active', created_at: 'gt:2016-04-18T21:38:54Z' });
  assert.deepEqual(q.anyOf, { id: ['a', 'b'], name: ['x', 'y,z'] });
  assert.equal(q.name, undefined);
  assert.equal(q.status, 'active');
  assert.equal(q.exact?.id, undefined);
  assert.deepEqual(q.times, [{ column: 'created_at', from: '2016-04-18T21:38:55.000Z' }]);
});

const refused: [string, Record<string, string | string[]>, RegExp][] = [
  ['a text limit', { limit: 'ten' }, /limit param must be an integer/],
  ['a negative limit', { limit: '-1' }, /limit param must be positive/],
  ['a bad sort key', { sort_key: 'owner' }, /Invalid sort key: owner/],
  ['a bad sort dir', { sort_dir: 'up' }, /Invalid sort direction: up/],
  ['both syntaxes', { sort: 'name', sort_key: 'name' }, /cannot be combined/],
  ['dirs and keys that do not pair', { sort_key: ['name', 'size', 'id'], sort_dir: ['asc', 'desc'] }, /does not match/],
  ['a bad member status', { member_status: 'maybe' }, /Invalid status: maybe/],
  ['a bad visibility', { visibility: 'secret' }, /Invalid visibility value: secret/],
  ['a bad os_hidden', { os_hidden: 'yes' }, /Valid values are 'true' or 'false'/],
  ['a bad size', { size_min: 'big' }, /size_min/],
  ['a size that is not a whole number', { size: '1.5' }, /Invalid value for size/],
  ['a negative min_ram', { min_ram: '-1' }, /Invalid value for min_ram/],
  ['changes-since', { 'changes-since': '2016' }, /no longer available/],
  ['a repeated name', { name: ['a', 'b'] }, /only once/],
  ['a time that is not ISO 8601', { created_at: 'gte:2016' }, /Invalid time/],
  ['an unknown time operator', { updated_at: 'after:2016-01-01T00:00:00Z' }, /Invalid operator 'after'/],
  ['an unclosed quote in in:', { name: 'in:"a,b' }, /quote is not closed/],
];
for (const [name, query, message] of refused) {
  test(`parseListQuery refuses ${name}`, () =>
    assert.throws(() => parseListQuery(query), (e: unknown) => isBerthError(e) && e.status === 400 && message.test(e.message)));
}
