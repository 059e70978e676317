import { deepStrictEqual } from 'node:assert/strict';
import { test } from 'node:test';
import type { Applied } from './diff.js';
import { desired, state } from './builders.js';
import { AUTO_REMOVED_REASON, observe } from './observe.js';
import type { DesiredContainer, ObservedStatus } from './protocol.js';
import type { EngineState } from '../engine/index.js';

const applied: Applied = { generation: 1, restartGeneration: 0 };

type Want = Pick<ObservedStatus, 'status' | 'statusReason'>;
const cases: { name: string; given: [DesiredContainer, EngineState | null, string?]; want: Want }[] = [
  { name: 'created', given: [desired(), state({ status: 'created', startedAt: null })], want: { status: 'Created', statusReason: null } },
  { name: 'created after a failed start → Error with the engine reason', given: [desired(), state({ status: 'created', exitCode: 127, error: 'exec: "/nope": no such file' })], want: { status: 'Error', statusReason: 'exec: "/nope": no such file' } },
  { name: 'running', given: [desired(), state()], want: { status: 'Running', statusReason: null } },
  { name: 'paused', given: [desired(), state({ status: 'paused' })], want: { status: 'Paused', statusReason: null } },
  { name: 'restarting', given: [desired(), state({ status: 'restarting', exitCode: 1 })], want: { status: 'Restarting', statusReason: 'exited with code 1' } },
  { name: 'exited with 0', given: [desired(), state({ status: 'exited' })], want: { status: 'Stopped', statusReason: null } },
  { name: 'exited non-zero', given: [desired(), state({ status: 'exited', exitCode: 137 })], want: { status: 'Stopped', statusReason: 'exited with code 137' } },
  { name: 'exited out of memory', given: [desired(), state({ status: 'exited', exitCode: 137, oomKilled: true })], want: { status: 'Stopped', statusReason: 'exited with code 137 (killed: out of memory)' } },
  { name: 'exited with an engine error', given: [desired(), state({ status: 'exited', exitCode: 128, error: 'OCI runtime failed' })], want: { status: 'Error', statusReason: 'OCI runtime failed' } },
  { name: 'dead', given: [desired(), state({ status: 'dead' })], want: { status: 'Error', statusReason: 'the engine marked the container dead' } },
  { name: 'dead with a reason', given: [desired(), state({ status: 'dead', error: 'driver failed' })], want: { status: 'Error', statusReason: 'driver failed' } },
  { name: 'removing', given: [desired({ desired: 'deleted' }), state({ status: 'removing' })], want: { status: 'Deleting', statusReason: null } },
  { name: 'absent and deleted → Deleted', given: [desired({ desired: 'deleted' }), null], want: { status: 'Deleted', statusReason: null } },
  { name: 'absent, wanted → Creating', given: [desired(), null], want: { status: 'Creating', statusReason: null } },
  { name: 'auto-removed after it exited → Deleted', given: [desired({ engineId: 'e1' }, { autoRemove: true }), null], want: { status: 'Deleted', statusReason: AUTO_REMOVED_REASON } },
  { name: 'failure wins over a missing container', given: [desired(), null, 'Image not found: busybox:nope'], want: { status: 'Error', statusReason: 'Image not found: busybox:nope' } },
  { name: 'failure wins over the engine state', given: [desired(), state({ status: 'created' }), 'boom'], want: { status: 'Error', statusReason: 'boom' } },
];

for (const c of cases) {
  test(`observe: ${c.name}`, () => {
    const [d, actual, failure] = c.given;
    const got = observe(d, actual, applied, failure ?? null);
    deepStrictEqual({ status: got.status, statusReason: got.statusReason }, c.want);
  });
}

test('observe: carries the applied generations, engine id and observed details', () => {
  const got = observe(
    desired({ generation: 4, restartGeneration: 2 }),
    state({
      id: 'abc',
      status: 'exited',
      exitCode: 3,
      startedAt: '2024-01-01T00:00:00Z',
      finishedAt: '2024-01-01T00:01:00Z',
      health: 'unhealthy',
      ports: [
        { containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 32768 },
        { containerPort: 443, protocol: 'tcp', hostIp: null, hostPort: null },
      ],
      addresses: [{ network: 'bridge', ip: '172.17.0.2' }],
    }),
    { generation: 4, restartGeneration: 2 },
  );
  deepStrictEqual(got, {
    uuid: 'c1',
    generation: 4,
    restartGeneration: 2,
    status: 'Stopped',
    statusReason: 'exited with code 3',
    statusDetail: null,
    engineId: 'abc',
    observed: {
      exitCode: 3,
      startedAt: '2024-01-01T00:00:00Z',
      finishedAt: '2024-01-01T00:01:00Z',
      health: 'unhealthy',
      ports: [{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 32768 }],
      addresses: [{ network: 'bridge', ip: '172.17.0.2' }],
    },
  });
});

test('observe: a missing container has no engine id and nothing observed', () => {
  const got = observe(desired({ desired: 'deleted' }), null, applied);
  deepStrictEqual([got.engineId, got.observed], [null, {}]);
});
