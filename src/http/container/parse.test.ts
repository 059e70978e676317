import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMemoryMb, splitCommand, checkResources } from './parse.js';

const commands: [string, string[]][] = [
  ['sleep 3600', ['sleep', '3600']],
  ['sh -c "echo hi; exit 3"', ['sh', '-c', 'echo hi; exit 3']],
  ["sh -c 'a  b'", ['sh', '-c', 'a  b']],
  ['echo a\\ b', ['echo', 'a b']],
  ['  spaced   out  ', ['spaced', 'out']],
  ['empty "" arg', ['empty', '', 'arg']],
];
for (const [line, want] of commands) test(`splits ${line}`, () => assert.deepEqual(splitCommand(line), want));
test('refuses an unterminated quote', () => assert.throws(() => splitCommand('echo "oops'), /Unterminated/));

const memory: [string | number, number][] = [[512, 512], ['512', 512], ['1g', 1024], ['2048k', 2], ['1048576b', 1], ['64M', 64]];
for (const [v, want] of memory) test(`memory ${v} is ${want} MiB`, () => assert.equal(parseMemoryMb(v), want));
test('refuses memory text that is not a size', () => assert.throws(() => parseMemoryMb('lots'), /Invalid memory/));
test('refuses zero, negative and absurd resources', () => {
  assert.throws(() => checkResources(0, undefined), /cpu/);
  assert.throws(() => checkResources(-1, undefined), /cpu/);
  assert.throws(() => checkResources(5000, undefined), /cpu/);
  assert.throws(() => checkResources(undefined, 1), /memory/);
  assert.throws(() => checkResources(undefined, 1e9), /memory/);
  assert.doesNotThrow(() => checkResources(0.5, 64));
});
