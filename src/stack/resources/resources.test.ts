import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memberIndex, planScale, removalIndexes, substituteIndex } from './resource-group.js';
import { randomString, requirementsOf } from './helpers.js';
import { isOwnEndpoint } from './docker-container.js';
import { changedProperties } from './types.js';
import { parseRestartPolicy } from './containers.js';

test('planScale keeps the lowest indexes, removes named ones first, and never reuses an index', () => {
  // [existing, count, removal list, keep, remove, add]
  const rows: [number[], number, number[], number[], number[], number[]][] = [
    [[], 3, [], [], [], [0, 1, 2]],
    [[0, 1, 2, 3, 4], 2, [], [0, 1], [2, 3, 4], []],
    [[0, 1, 2], 2, [0], [1, 2], [0], []],
    [[0, 1, 2], 3, [1], [0, 2], [1], [3]],
    [[0, 1], 4, [], [0, 1], [], [2, 3]],
    [[0, 2], 3, [], [0, 2], [], [3]],
    [[0, 1], 0, [], [], [0, 1], []],
  ];
  for (const [existing, count, named, keep, remove, add] of rows) {
    assert.deepEqual(planScale(existing, count, named), { keep, remove, add }, `${JSON.stringify(existing)} → ${count} removing ${JSON.stringify(named)}`);
  }
});

test('substituteIndex replaces the index variable in every string, keys kept', () => {
  assert.deepEqual(substituteIndex({ name: 'web-%index%', cmd: ['echo', '%index%'], n: 3, m: { a: 'x%index%y' } }, '%index%', 4),
    { name: 'web-4', cmd: ['echo', '4'], n: 3, m: { a: 'x4y' } });
  assert.equal(substituteIndex('node-$i', '$i', 0), 'node-0');
});

test('member names and removal policies', () => {
  assert.equal(memberIndex('grp', 'grp.3'), 3);
  assert.equal(memberIndex('grp', 'grp.x'), undefined);
  assert.equal(memberIndex('grp', 'other.1'), undefined);
  assert.deepEqual(removalIndexes([{ resource_list: ['1', 3, 'name'] }, {}]), [1, 3]);
  assert.deepEqual(removalIndexes(undefined), []);
});

test('randomString honours length and minimums per class', () => {
  const s = randomString(10, requirementsOf({ character_classes: [{ class: 'digits', min: 4 }, { class: 'uppercase', min: 2 }] }));
  assert.equal(s.length, 10);
  assert.ok((s.match(/\d/g) ?? []).length >= 4, s);
  assert.ok((s.match(/[A-Z]/g) ?? []).length >= 2, s);
  assert.match(randomString(32, requirementsOf({})), /^[A-Za-z0-9]{32}$/);
  assert.match(randomString(8, requirementsOf({ sequence: 'hexdigits' })), /^[0-9a-f]{8}$/);
});

test('docker_endpoint: only this cloud\'s own', () => {
  const own = ['tcp://127.0.0.1:8375'];
  const rows: [string, boolean][] = [
    ['tcp://127.0.0.1:8375', true], ['http://127.0.0.1:8375/', true], ['TCP://127.0.0.1:8375', true],
    ['tcp://10.0.0.5:2375', false], ['unix:///var/run/docker.sock', false], ['tcp://127.0.0.1:2375', false],
  ];
  for (const [endpoint, want] of rows) assert.equal(isOwnEndpoint(endpoint, own), want, endpoint);
});

test('changedProperties and restart policies', () => {
  assert.deepEqual(changedProperties({ a: 1, b: 'x', c: [1] }, { a: 2, b: 'x', c: [1], d: true }), ['a', 'd']);
  assert.deepEqual(changedProperties({ a: null }, {}), []);
  assert.deepEqual(parseRestartPolicy('on-failure:3'), { name: 'on-failure', maximumRetryCount: 3 });
  assert.deepEqual(parseRestartPolicy('always'), { name: 'always', maximumRetryCount: 0 });
  assert.equal(parseRestartPolicy(undefined), undefined);
  assert.throws(() => parseRestartPolicy('sometimes'), /Invalid restart_policy/);
});
