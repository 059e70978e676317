import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rawAttachOptions, rawExecOptions } from './stream-params.js';

test('raw exec params become engine options', () => {
  assert.deepEqual(rawExecOptions({ command: ['sh'], tty: true, env: ['A=1'], workdir: '/tmp', user: 'nobody', privileged: false, stdin: true, stdout: true, stderr: false, detachKeys: 'ctrl-x', consoleSize: [24, 80] }),
    { cmd: ['sh'], tty: true, env: ['A=1'], workdir: '/tmp', user: 'nobody', privileged: false, stdin: true, stdout: true, stderr: false, detachKeys: 'ctrl-x', consoleSize: [24, 80] });
  const plain = rawExecOptions({ command: ['true'], workdir: '', consoleSize: [0, 80], env: 'A=1' });
  assert.equal(plain.tty, false);
  assert.equal(plain.workdir, undefined);
  assert.equal(plain.consoleSize, undefined);
  assert.equal(plain.env, undefined);
  assert.throws(() => rawExecOptions({ command: [] }), /non-empty/);
  assert.throws(() => rawExecOptions({ command: 'ls' }), /non-empty/);
});

test('raw attach params become engine options', () => {
  assert.deepEqual(rawAttachOptions({ stdin: false, stdout: true, stderr: true, logs: false, stream: true, detachKeys: 'ctrl-p,ctrl-q', raw: true }),
    { stdin: false, stdout: true, stderr: true, logs: false, stream: true, detachKeys: 'ctrl-p,ctrl-q' });
  assert.deepEqual(rawAttachOptions({}), { stdin: undefined, stdout: undefined, stderr: undefined, logs: undefined, stream: undefined, detachKeys: undefined });
});
