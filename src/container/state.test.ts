import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAction, allowedStatuses, type ContainerAction } from './state.js';

const cases: { name: string; action: ContainerAction; status: string; ok: boolean }[] = [
  { name: 'start a stopped container', action: 'start', status: 'Stopped', ok: true },
  { name: 'start a running container', action: 'start', status: 'Running', ok: false },
  { name: 'stop a running container', action: 'stop', status: 'Running', ok: true },
  { name: 'stop a created container', action: 'stop', status: 'Created', ok: false },
  { name: 'pause a running container', action: 'pause', status: 'Running', ok: true },
  { name: 'pause a paused container', action: 'pause', status: 'Paused', ok: false },
  { name: 'unpause a paused container', action: 'unpause', status: 'Paused', ok: true },
  { name: 'exec in a stopped container', action: 'execute', status: 'Stopped', ok: false },
  { name: 'delete a running container', action: 'delete', status: 'Running', ok: false },
  { name: 'force delete a running container', action: 'delete_force', status: 'Running', ok: true },
  { name: 'delete an errored container', action: 'delete', status: 'Error', ok: true },
  { name: 'logs of a stopped container', action: 'logs', status: 'Stopped', ok: true },
  { name: 'top of a paused container', action: 'top', status: 'Paused', ok: false },
  { name: 'reboot a stopped container', action: 'reboot', status: 'Stopped', ok: true },
  { name: 'copy into a created container', action: 'put_archive', status: 'Created', ok: true },
];

for (const c of cases) {
  test(c.name, () => {
    const r = checkAction(c.action, c.status, 'u1');
    assert.equal(r.ok, c.ok);
    if (!r.ok) assert.match(r.message, new RegExp(`in ${c.status} state`));
  });
}

test('every action has at least one status that allows it', () => {
  for (const [action, statuses] of Object.entries(allowedStatuses)) assert.ok(statuses.length > 0, action);
});

import { effectiveStatus } from './state.js';
test('a pending stop is checked as Stopped, so start may follow at once', () => {
  assert.equal(effectiveStatus({ status: 'Running', desired: 'stopped', generation: 3, observed_generation: 2, task_state: 'container_stopping' }), 'Stopped');
});
test('an applied generation shows the observed status', () => {
  assert.equal(effectiveStatus({ status: 'Stopped', desired: 'running', generation: 3, observed_generation: 3, task_state: null }), 'Stopped');
});
test('a container still being created stays Creating', () => {
  assert.equal(effectiveStatus({ status: 'Creating', desired: 'running', generation: 1, observed_generation: 0, task_state: 'container_creating' }), 'Creating');
});
