import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerRow } from '../store/schema.js';
import { refuse } from '../scheduler/place.js';
import type { HostView } from '../scheduler/index.js';
import { decideConfirm, decideMove, decideRevert, moveRequest, noValidHost } from './move-decide.js';

const row = (o: Partial<ContainerRow> = {}): ContainerRow => ({
  uuid: 'u1', name: 'vm', project_id: 'p', user_id: 'x', host_id: 'h-a', image: 'img', image_driver: 'glance',
  cpu: 1, memory_mb: 256, disk_gb: 1, spec: JSON.stringify({ image: 'sha256:1', cpu: 1, memoryMb: 256, labels: { a: 'b' } }),
  desired: 'running', status: 'Running', status_reason: null, status_detail: null, task_state: null,
  generation: 5, observed_generation: 5, restart_generation: 0, engine_id: 'e1', observed: '{"exitCode":0}', deleted: 0,
  created_at: 't', updated_at: 't', priority: null, admitted_at: 't', queued_at: null, ...o,
});

const big = { cpu: 2, memoryMb: 768 };

test('a move asks for any host but its own, with the new size and its disk', () => {
  assert.deepEqual(moveRequest(row(), big), { cpu: 2, memoryMb: 768, diskGb: 1, hints: { differentHost: ['u1'], differentHostIds: ['h-a'] } });
});

const moves: { name: string; given: ContainerRow; want: Record<string, unknown> | RegExp }[] = [
  {
    name: 'a running server lands running on the target, its old claim held on its host',
    given: row(),
    want: { host_id: 'h-b', desired: 'running', cpu: 2, memory_mb: 768, generation: 6, engine_id: null, status: 'Creating', task_state: 'resize_migrating', observed: '{}' },
  },
  { name: 'a stopped server is created stopped', given: row({ desired: 'stopped', status: 'Stopped' }), want: { desired: 'stopped', host_id: 'h-b' } },
  { name: 'one that stopped on its own stays stopped', given: row({ status: 'Stopped' }), want: { desired: 'stopped' } },
  { name: 'one being deleted is refused', given: row({ desired: 'deleted', status: 'Deleting' }), want: /Cannot update container u1 in Deleting state/ },
  { name: 'one without a host is refused', given: row({ host_id: null, status: 'Error' }), want: /Cannot move container u1 in Error state/ },
];
for (const m of moves) {
  test(`move: ${m.name}`, () => {
    if (m.want instanceof RegExp) {
      assert.throws(() => decideMove(m.given, big, 'h-b'), m.want);
      return;
    }
    const plan = decideMove(m.given, big, 'h-b');
    for (const [k, v] of Object.entries(m.want)) assert.deepEqual(plan.set[k as keyof ContainerRow], v, k);
  });
}

test('move: claims the new size on the target, holds the old claim, takes the quota difference', () => {
  const plan = decideMove(row(), big, 'h-b');
  assert.deepEqual(plan.claim, { hostId: 'h-b', claim: { cpu: 2, memoryMb: 768, diskGb: 1, containers: 1 } });
  assert.equal(plan.release, null);
  assert.deepEqual(plan.hold, { hostId: 'h-a', claim: { cpu: 1, memoryMb: 256, diskGb: 1, containers: 1 } });
  assert.deepEqual(plan.quota, { containers: 0, cpu: 1, memory: 512, disk: 0 });
  const spec = JSON.parse(plan.set.spec!);
  assert.deepEqual([spec.cpu, spec.memoryMb, spec.labels], [2, 768, { a: 'b' }]);
  assert.equal(decideMove(row({ queued_at: 't' }), big, 'h-b').quota, null, 'a queued container holds no quota');
});

test('revert: back on the held host with the held limits; the target claim given back; nothing claimed', () => {
  const hold = { hostId: 'h-a', claim: { cpu: 1, memoryMb: 256, diskGb: 1, containers: 1 } };
  const moved = row({ host_id: 'h-b', cpu: 2, memory_mb: 768, generation: 7, observed_generation: 7, desired: 'stopped', status: 'Created' });
  const plan = decideRevert(moved, hold);
  assert.equal(plan.claim, null);
  assert.deepEqual(plan.release, { hostId: 'h-b', claim: { cpu: 2, memoryMb: 768, diskGb: 1, containers: 1 } });
  assert.equal(plan.hold, null);
  assert.deepEqual(plan.quota, { containers: 0, cpu: -1, memory: -512, disk: 0 });
  assert.deepEqual([plan.set.host_id, plan.set.cpu, plan.set.memory_mb, plan.set.desired, plan.set.task_state], ['h-a', 1, 256, 'stopped', 'resize_reverting']);
  assert.throws(() => decideRevert(row(), hold), /on its original host already/);
});

test('confirm gives the hold back on the host it is kept on', () => {
  const hold = { hostId: 'h-a', claim: { cpu: 1, memoryMb: 256, diskGb: 1, containers: 1 } };
  assert.deepEqual(decideConfirm(hold), { release: hold });
});

const host = (id: string, memoryMb: number, used: number): HostView => ({
  id, name: id, up: true, enabled: true, zone: 'nova', runtimes: ['runc'], labels: {},
  capacity: { cpu: 16, memoryMb, diskGb: 100, containers: 10 }, used: { cpu: 0, memoryMb: used, diskGb: 0, containers: 1 }, containerIds: [],
});

test('no valid host: the own host\'s reason, then the others\' (the own host not counted)', () => {
  const req = moveRequest(row(), { cpu: 1, memoryMb: 4096 });
  const own = 'Host h-a cannot take cpu 1 and memory 4096 MiB: it lacks memory.';
  const two = refuse(req, [host('h-a', 768, 256), host('h-b', 3072, 0)]);
  assert.equal(noValidHost(own, two), `No valid host was found. ${own} Of the other hosts, 1 lacks memory (need 4096 MB).`);
  const alone = refuse(req, [host('h-a', 768, 256)]);
  assert.equal(noValidHost(own, alone), `No valid host was found. ${own} There is no other host.`);
});
