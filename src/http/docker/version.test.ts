import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareVersions, stripVersion, versionServed } from './version.js';

test('stripVersion cuts /vX.Y and keeps the rest of the URL', () => {
  const cases: [string, { url: string; version?: string }][] = [
    ['/v1.50/containers/json?all=1', { url: '/containers/json?all=1', version: '1.50' }],
    ['/containers/json', { url: '/containers/json' }],
    ['/v1.24/_ping', { url: '/_ping', version: '1.24' }],
    ['/v1.50', { url: '/', version: '1.50' }],
    ['/v1.50?x=1', { url: '/?x=1', version: '1.50' }],
    ['/v1x/info', { url: '/v1x/info' }],
    ['/version', { url: '/version' }],
  ];
  for (const [input, want] of cases) assert.deepEqual(stripVersion(input), want, input);
});

test('versions compare numerically and are served between 1.24 and 1.50', () => {
  assert.ok(compareVersions('1.9', '1.24') < 0);
  assert.ok(compareVersions('1.50', '1.41') > 0);
  assert.equal(compareVersions('1.50', '1.50'), 0);
  assert.equal(versionServed('1.50'), true);
  assert.equal(versionServed('1.24'), true);
  assert.equal(versionServed('1.23'), false);
  assert.equal(versionServed('1.51'), false);
});
