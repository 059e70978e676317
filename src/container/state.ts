/**
 * Container statuses and which action each allows, as Zun has them. One table, no I/O: the API checks
 * an action against the current status before writing anything, and answers 409 naming the state.
 */
export const Status = {
  Creating: 'Creating', Created: 'Created', Running: 'Running', Stopped: 'Stopped', Paused: 'Paused',
  Restarting: 'Restarting', Deleting: 'Deleting', Deleted: 'Deleted', Error: 'Error', Unknown: 'Unknown',
  Rebuilding: 'Rebuilding', Dead: 'Dead',
} as const;
export type ContainerStatus = (typeof Status)[keyof typeof Status];

export type ContainerAction =
  | 'start' | 'stop' | 'reboot' | 'pause' | 'unpause' | 'kill' | 'execute' | 'execute_resize' | 'attach' | 'resize'
  | 'top' | 'logs' | 'stats' | 'get_archive' | 'put_archive' | 'commit' | 'update' | 'rename'
  | 'delete' | 'delete_force' | 'delete_after_stop';

const S = Status;
export const allowedStatuses: Record<ContainerAction, readonly ContainerStatus[]> = {
  start: [S.Created, S.Stopped, S.Error],
  stop: [S.Running, S.Restarting, S.Paused],
  reboot: [S.Created, S.Running, S.Stopped, S.Error],
  pause: [S.Running],
  unpause: [S.Paused],
  kill: [S.Running],
  execute: [S.Running],
  execute_resize: [S.Running],
  attach: [S.Running],
  resize: [S.Running],
  top: [S.Running],
  logs: [S.Created, S.Error, S.Paused, S.Running, S.Stopped, S.Unknown],
  stats: [S.Running],
  get_archive: [S.Created, S.Paused, S.Running, S.Stopped],
  put_archive: [S.Created, S.Paused, S.Running, S.Stopped],
  commit: [S.Running, S.Stopped, S.Paused],
  update: [S.Created, S.Running, S.Stopped, S.Paused, S.Creating, S.Error],
  rename: [S.Created, S.Running, S.Stopped, S.Paused, S.Creating, S.Error],
  delete: [S.Created, S.Error, S.Stopped, S.Deleted, S.Dead, S.Unknown],
  delete_force: [S.Created, S.Creating, S.Error, S.Running, S.Stopped, S.Unknown, S.Deleted, S.Dead, S.Restarting, S.Rebuilding, S.Deleting, S.Paused],
  delete_after_stop: [S.Running, S.Created, S.Error, S.Stopped, S.Deleted, S.Dead, S.Paused, S.Unknown],
};

export type Check = { ok: true } | { ok: false; message: string };

export function checkAction(action: ContainerAction, status: string, uuid: string): Check {
  if ((allowedStatuses[action] as readonly string[]).includes(status)) return { ok: true };
  const verb = action.startsWith('delete') ? 'delete' : action;
  return { ok: false, message: `Cannot ${verb} container ${uuid} in ${status} state.` };
}

/** What the engine should show after an action, and the task state shown meanwhile. */
export const desiredAfter: Partial<Record<ContainerAction, { desired: 'running' | 'stopped' | 'paused' | 'deleted'; task: string }>> = {
  start: { desired: 'running', task: 'container_starting' },
  stop: { desired: 'stopped', task: 'container_stopping' },
  reboot: { desired: 'running', task: 'container_rebooting' },
  pause: { desired: 'paused', task: 'container_pausing' },
  unpause: { desired: 'running', task: 'container_unpausing' },
  delete: { desired: 'deleted', task: 'container_deleting' },
  delete_force: { desired: 'deleted', task: 'container_deleting' },
  delete_after_stop: { desired: 'deleted', task: 'container_deleting' },
};

const expected: Record<string, ContainerStatus> = { running: S.Running, stopped: S.Stopped, paused: S.Paused, deleted: S.Deleting };

/**
 * The status an action is checked against. While an earlier action is still being applied (the agent has
 * not reported the newest generation), it is the status that action will lead to, so `stop` then `start`
 * typed one after the other both succeed and the agent applies them in order.
 */
export function effectiveStatus(c: { status: string; desired: string; generation: number; observed_generation: number; task_state: string | null }): string {
  const pending = c.task_state !== null && c.generation > c.observed_generation;
  if (!pending || c.status === S.Creating || c.status === S.Error) return c.status;
  return expected[c.desired] ?? c.status;
}
