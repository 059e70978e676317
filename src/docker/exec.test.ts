import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../core/errors.js';
import { execInspect, multiplexedStream, parseExecRequest, parseExecStart, queryFlag, type ExecRecord } from './exec.js';
import { ExecStore } from './exec-store.js';

test('exec requests are read from Docker\'s body', () => {
  const cases: [unknown, Partial<ReturnType<typeof parseExecRequest>>][] = [
    [{ Cmd: ['echo', 'hi'], AttachStdout: true, AttachStderr: true }, { cmd: ['echo', 'hi'], tty: false, stdin: false, stdout: true, stderr: true, privileged: false }],
    [{ Cmd: ['sh'], Tty: true, AttachStdin: true, Env: ['A=1'], WorkingDir: '/tmp', User: '1000', DetachKeys: 'ctrl-x', ConsoleSize: [24, 80] },
      { cmd: ['sh'], tty: true, stdin: true, env: ['A=1'], workdir: '/tmp', user: '1000', detachKeys: 'ctrl-x', consoleSize: [24, 80] }],
    [{ Cmd: ['true'], Env: null, WorkingDir: '', User: '', ConsoleSize: [0, 0] }, { cmd: ['true'], env: undefined, workdir: undefined, user: undefined, consoleSize: undefined }],
  ];
  for (const [body, want] of cases) {
    const got = parseExecRequest(body);
    for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k as keyof typeof got], v, `${JSON.stringify(body)} ${k}`);
  }
});

test('bad exec requests are 400s in Docker\'s words', () => {
  const cases: [unknown, RegExp][] = [
    [{}, /No exec command specified/],
    [{ Cmd: [] }, /No exec command specified/],
    [{ Cmd: 'echo' }, /Cmd must be a list/],
    [{ Cmd: ['x'], Env: 'A=1' }, /Env must be/],
    [{ Cmd: ['x'], WorkingDir: 'tmp' }, /needs to be an absolute path/],
    [{ Cmd: ['x'], Tty: 'yes' }, /Tty must be true or false/],
    [{ Cmd: ['x'], ConsoleSize: [1] }, /ConsoleSize/],
    [[], /JSON object/],
  ];
  for (const [body, message] of cases) {
    assert.throws(() => parseExecRequest(body), (e: unknown) => e instanceof BerthError && e.status === 400 && message.test(e.message), JSON.stringify(body));
  }
});

test('exec start bodies', () => {
  assert.deepEqual(parseExecStart(undefined), { detach: false });
  assert.deepEqual(parseExecStart({ Detach: true }), { detach: true });
  assert.deepEqual(parseExecStart({ Detach: false, Tty: true }), { detach: false, tty: true });
  assert.throws(() => parseExecStart('x'), BerthError);
});

const record = (id: string, createdAt: number, more: Partial<ExecRecord> = {}): ExecRecord => ({
  id, cmd: ['sh', '-c', 'exit 3'], tty: false, privileged: false, stdin: false, stdout: true, stderr: true,
  containerUuid: 'c1', hostId: 'h1', projectId: 'p1', started: false, running: false, exitCode: null, pid: 0, createdAt, ...more,
});

test('exec inspect shows Docker\'s fields', () => {
  const r = record('e1', 0, { started: true, exitCode: 3, user: 'nobody' });
  assert.deepEqual(execInspect(r, 'c1'), {
    ID: 'e1', Running: false, ExitCode: 3,
    ProcessConfig: { entrypoint: 'sh', arguments: ['-c', 'exit 3'], tty: false, user: 'nobody', privileged: false },
    OpenStdin: false, OpenStderr: true, OpenStdout: true, CanRemove: false, ContainerID: 'c1', DetachKeys: '', Pid: 0,
  });
});

test('the exec store: start once, finish with the code, expire, cap', () => {
  const s = new ExecStore<string>({ max: 2, keepFinishedMs: 100, keepUnstartedMs: 1000 });
  s.add(record('a', 0), 0);
  assert.throws(() => s.get('zz', 0), (e: unknown) => e instanceof BerthError && e.status === 404 && e.message === 'No such exec instance: zz');
  s.start('a', 1, 'live-a');
  assert.equal(s.live('a'), 'live-a');
  assert.throws(() => s.start('a', 2), (e: unknown) => e instanceof BerthError && e.status === 409);
  s.add(record('b', 2), 2);
  // Full, and `a` is running: the never-started `b` makes room.
  s.add(record('c', 3), 3);
  assert.throws(() => s.get('b', 3), BerthError);
  s.finish('a', 3, 10);
  assert.equal(s.get('a', 10).exitCode, 3);
  assert.equal(s.get('a', 10).running, false);
  assert.equal(s.live('a'), undefined);
  // Finished `a` is forgotten 100 ms after it ended; never-started `c` lives 1000 ms.
  assert.throws(() => s.get('a', 111), BerthError);
  assert.equal(s.get('c', 500).id, 'c');
  assert.throws(() => s.get('c', 1004), BerthError);
});

test('the exec store refuses a new exec when every kept one is running', () => {
  const s = new ExecStore({ max: 1, keepFinishedMs: 100, keepUnstartedMs: 100 });
  s.add(record('a', 0), 0);
  s.start('a', 0);
  assert.throws(() => s.add(record('b', 1), 1), (e: unknown) => e instanceof BerthError && e.status === 503);
});

test('query flags and the stream type', () => {
  const flags: [string | null, boolean | undefined][] = [[null, undefined], ['', false], ['0', false], ['no', false], ['False', false], ['none', false], ['1', true], ['true', true], ['yes', true]];
  for (const [v, want] of flags) assert.equal(queryFlag(v), want, String(v));
  const types: [boolean, string, boolean][] = [[false, '1.50', true], [false, '1.42', true], [false, '1.41', false], [true, '1.50', false], [false, '2.0', true]];
  for (const [tty, version, want] of types) assert.equal(multiplexedStream(tty, version), want, `${tty} ${version}`);
});
