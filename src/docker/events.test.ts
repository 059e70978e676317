import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../core/errors.js';
import { containerEvent, dockerActions, eventLine, eventMatches, lastExit, parseDockerTime, parseFilters, statusAction } from './events.js';

const who = { id: 'c0ffee00-0000-4000-8000-000000000001', name: 'web', image: 'busybox', labels: { tier: 'front' } };

test('journal actions are Docker actions; failed ones and reads are none', () => {
  const cases: [string, string | null, string[]][] = [
    ['run', null, ['create', 'start']],
    ['create', 'Success', ['create']],
    ['start', null, ['start']],
    ['delete_force', 'Success', ['destroy']],
    ['reboot', 'Success', ['restart']],
    ['put_archive', 'Success', ['extract-to-dir']],
    ['stop', 'Error', []],
    ['logs', 'Success', []],
  ];
  for (const [action, result, want] of cases) assert.deepEqual(dockerActions(action, result), want, action);
});

test('an event names the container by id, name, image and labels; timeNano is written as an exact number', () => {
  const e = containerEvent(who, 'start', 1_765_000_000_123);
  assert.equal(e.time, 1_765_000_000);
  assert.equal(e.timeNano, '1765000000123000000');
  assert.deepEqual(e.Actor, { ID: who.id, Attributes: { tier: 'front', image: 'busybox', name: 'web' } });
  const line = eventLine(e);
  assert.ok(line.endsWith('}\n'));
  assert.match(line, /"timeNano":1765000000123000000}/);
  assert.equal(JSON.parse(line).status, 'start');
});

test('a running container that stopped died; other changes are no event', () => {
  const cases: [string | undefined, string, string | undefined][] = [
    ['Running', 'Stopped', 'die'], ['Running', 'Error', 'die'], [undefined, 'Stopped', undefined],
    ['Created', 'Running', undefined], ['Stopped', 'Stopped', undefined],
  ];
  for (const [before, after, want] of cases) assert.equal(statusAction(before, after), want, `${before} -> ${after}`);
});

test('filters: both JSON forms, unknown names refused, every filter must match', () => {
  assert.deepEqual([...parseFilters('{"event":{"start":true},"type":["container"]}')], [['event', ['start']], ['type', ['container']]]);
  assert.equal(parseFilters(undefined).size, 0);
  assert.throws(() => parseFilters('{"nonsense":["1"]}'), (e: BerthError) => e.status === 400 && /invalid filter 'nonsense'/.test(e.message));
  assert.throws(() => parseFilters('not json'), (e: BerthError) => e.status === 400);
  const e = containerEvent(who, 'start', 1_000);
  const cases: [string, boolean][] = [
    ['{}', true], ['{"type":["container"]}', true], ['{"type":["image"]}', false],
    ['{"event":["start","die"]}', true], ['{"event":["die"]}', false],
    ['{"container":["web"]}', true], ['{"container":["c0ffee"]}', true], ['{"container":["db"]}', false],
    ['{"label":["tier"]}', true], ['{"label":["tier=front"]}', true], ['{"label":["tier=back"]}', false],
    ['{"image":["busybox"]}', true], ['{"event":["start"],"container":["db"]}', false],
  ];
  for (const [f, want] of cases) assert.equal(eventMatches(e, parseFilters(f)), want, f);
});

test('times: unix seconds, dates and durations before now', () => {
  const now = 1_700_000_000_000;
  const cases: [string, number][] = [
    ['1700000000', 1_700_000_000], ['1700000000.500000000', 1_700_000_000.5],
    ['10m', 1_700_000_000 - 600], ['1h30m', 1_700_000_000 - 5400], ['2023-11-14T22:13:20Z', 1_700_000_000],
  ];
  for (const [v, want] of cases) assert.equal(parseDockerTime('since', v, now), want, v);
  assert.throws(() => parseDockerTime('since', 'yesterday', now), (e: BerthError) => e.status === 400 && /since/.test(e.message));
});

test('the last exit comes from the observed status', () => {
  assert.deepEqual(lastExit('{"finishedAt":"2023-11-14T22:13:20.000Z","exitCode":3}'), { atMs: 1_700_000_000_000, exitCode: 3 });
  assert.deepEqual(lastExit('{"finishedAt":"2023-11-14T22:13:20Z"}'), { atMs: 1_700_000_000_000, exitCode: undefined });
  for (const o of ['{}', '{"finishedAt":"0001-01-01T00:00:00Z"}', '{"finishedAt":"soon"}', 'not json', 'null']) assert.equal(lastExit(o), undefined, o);
});
