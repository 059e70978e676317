import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type Docker from 'dockerode';
import { followEvents } from './events.js';
import { JsonLineSplitter } from './json-lines.js';
import type { EngineEvent } from './types.js';

const line = (action: string, nano: string) =>
  `{"Type":"container","Action":"${action}","Actor":{"ID":"c1","Attributes":{"berth.project":"p"}},"time":1,"timeNano":${nano}}\n`;

test('JsonLineSplitter: lines split across chunks and inside a multi-byte character', () => {
  const s = new JsonLineSplitter();
  const bytes = Buffer.from('{"a":"é"}\n\n{"b":2}\nnot json\n{"c":');
  assert.deepEqual(s.push(bytes.subarray(0, 8)), []);
  assert.deepEqual(
    s.push(bytes.subarray(8)).map((l) => l.value),
    [{ a: 'é' }, { b: 2 }],
  );
  assert.deepEqual(s.push('3}\n').map((l) => l.value), [{ c: 3 }]);
});

/** A stand-in for dockerode's getEvents: each call takes the next scripted stream. */
function fakeDocker(script: ((s: PassThrough) => void)[]) {
  const queries: Record<string, unknown>[] = [];
  const docker = {
    async getEvents(q: Record<string, unknown>) {
      queries.push(q);
      const s = new PassThrough();
      const step = script.shift();
      if (!step) throw new Error('engine down');
      setImmediate(() => step(s));
      return s;
    },
  } as unknown as Docker;
  return { docker, queries };
}

test('followEvents: reconnects after an error, replays from the last event, delivers each once', async () => {
  const ac = new AbortController();
  const got: EngineEvent[] = [];
  const errors: unknown[] = [];
  const { docker, queries } = fakeDocker([
    (s) => {
      const first = line('start', '1000000002000000003');
      s.write(first.slice(0, 30));
      s.write(first.slice(30));
      s.destroy(new Error('connection reset'));
    },
    (s) => {
      s.write(line('start', '1000000002000000003')); // replayed by `since`
      s.write(line('die', '1000000002000000009'));
    },
  ]);
  const done = followEvents(docker, { 'berth.project': 'p' }, (e) => {
    got.push(e);
    if (got.length === 2) ac.abort();
  }, ac.signal, { onError: (e) => errors.push(e) });
  await done;
  assert.deepEqual(got.map((e) => [e.action, e.status]), [['start', 'running'], ['die', 'exited']]);
  assert.equal(errors.length, 1);
  assert.deepEqual(queries[0].filters, { type: ['container'], label: ['berth.project=p'] });
  assert.equal(queries[0].since, undefined);
  assert.equal(queries[1].since, '1000000002.000000003');
});

test('followEvents: keeps retrying while the engine is down, stops when aborted', async () => {
  const ac = new AbortController();
  const errors: unknown[] = [];
  const { docker, queries } = fakeDocker([]);
  setTimeout(() => ac.abort(), 400);
  await followEvents(docker, {}, () => {}, ac.signal, { onError: (e) => errors.push(e) });
  // Backoff doubles from 100 ms: 2 or 3 attempts fit before the abort, not one per tick.
  assert.ok(queries.length >= 2 && queries.length <= 3, `${queries.length} attempts`);
  assert.equal(errors.length, queries.length);
  assert.deepEqual(queries[0].filters, { type: ['container'], label: [] });
});
