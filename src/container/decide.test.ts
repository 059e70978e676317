import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../core/errors.js';
import type { ContainerRow } from '../store/schema.js';
import type { HostView } from '../scheduler/index.js';
import { decideAction, decideDelete, decideUpdate, roomForResize, type DesiredAction } from './decide.js';

const row = (over: Partial<ContainerRow> = {}): ContainerRow => ({
  uuid: 'u1', name: 'web', project_id: 'p1', user_id: 'a', host_id: 'h1', image: 'busybox', image_driver: 'docker',
  cpu: 1, memory_mb: 512, disk_gb: 0, spec: JSON.stringify({ image: 'busybox', cpu: 1, memoryMb: 512 }),
  desired: 'running', status: 'Running', status_reason: null, status_detail: null, task_state: null,
  generation: 3, observed_generation: 3, restart_generation: 0, engine_id: 'e1', observed: '{}', deleted: 0,
  created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z',
  priority: 0, admitted_at: null, queued_at: null, ...over,
});

const host = (over: Partial<HostView> = {}): HostView => ({
  id: 'h1', name: 'node-1', up: true, enabled: true, zone: 'nova', runtimes: ['runc'], labels: {},
  capacity: { cpu: 16, memoryMb: 1536, diskGb: 10, containers: 4 }, used: { cpu: 1, memoryMb: 512, diskGb: 0, containers: 1 },
  containerIds: [], ...over,
});

const refused = (fn: () => unknown, code: string, message: RegExp) => assert.throws(fn, (e: unknown) => e instanceof BerthError && e.code === code && message.test(e.message));

const actions: { name: string; c: Partial<ContainerRow>; action: DesiredAction; want?: Partial<ContainerRow>; refuse?: RegExp }[] = [
  { name: 'stop a running container: stopped, next generation', c: {}, action: 'stop', want: { desired: 'stopped', task_state: 'container_stopping', generation: 4 } },
  { name: 'start a stopped container', c: { status: 'Stopped', desired: 'stopped' }, action: 'start', want: { desired: 'running', task_state: 'container_starting', generation: 4 } },
  { name: 'start right after a pending stop (effective status Stopped)', c: { desired: 'stopped', generation: 4, observed_generation: 3, task_state: 'container_stopping' }, action: 'start', want: { desired: 'running', generation: 5 } },
  { name: 'reboot moves the restart generation on', c: {}, action: 'reboot', want: { desired: 'running', restart_generation: 1, generation: 4 } },
  { name: 'start a running container: 409 naming the state', c: {}, action: 'start', refuse: /Cannot start container u1 in Running state/ },
  { name: 'pause a stopped container: 409', c: { status: 'Stopped', desired: 'stopped' }, action: 'pause', refuse: /Cannot pause container u1 in Stopped state/ },
  { name: 'unpause a paused container', c: { status: 'Paused', desired: 'paused' }, action: 'unpause', want: { desired: 'running', task_state: 'container_unpausing' } },
];
for (const c of actions) {
  test(`decideAction: ${c.name}`, () => {
    if (c.refuse) return refused(() => decideAction(row(c.c), c.action), 'invalid_state', c.refuse);
    const set = decideAction(row(c.c), c.action);
    for (const [k, v] of Object.entries(c.want!)) assert.equal(set[k as keyof ContainerRow], v, k);
  });
}

test('decideAction: a stop timeout is kept in the spec for the agent', () => {
  const set = decideAction(row(), 'stop', { timeout: 7 });
  assert.equal(JSON.parse(set.spec!).stopTimeout, 7);
});

test('decideDelete: a container that never reached a host is forgotten at once', () => {
  assert.deepEqual(decideDelete(row({ host_id: null, status: 'Error', engine_id: null }), 'delete'), { forget: true });
});
test('decideDelete: an errored container with no engine container is forgotten (its claim given back)', () => {
  assert.deepEqual(decideDelete(row({ status: 'Error', engine_id: null }), 'delete'), { forget: true });
});
test('decideDelete: a stopped container is marked for the agent', () => {
  const d = decideDelete(row({ status: 'Stopped', desired: 'stopped' }), 'delete');
  assert.equal(d.forget, false);
  if (!d.forget) assert.deepEqual(d.set, { desired: 'deleted', status: 'Deleting', task_state: 'container_deleting', generation: 4 });
});
test('decideDelete: a running container needs force or stop', () => {
  refused(() => decideDelete(row(), 'delete'), 'invalid_state', /Cannot delete container u1 in Running state/);
  assert.equal(decideDelete(row(), 'delete_force').forget, false);
  assert.equal(decideDelete(row(), 'delete_after_stop').forget, false);
});

test('decideUpdate: a rename changes the name only, with no new generation', () => {
  const d = decideUpdate(row(), { name: 'web-2' });
  assert.equal(d.action, 'rename');
  assert.deepEqual(d.set, { name: 'web-2' });
  assert.equal(d.resize, false);
});
test('decideUpdate: a resize is desired state with the change of claim', () => {
  const d = decideUpdate(row(), { cpu: 2, memoryMb: 256 });
  assert.equal(d.action, 'update');
  assert.equal(d.resize, true);
  assert.equal(d.set.generation, 4);
  assert.deepEqual({ cpu: d.set.cpu, memory_mb: d.set.memory_mb }, { cpu: 2, memory_mb: 256 });
  assert.deepEqual(JSON.parse(d.set.spec!), { image: 'busybox', cpu: 2, memoryMb: 256 });
  assert.deepEqual(d.delta, { cpu: 1, memoryMb: -256, diskGb: 0, containers: 0 });
});
test('decideUpdate: resizing a container that stopped on its own does not start it again', () => {
  const d = decideUpdate(row({ status: 'Stopped' }), { cpu: 2 });
  assert.equal(d.set.desired, 'stopped');
});
test('decideUpdate: the same limits are no resize', () => {
  assert.equal(decideUpdate(row(), { cpu: 1, memoryMb: 512 }).resize, false);
});
test('decideUpdate: a deleting container cannot be updated', () => {
  refused(() => decideUpdate(row({ status: 'Deleting', desired: 'deleted' }), { cpu: 2 }), 'invalid_state', /Cannot update container u1 in Deleting state/);
});

const resizes: { name: string; h: Partial<HostView>; cpu: number; mem: number; reason: RegExp | null }[] = [
  { name: 'fits with its own claim taken off', h: { used: { cpu: 16, memoryMb: 1536, diskGb: 0, containers: 4 } }, cpu: 1, mem: 512, reason: null },
  { name: 'more memory than the host has room for', h: {}, cpu: 1, mem: 2048, reason: /lacks memory/ },
  { name: 'more cpu than the host has room for', h: {}, cpu: 17, mem: 512, reason: /lacks cpu/ },
  { name: 'a host that is down', h: { up: false }, cpu: 2, mem: 512, reason: /down/ },
  { name: 'a disabled host', h: { enabled: false }, cpu: 2, mem: 512, reason: /disabled/ },
  { name: 'a full host still allows the container that is on it', h: { capacity: { cpu: 16, memoryMb: 1536, diskGb: 10, containers: 1 } }, cpu: 2, mem: 512, reason: null },
];
for (const c of resizes) {
  test(`roomForResize: ${c.name}`, () => {
    const reason = roomForResize(host(c.h), row(), c.cpu, c.mem);
    if (c.reason === null) assert.equal(reason, null);
    else assert.match(reason ?? '', c.reason);
  });
}
