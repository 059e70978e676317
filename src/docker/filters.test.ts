import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerRow } from '../store/schema.js';
import { listsAll, matches, parseFilters } from './filters.js';

const row = (over: Partial<ContainerRow> = {}, observed: Record<string, unknown> = {}): ContainerRow => ({
  uuid: '0f6c1a58-7f2e-4d3b-9c1e-2b3a4c5d6e7f', name: 'web', project_id: 'p', user_id: 'u', host_id: 'h', image: 'busybox',
  image_driver: 'docker', cpu: 1, memory_mb: 64, disk_gb: 0, desired: 'running', status: 'Running', status_reason: null,
  status_detail: null, task_state: null, generation: 1, observed_generation: 1, restart_generation: 0, engine_id: 'e1',
  spec: JSON.stringify({ image: 'busybox', labels: { x: 'y', tier: 'front' }, cpu: 1, memoryMb: 64 }), observed: JSON.stringify(observed),
  deleted: 0, created_at: '2026-01-01T00:00:10.000Z', updated_at: '', priority: null, admitted_at: null, queued_at: null, ...over,
});

test('parsing both JSON forms, refusing what Docker refuses', () => {
  assert.deepEqual(parseFilters('{"status":["running"],"name":["web"]}'), { status: ['running'], name: ['web'] });
  assert.deepEqual(parseFilters('{"label":{"x=y":true}}'), { label: ['x=y'] });
  assert.deepEqual(parseFilters(undefined), {});
  for (const bad of ['{', '[]', '{"color":["red"]}', '{"status":["sleeping"]}', '{"exited":["x"]}', '{"name":["("]}', '{"id":"abc"}'])
    assert.throws(() => parseFilters(bad), /invalid filter/, bad);
});

test('matching', () => {
  const table: [string, ContainerRow, boolean][] = [
    ['{"status":["running"]}', row(), true],
    ['{"status":["exited"]}', row(), false],
    ['{"status":["exited","running"]}', row(), true],
    ['{"name":["we"]}', row(), true],
    ['{"name":["^/web$"]}', row(), true],
    ['{"name":["db"]}', row(), false],
    ['{"id":["0f6c1a58"]}', row(), true],
    ['{"id":["0f6c1a587f2e"]}', row(), true],
    ['{"label":["x"]}', row(), true],
    ['{"label":["x=y","tier=front"]}', row(), true],
    ['{"label":["x=z"]}', row(), false],
    ['{"ancestor":["busybox:latest"]}', row(), true],
    ['{"ancestor":["docker.io/library/busybox"]}', row(), true],
    ['{"ancestor":["alpine"]}', row(), false],
    ['{"exited":["0"]}', row({ status: 'Stopped' }, { exitCode: 0 }), true],
    ['{"exited":["1"]}', row({ status: 'Stopped' }, { exitCode: 0 }), false],
    ['{"health":["healthy"]}', row({}, { health: 'healthy' }), true],
  ];
  for (const [f, r, want] of table) assert.equal(matches(r, parseFilters(f)), want, f);
  assert.equal(matches(row(), {}, { before: '2026-01-01T00:00:20.000Z' }), true);
  assert.equal(matches(row(), {}, { since: '2026-01-01T00:00:20.000Z' }), false);
});

test('what lists stopped containers without --all', () => {
  assert.equal(listsAll({}, false, undefined), false);
  assert.equal(listsAll({}, true, undefined), true);
  assert.equal(listsAll({ status: ['exited'] }, false, undefined), true);
  assert.equal(listsAll({}, false, 3), true);
});
