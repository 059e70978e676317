import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerStatusesOf, serverState, type ContainerState } from './status.js';

const settled = (status: string): ContainerState => ({ status, task_state: null, generation: 3, observed_generation: 3 });
const pending = (status: string, task: string): ContainerState => ({ status, task_state: task, generation: 4, observed_generation: 3 });

describe('serverState', () => {
  const cases: { name: string; given: ContainerState; suspended?: boolean; resized?: boolean; want: [string, string, string | null, number] }[] = [
    { name: 'creating is BUILD/spawning', given: { status: 'Creating', task_state: 'container_creating', generation: 1, observed_generation: 0 }, want: ['BUILD', 'building', 'spawning', 0] },
    { name: 'running is ACTIVE', given: settled('Running'), want: ['ACTIVE', 'active', null, 1] },
    { name: 'stopped is SHUTOFF', given: settled('Stopped'), want: ['SHUTOFF', 'stopped', null, 4] },
    { name: 'paused is PAUSED', given: settled('Paused'), want: ['PAUSED', 'paused', null, 3] },
    { name: 'paused and suspended is SUSPENDED', given: settled('Paused'), suspended: true, want: ['SUSPENDED', 'suspended', null, 7] },
    { name: 'error is ERROR', given: settled('Error'), want: ['ERROR', 'error', null, 0] },
    { name: 'stopping shows powering-off', given: pending('Running', 'container_stopping'), want: ['ACTIVE', 'active', 'powering-off', 1] },
    { name: 'starting shows powering-on', given: pending('Stopped', 'container_starting'), want: ['SHUTOFF', 'stopped', 'powering-on', 4] },
    { name: 'rebooting a running one is REBOOT', given: pending('Running', 'container_rebooting'), want: ['REBOOT', 'active', 'rebooting', 1] },
    { name: 'suspending shows suspending', given: pending('Running', 'container_pausing'), suspended: true, want: ['ACTIVE', 'active', 'suspending', 1] },
    { name: 'resuming shows resuming', given: pending('Paused', 'container_unpausing'), suspended: true, want: ['SUSPENDED', 'suspended', 'resuming', 7] },
    { name: 'a task already applied is not shown', given: { status: 'Running', task_state: 'container_starting', generation: 4, observed_generation: 4 }, want: ['ACTIVE', 'active', null, 1] },
    { name: 'deleting keeps its task', given: { status: 'Deleting', task_state: 'container_deleting', generation: 4, observed_generation: 4 }, want: ['ACTIVE', 'active', 'deleting', 0] },
    { name: 'rebuilding is REBUILD/rebuilding', given: pending('Rebuilding', 'container_rebuilding'), want: ['REBUILD', 'active', 'rebuilding', 0] },
    { name: 'the old container still reported during a rebuild is REBUILD', given: pending('Running', 'container_rebuilding'), want: ['REBUILD', 'active', 'rebuilding', 1] },
    { name: 'a resize waiting for confirmation is VERIFY_RESIZE', given: settled('Running'), resized: true, want: ['VERIFY_RESIZE', 'resized', null, 1] },
    { name: 'a stopped resized server is VERIFY_RESIZE', given: settled('Stopped'), resized: true, want: ['VERIFY_RESIZE', 'resized', null, 4] },
    { name: 'a resized server being stopped shows its task', given: pending('Running', 'container_stopping'), resized: true, want: ['ACTIVE', 'active', 'powering-off', 1] },
    { name: 'an unknown status is UNKNOWN', given: settled('Whatever'), want: ['UNKNOWN', 'error', null, 0] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const s = serverState(c.given, c.suspended ?? false, c.resized ?? false);
      assert.deepEqual([s.status, s.vmState, s.taskState, s.powerState], c.want);
    });
  }
});

describe('containerStatusesOf', () => {
  const cases = [
    { given: 'ACTIVE', want: ['Running', 'Deleting'] },
    { given: 'shutoff', want: ['Stopped'] },
    { given: 'ERROR', want: ['Error', 'Dead'] },
    { given: 'NOPE', want: [] },
  ];
  for (const c of cases) it(c.given, () => assert.deepEqual(containerStatusesOf(c.given), c.want));
});
