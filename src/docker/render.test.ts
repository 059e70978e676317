import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerRow } from '../store/schema.js';
import { dockerState, humanDuration, renderInspect, renderSummary, statusText, waitOver } from './render.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const row = (over: Partial<ContainerRow> = {}, observed: Record<string, unknown> = {}): ContainerRow => ({
  uuid: '0f6c1a58-7f2e-4d3b-9c1e-2b3a4c5d6e7f', name: 'web', project_id: 'p', user_id: 'u', host_id: 'h', image: 'busybox',
  image_driver: 'docker', cpu: 0.5, memory_mb: 64, disk_gb: 0, desired: 'running', status: 'Running', status_reason: null,
  status_detail: null, task_state: null, generation: 2, observed_generation: 2, restart_generation: 0, engine_id: 'e1',
  spec: JSON.stringify({ image: 'busybox', command: ['sleep', '300'], env: { A: '1' }, labels: { x: 'y', 'berth.priority': '1' }, cpu: 0.5, memoryMb: 64, extra: { cpu_shares: 0 } }),
  observed: JSON.stringify({ startedAt: '2026-01-01T00:00:00Z', ...observed }), deleted: 0,
  created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z', priority: null, admitted_at: null, queued_at: null, ...over,
});

test('Berth statuses as Docker states', () => {
  const table: [string, string | null, string][] = [
    ['Creating', null, 'created'], ['Created', 'e', 'created'], ['Running', 'e', 'running'], ['Paused', 'e', 'paused'],
    ['Restarting', 'e', 'restarting'], ['Stopped', 'e', 'exited'], ['Deleting', 'e', 'removing'],
    ['Error', 'e', 'exited'], ['Error', null, 'dead'], ['Unknown', 'e', 'dead'],
  ];
  for (const [status, engine, state] of table) assert.equal(dockerState({ status, engine_id: engine }), state, status);
});

test('human durations as Docker prints them', () => {
  const table: [number, string][] = [
    [0, 'Less than a second'], [1000, '1 second'], [3000, '3 seconds'], [60_000, 'About a minute'], [5 * 60_000, '5 minutes'],
    [3_600_000, 'About an hour'], [3 * 3_600_000, '3 hours'], [3 * 86_400_000, '3 days'], [21 * 86_400_000, '3 weeks'],
  ];
  for (const [ms, text] of table) assert.equal(humanDuration(ms), text);
});

test('status lines', () => {
  assert.equal(statusText(row(), T0 + 3000), 'Up 3 seconds');
  assert.equal(statusText(row({ status: 'Paused' }), T0 + 3000), 'Up 3 seconds (Paused)');
  assert.equal(statusText(row({ status: 'Stopped' }, { exitCode: 137, finishedAt: '2026-01-01T00:00:01Z' }), T0 + 3000), 'Exited (137) 2 seconds ago');
  assert.equal(statusText(row({ status: 'Created' }), T0), 'Created');
  assert.equal(statusText(row({ status: 'Running' }, { health: 'healthy' }), T0 + 60_000), 'Up About a minute (healthy)');
});

test('summary: names with a slash, user labels only, the command line', () => {
  const s = renderSummary(row({}, { ports: [{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 32768 }] }), T0 + 1000, false);
  assert.equal(s.Id, row().uuid.replace(/-/g, ''));
  assert.deepEqual(s.Names, ['/web']);
  assert.equal(s.Command, 'sleep 300');
  assert.deepEqual(s.Labels, { x: 'y', 'berth.priority': '1' });
  assert.equal(s.State, 'running');
  assert.equal(s.Created, T0 / 1000);
  assert.deepEqual(s.Ports, [{ IP: '127.0.0.1', PrivatePort: 80, PublicPort: 32768, Type: 'tcp' }]);
  assert.equal('SizeRw' in s, false);
  const g = row({ image: 'app', spec: JSON.stringify({ image: 'sha256:ab', cpu: 1, memoryMb: 64, extra: { docker_image: 'app:latest' } }) });
  assert.equal(renderSummary(g, T0, true).Image, 'app:latest');
  assert.equal(renderSummary(g, T0, true).ImageID, 'sha256:ab');
  assert.equal(renderSummary(g, T0, true).SizeRw, 0);
});

test('inspect: state, config and the host as a label', () => {
  const i = renderInspect(row({ status: 'Stopped' }, { exitCode: 3, finishedAt: '2026-01-01T00:00:05Z' }), 'node-1');
  assert.equal(i.Name, '/web');
  assert.equal(i.Path, 'sleep');
  assert.deepEqual(i.Args, ['300']);
  assert.deepEqual({ s: i.State.Status, r: i.State.Running, c: i.State.ExitCode }, { s: 'exited', r: false, c: 3 });
  assert.deepEqual(i.Config.Env, ['A=1']);
  assert.equal(i.Config.Labels['berth.host'], 'node-1');
  assert.equal(i.HostConfig.Memory, 64 * 1024 * 1024);
  assert.equal(i.HostConfig.NanoCpus, 500_000_000);
  const e = renderInspect(row({ status: 'Error', engine_id: null, status_reason: 'boom' }), null);
  assert.deepEqual({ s: e.State.Status, d: e.State.Dead, err: e.State.Error }, { s: 'dead', d: true, err: 'boom' });
});

test('docker wait conditions', () => {
  const created = row({ status: 'Created', generation: 1, observed_generation: 1 }, { startedAt: undefined });
  const starting = row({ status: 'Created', generation: 2, observed_generation: 1 });
  const up = row({ status: 'Running', generation: 2, observed_generation: 2 });
  const exited = row({ status: 'Stopped', generation: 2, observed_generation: 2 }, { exitCode: 0, finishedAt: '2026-01-01T00:00:09Z' });
  // docker run: next-exit on a created container waits through the start until the exit.
  assert.equal(waitOver('next-exit', created, created), false);
  assert.equal(waitOver('next-exit', created, starting), false);
  assert.equal(waitOver('next-exit', created, up), false);
  assert.equal(waitOver('next-exit', created, exited), true);
  // next-exit on an exited container waits for another run.
  assert.equal(waitOver('next-exit', exited, exited), false);
  assert.equal(waitOver('not-running', created, created), true);
  assert.equal(waitOver('not-running', up, up), false);
  assert.equal(waitOver('not-running', up, exited), true);
  assert.equal(waitOver('removed', up, exited), false);
});
