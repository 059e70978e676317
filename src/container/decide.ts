/**
 * @module The container core's decisions: what a request changes in a container row, or why it is
 * refused. Pure: the core loads the row, asks here, and commits the answer conditionally on the
 * generation it was decided on.
 */
import { BerthError } from '../core/errors.js';
import type { ContainerRow } from '../store/schema.js';
import type { Claim } from '../store/container-repo.js';
import type { ContainerSpec } from '../agent/protocol.js';
import { firstFailure } from '../scheduler/filters/index.js';
import type { HostView } from '../scheduler/index.js';
import { checkAction, desiredAfter, effectiveStatus, type ContainerAction } from './state.js';

/** Actions that change what the engine should show; the agent converges. */
export type DesiredAction = 'start' | 'stop' | 'reboot' | 'pause' | 'unpause';

/** Refuses with 409 naming the state, as Zun does, unless the action is allowed now. */
export function requireState(c: ContainerRow, action: ContainerAction): void {
  const check = checkAction(action, effectiveStatus(c), c.uuid);
  if (!check.ok) throw new BerthError('invalid_state', check.message);
}

/** The row change for start, stop, reboot, pause and unpause: new desired state, next generation. */
export function decideAction(c: ContainerRow, action: DesiredAction, opts: { timeout?: number } = {}): Partial<ContainerRow> {
  requireState(c, action);
  const after = desiredAfter[action]!;
  const spec = JSON.parse(c.spec) as ContainerSpec;
  if (opts.timeout !== undefined) spec.stopTimeout = opts.timeout;
  return {
    desired: after.desired, task_state: after.task, generation: c.generation + 1, spec: JSON.stringify(spec),
    restart_generation: action === 'reboot' ? c.restart_generation + 1 : c.restart_generation,
  };
}

export type DeleteMode = 'delete' | 'delete_force' | 'delete_after_stop';

/**
 * A deletion: a container that never reached an engine is forgotten at once (its claim given back);
 * any other is marked for the agent to remove, and leaves when the agent confirms.
 */
export function decideDelete(c: ContainerRow, mode: DeleteMode): { forget: true } | { forget: false; set: Partial<ContainerRow> } {
  requireState(c, mode);
  if (!c.host_id || (c.engine_id === null && c.status === 'Error')) return { forget: true };
  return { forget: false, set: { desired: 'deleted', status: 'Deleting', task_state: 'container_deleting', generation: c.generation + 1 } };
}

export interface UpdateRequest { name?: string; cpu?: number; memoryMb?: number }

export interface UpdateDecision {
  action: 'rename' | 'update';
  set: Partial<ContainerRow>;
  /** The change of the container's claim on its host (zero for a rename). */
  delta: Claim;
  /** True when the limits change: the agent applies them to the engine container. */
  resize: boolean;
}

/**
 * Rename and resize. A resize is desired state like any other: the spec's limits change, the generation
 * moves on, and the agent updates the running engine container. Room on the host is checked by
 * `roomForResize` with the scheduler's own filters.
 */
export function decideUpdate(c: ContainerRow, u: UpdateRequest): UpdateDecision {
  const resize = (u.cpu !== undefined && u.cpu !== c.cpu) || (u.memoryMb !== undefined && u.memoryMb !== c.memory_mb);
  const action = u.name !== undefined && u.cpu === undefined && u.memoryMb === undefined ? 'rename' : 'update';
  requireState(c, action);
  const set: Partial<ContainerRow> = {};
  if (u.name !== undefined && u.name !== c.name) set.name = u.name;
  let delta: Claim = { cpu: 0, memoryMb: 0, diskGb: 0, containers: 0 };
  if (resize) {
    const cpu = u.cpu ?? c.cpu;
    const memoryMb = u.memoryMb ?? c.memory_mb;
    const spec = JSON.parse(c.spec) as ContainerSpec;
    spec.cpu = cpu;
    spec.memoryMb = memoryMb;
    Object.assign(set, { cpu, memory_mb: memoryMb, spec: JSON.stringify(spec) });
    delta = { cpu: cpu - c.cpu, memoryMb: memoryMb - c.memory_mb, diskGb: 0, containers: 0 };
  }
  if (resize) {
    // New limits are a new generation for the agent to apply. A container that stopped on its own keeps
    // its desired state aligned with what it is, so applying the limits does not start it again.
    set.generation = c.generation + 1;
    const settled = c.generation <= c.observed_generation;
    if (settled && c.desired === 'running' && (c.status === 'Stopped' || c.status === 'Error') && c.engine_id !== null) set.desired = 'stopped';
  }
  return { action, set, delta, resize };
}

/**
 * Whether the container's host has room for new limits, asked of the scheduler's filters (host up and
 * enabled, cpu, memory, disk, container count) over the host as if this container's claim were not on it.
 * Null when it fits, else the reason.
 */
export function roomForResize(host: HostView, c: ContainerRow, cpu: number, memoryMb: number): string | null {
  const without: HostView = {
    ...host,
    used: {
      cpu: host.used.cpu - c.cpu, memoryMb: host.used.memoryMb - c.memory_mb,
      diskGb: host.used.diskGb - c.disk_gb, containers: host.used.containers - 1,
    },
  };
  const failure = firstFailure({ cpu, memoryMb, diskGb: c.disk_gb }, without);
  return failure === undefined ? null : `Host ${host.name} cannot take cpu ${cpu} and memory ${memoryMb} MiB: it ${failure.result.reason.replace(/^lack\b/, 'lacks').replace(/^do not\b/, 'does not')}.`;
}
