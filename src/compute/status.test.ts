import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerStatusesOf, isAllTenants, isContainerName, parseIsoTime, SERVER_NAME_PATTERN, serverState, serverStateOf, type ContainerState } from './status.js';

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
    { name: 'created, never started, nothing under way is SHUTOFF', given: settled('Created'), want: ['SHUTOFF', 'stopped', null, 4] },
    { name: 'a stopped server moved by a resize is VERIFY_RESIZE once created', given: settled('Created'), resized: true, want: ['VERIFY_RESIZE', 'resized', null, 4] },
    { name: 'moving to another host is BUILD/resize_migrating', given: pending('Creating', 'resize_migrating'), resized: true, want: ['BUILD', 'building', 'resize_migrating', 0] },
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

describe('server flags and query words', () => {
  const running: ContainerState = { status: 'Running', task_state: null, generation: 2, observed_generation: 2 };
  it('os-resetState error shows ERROR until cleared', () => {
    assert.equal(serverStateOf(running, { suspended: 0, reset_state: 'error' }).status, 'ERROR');
    assert.equal(serverStateOf(running, { suspended: 0, reset_state: null }).status, 'ACTIVE');
    assert.equal(serverStateOf(running, { suspended: 0, resize_from: '1' }).status, 'VERIFY_RESIZE');
    assert.equal(serverStateOf(running, undefined).status, 'ACTIVE');
  });
  const tenants: [string | undefined, boolean][] = [[undefined, false], ['', true], ['1', true], ['True', true], ['false', false], ['0', false]];
  for (const [v, want] of tenants) it(`all_tenants=${String(v)} → ${want}`, () => assert.equal(isAllTenants(v), want));
  const times: [string, boolean][] = [['2011-01-01', true], ['2011-01-01T10:00:00Z', true], ['2011-01-01T10:00:00.123+01:00', true], ['2011/01/01', false], ['yesterday', false], ['2011-13-45', false]];
  for (const [v, ok] of times) it(`changes-since ${v} ${ok ? 'taken' : 'refused'}`, () => assert.equal(parseIsoTime(v) !== null, ok));
  const names: [string, boolean, boolean][] = [['vm1', true, true], ['ｖｍ 名前', true, false], [' lead', false, false], ['trail ', false, false], ['tab\tin', false, false], ['a b', true, false]];
  for (const [n, server, container] of names) {
    it(`name ${JSON.stringify(n)}: server ${server}, container ${container}`, () => {
      assert.equal(new RegExp(SERVER_NAME_PATTERN).test(n), server);
      assert.equal(isContainerName(n), container);
    });
  }
});

describe('a snapshot under way', () => {
  const cases: { name: string; given: ContainerState; flags: { suspended: number }; want: [string, string | null] }[] = [
    { name: 'running: ACTIVE/image_snapshot', given: settled('Running'), flags: { suspended: 0 }, want: ['ACTIVE', 'image_snapshot'] },
    { name: 'stopped: SHUTOFF/image_snapshot', given: settled('Stopped'), flags: { suspended: 0 }, want: ['SHUTOFF', 'image_snapshot'] },
    { name: 'paused: PAUSED/image_snapshot', given: settled('Paused'), flags: { suspended: 0 }, want: ['PAUSED', 'image_snapshot'] },
    { name: 'suspended: SUSPENDED/image_snapshot', given: settled('Paused'), flags: { suspended: 1 }, want: ['SUSPENDED', 'image_snapshot'] },
    { name: 'a container task under way shows first', given: pending('Running', 'container_stopping'), flags: { suspended: 0 }, want: ['ACTIVE', 'powering-off'] },
    { name: 'running, paused by the engine for the commit: ACTIVE', given: { ...settled('Paused'), desired: 'running' }, flags: { suspended: 0 }, want: ['ACTIVE', 'image_snapshot'] },
    { name: 'paused by its user, desired paused: PAUSED', given: { ...settled('Paused'), desired: 'paused' }, flags: { suspended: 0 }, want: ['PAUSED', 'image_snapshot'] },
    { name: 'suspended, desired paused: SUSPENDED', given: { ...settled('Paused'), desired: 'paused' }, flags: { suspended: 1 }, want: ['SUSPENDED', 'image_snapshot'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const s = serverStateOf(c.given, { ...c.flags, snapshot_by: 'server-1' });
      assert.deepEqual([s.status, s.taskState], c.want);
    });
  }
  it('none once it ended', () => assert.equal(serverStateOf(settled('Running'), { suspended: 0, snapshot_by: null }).taskState, null));
  it('a container paused with running asked and no snapshot is PAUSED', () => assert.equal(serverStateOf({ ...settled('Paused'), desired: 'running' }, { suspended: 0 }).status, 'PAUSED'));
});
