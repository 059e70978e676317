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
  ['changes-since', { 'changes-since': '2016' }, /no longer available/],
  ['a repeated name', { name: ['a', 'b'] }, /only once/],
  ['an unsupported filter', { created_at: 'gte:2016' }, /not supported/],
];
for (const [name, query, message] of refused) {
  test(`parseListQuery refuses ${name}`, () =>
    assert.throws(() => parseListQuery(query), (e: unknown) => isBerthError(e) && e.status === 400 && message.test(e.message)));
}
