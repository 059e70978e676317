/**
 * @module A server's Nova state from its container's: status, OS-EXT-STS vm_state, task_state and
 * power_state. Pure. A container being changed (a task state set and the agent not yet reporting the
 * newest generation) shows Nova's task state for what is under way; a paused container that was
 * suspended through the compute API shows as SUSPENDED (Berth suspends by pausing).
 */

export interface ContainerState {
  status: string;
  task_state: string | null;
  generation: number;
  observed_generation: number;
  /** What was asked of the container (running, stopped, paused...); needed only while a snapshot runs. */
  desired?: string;
}

export interface ServerState {
  status: string;
  vmState: string;
  taskState: string | null;
  /** Nova's power states: 0 NOSTATE, 1 RUNNING, 3 PAUSED, 4 SHUTDOWN, 6 CRASHED, 7 SUSPENDED. */
  powerState: number;
}

export const POWER = { NOSTATE: 0, RUNNING: 1, PAUSED: 3, SHUTDOWN: 4, CRASHED: 6, SUSPENDED: 7 } as const;

const byStatus: Record<string, Omit<ServerState, 'taskState'>> = {
  Creating: { status: 'BUILD', vmState: 'building', powerState: POWER.NOSTATE },
  Created: { status: 'BUILD', vmState: 'building', powerState: POWER.NOSTATE },
  Running: { status: 'ACTIVE', vmState: 'active', powerState: POWER.RUNNING },
  Stopped: { status: 'SHUTOFF', vmState: 'stopped', powerState: POWER.SHUTDOWN },
  Paused: { status: 'PAUSED', vmState: 'paused', powerState: POWER.PAUSED },
  Restarting: { status: 'REBOOT', vmState: 'active', powerState: POWER.RUNNING },
  Rebuilding: { status: 'REBUILD', vmState: 'active', powerState: POWER.NOSTATE },
  Deleting: { status: 'ACTIVE', vmState: 'active', powerState: POWER.NOSTATE },
  Deleted: { status: 'DELETED', vmState: 'deleted', powerState: POWER.NOSTATE },
  Error: { status: 'ERROR', vmState: 'error', powerState: POWER.NOSTATE },
  Dead: { status: 'ERROR', vmState: 'error', powerState: POWER.CRASHED },
  Unknown: { status: 'UNKNOWN', vmState: 'error', powerState: POWER.NOSTATE },
};

/** Nova's task state for a container task under way. */
const taskOf: Record<string, string> = {
  container_creating: 'spawning',
  container_starting: 'powering-on',
  container_stopping: 'powering-off',
  container_rebooting: 'rebooting',
  container_pausing: 'pausing',
  container_unpausing: 'unpausing',
  container_deleting: 'deleting',
  container_rebuilding: 'rebuilding',
};

/**
 * A server's status and OS-EXT-STS fields; `suspended`, `resized` (a resize waiting for its
 * confirmation), `forcedError` (os-resetState) and `snapshotting` (a createImage under way: task_state
 * image_snapshot, the status as it was) are the compute face's own flags.
 */
export function serverState(c: ContainerState, suspended: boolean, resized = false, forcedError = false, snapshotting = false): ServerState {
  const pending = c.task_state !== null && (c.generation > c.observed_generation || c.status === 'Creating' || c.status === 'Deleting');
  // A container created and never started with nothing under way (a stopped server moved to another
  // host is re-created so) is a server powered off.
  // The engine pauses a running container while it commits it for a snapshot: the server stays ACTIVE.
  const committing = snapshotting && c.status === 'Paused' && c.desired === 'running';
  const base = c.status === 'Created' && !pending ? byStatus.Stopped : committing ? byStatus.Running : byStatus[c.status] ?? byStatus.Unknown;
  let taskState = pending ? taskOf[c.task_state!] ?? c.task_state : snapshotting ? 'image_snapshot' : null;
  // An admin's os-resetState to error holds until a rebuild or a reset to active.
  if (forcedError && c.status !== 'Deleted') return { status: 'ERROR', vmState: 'error', taskState, powerState: base.powerState };
  if (c.status === 'Paused' && suspended) {
    if (taskState === 'pausing') taskState = 'suspending';
    if (taskState === 'unpausing') taskState = 'resuming';
    return { status: 'SUSPENDED', vmState: 'suspended', taskState, powerState: POWER.SUSPENDED };
  }
  if (suspended && taskState === 'pausing') taskState = 'suspending';
  // A reboot under way is Nova's REBOOT (HARD_REBOOT is not told apart: Berth restarts the container either way).
  if (taskState === 'rebooting' && base.status === 'ACTIVE') return { ...base, status: 'REBOOT', taskState };
  // A rebuild under way is REBUILD until the agent reports the new container, whatever the old one showed.
  if (taskState === 'rebuilding' || c.status === 'Rebuilding') return { status: 'REBUILD', vmState: 'active', taskState: taskState ?? 'rebuilding', powerState: base.powerState };
  if (resized && taskState === null && (base.status === 'ACTIVE' || base.status === 'SHUTOFF')) return { ...base, status: 'VERIFY_RESIZE', vmState: 'resized', taskState };
  return { ...base, taskState };
}

/** Container statuses a Nova status filter selects. */
export function containerStatusesOf(novaStatus: string): string[] {
  const want = novaStatus.toUpperCase();
  return Object.entries(byStatus).filter(([, v]) => v.status === want).map(([k]) => k);
}

/** What the compute face keeps for a server that bears on its state. */
export interface ServerFlags { suspended: number; resize_from?: string | null; reset_state?: string | null; snapshot_by?: string | null }

/** A server's state from its container and its compute row (none for a container made elsewhere). */
export function serverStateOf(c: ContainerState, s: ServerFlags | undefined): ServerState {
  return serverState(c, s?.suspended === 1, Boolean(s?.resize_from), s?.reset_state === 'error', Boolean(s?.snapshot_by));
}

/** Nova's all_tenants: present and empty, or any true word. */
export function isAllTenants(v: string | undefined): boolean {
  return v !== undefined && (v === '' || ['1', 'true', 't', 'yes', 'y', 'on'].includes(v.toLowerCase()));
}

/** Nova's changes-since and changes-before: an ISO 8601 time; anything else (2011/01/01) is refused. */
export function parseIsoTime(v: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v)) return null;
  const t = Date.parse(v.replace(' ', 'T'));
  return Number.isNaN(t) ? null : t;
}

/** Nova's server name rule: printable text with no leading or trailing whitespace. */
export const SERVER_NAME_PATTERN = '^(?!\\s)[^\\u0000-\\u001f\\u007f]*(?<!\\s)$';

/** A server name Docker also takes as a container name. */
export const isContainerName = (name: string) => /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name) && name.length <= 255;
