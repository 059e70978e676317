import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../core/errors.js';
import { dockerBool, logsContentType, logsParams, specHasTty } from './logs.js';

test('Docker booleans', () => {
  const cases: [string | undefined, boolean][] = [[undefined, false], ['', false], ['0', false], ['false', false], ['no', false], ['1', true], ['true', true], ['True', true]];
  for (const [v, want] of cases) assert.equal(dockerBool(v), want, String(v));
  assert.equal(dockerBool(undefined, true), true);
});

test('logs requests become the agent stream parameters', () => {
  assert.deepEqual(logsParams({ stdout: '1', stderr: '1', tail: 'all' }), { stdout: true, stderr: true, follow: false, timestamps: false, tail: 'all' });
  assert.deepEqual(logsParams({ stdout: '1', follow: '1', timestamps: 'true', tail: '5' }), { stdout: true, stderr: false, follow: true, timestamps: true, tail: '5' });
  assert.equal(logsParams({ stderr: '1', tail: '-1' }).tail, 'all');
  assert.equal(logsParams({ stdout: '1', since: '1700000000' }).since, '1700000000.000000000');
  assert.equal(logsParams({ stdout: '1', since: '0', until: '' }).since, undefined);
  assert.throws(() => logsParams({ tail: '1' }), (e: BerthError) => e.status === 400 && /at least one stream/.test(e.message));
  assert.throws(() => logsParams({ stdout: '1', tail: 'some' }), (e: BerthError) => e.status === 400);
  assert.throws(() => logsParams({ stdout: '1', until: 'later' }), (e: BerthError) => e.status === 400);
});

test('the stream type follows the container\'s TTY', () => {
  assert.equal(logsContentType(false), 'application/vnd.docker.multiplexed-stream');
  assert.equal(logsContentType(true), 'application/vnd.docker.raw-stream');
  assert.equal(specHasTty('{"tty":true}'), true);
  assert.equal(specHasTty('{"command":["sh"]}'), false);
  assert.equal(specHasTty('not json'), false);
});
