/**
 * @module
 * What the agent reports for one container: the engine's state in Zun's status vocabulary. Pure, so
 * every mapping is a table case.
 */
import type { EngineState } from '../engine/index.js';
import { isAutoRemoved, type Applied } from './diff.js';
import type { DesiredContainer, ObservedStatus } from './protocol.js';

export const AUTO_REMOVED_REASON = 'removed by the engine after it exited (auto remove)';

/**
 * `failure` is the reason the last step failed, when one did: it wins over the engine's state, which
 * may not show anything (an image that does not exist leaves no container behind).
 */
export function observe(
  desired: DesiredContainer,
  actual: EngineState | null,
  applied: Applied,
  failure: string | null = null,
): ObservedStatus {
  const base = {
    uuid: desired.uuid,
    generation: applied.generation,
    restartGeneration: applied.restartGeneration,
    statusDetail: null,
    engineId: actual?.id ?? null,
    observed: actual ? observedOf(actual) : {},
  };
  if (failure !== null) return { ...base, status: 'Error', statusReason: failure };
  if (!actual) {
    if (desired.desired === 'deleted') return { ...base, status: 'Deleted', statusReason: null };
    if (isAutoRemoved(desired, applied)) return { ...base, status: 'Deleted', statusReason: AUTO_REMOVED_REASON };
    return { ...base, status: 'Creating', statusReason: null };
  }
  const { status, statusReason } = statusOf(actual);
  return { ...base, status, statusReason };
}

function statusOf(a: EngineState): { status: string; statusReason: string | null } {
  switch (a.status) {
    case 'created':
      // NOTE: a start that failed (bad command, missing binary) leaves the container created with Docker's error.
      return a.error ? { status: 'Error', statusReason: a.error } : { status: 'Created', statusReason: null };
    case 'running':
      return { status: 'Running', statusReason: null };
    case 'paused':
      return { status: 'Paused', statusReason: null };
    case 'restarting':
      return { status: 'Restarting', statusReason: exitReason(a) };
    case 'exited':
      return a.error ? { status: 'Error', statusReason: a.error } : { status: 'Stopped', statusReason: exitReason(a) };
    case 'dead':
      return { status: 'Error', statusReason: a.error || 'the engine marked the container dead' };
    case 'removing':
      return { status: 'Deleting', statusReason: null };
    default:
      return { status: 'Unknown', statusReason: `unexpected engine status ${String(a.status)}` };
  }
}

function exitReason(a: EngineState): string | null {
  if (a.oomKilled) return `exited with code ${a.exitCode} (killed: out of memory)`;
  return a.exitCode !== 0 ? `exited with code ${a.exitCode}` : null;
}

function observedOf(a: EngineState): ObservedStatus['observed'] {
  const o: ObservedStatus['observed'] = {
    exitCode: a.exitCode,
    ports: a.ports.flatMap((p) =>
      p.hostIp !== null && p.hostPort !== null
        ? [{ containerPort: p.containerPort, protocol: p.protocol, hostIp: p.hostIp, hostPort: p.hostPort }]
        : [],
    ),
    addresses: a.addresses.filter((x) => x.ip !== ''),
  };
  if (a.startedAt) o.startedAt = a.startedAt;
  if (a.finishedAt) o.finishedAt = a.finishedAt;
  if (a.health) o.health = a.health;
  return o;
}
