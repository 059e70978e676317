import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configWithToken, dockerHostFrom } from './docker-env.js';

test('dockerHostFrom prefers BERTH_DOCKER_HOST, else the identity host on 8375', () => {
  assert.equal(dockerHostFrom({ BERTH_DOCKER_HOST: 'tcp://127.0.0.1:9000' }), 'tcp://127.0.0.1:9000');
  assert.equal(dockerHostFrom({ OS_AUTH_URL: 'http://cloud.example:8374/identity/v3' }), 'tcp://cloud.example:8375');
  assert.throws(() => dockerHostFrom({ BERTH_DOCKER_HOST: 'http://x' }), /tcp:\/\/HOST:PORT/);
  assert.throws(() => dockerHostFrom({}), /OS_AUTH_URL/);
});

test('configWithToken keeps other settings and replaces the token', () => {
  const first = JSON.parse(configWithToken(undefined, 't1'));
  assert.deepEqual(first, { HttpHeaders: { 'X-Auth-Token': 't1' } });
  const kept = JSON.parse(configWithToken(JSON.stringify({ detachKeys: 'ctrl-x', HttpHeaders: { 'User-Agent': 'a', 'X-Auth-Token': 'old' } }), 't2'));
  assert.deepEqual(kept, { detachKeys: 'ctrl-x', HttpHeaders: { 'User-Agent': 'a', 'X-Auth-Token': 't2' } });
  assert.deepEqual(JSON.parse(configWithToken('not json', 't3')), { HttpHeaders: { 'X-Auth-Token': 't3' } });
});
