/**
 * @module
 * What to do to one engine container so it matches what the database wants. Pure: the reconciler reads
 * the engine, calls `diff`, and applies the steps in order.
 *
 * Invariant: the agent acts on `desired` only when its generation is above what was applied. A container
 * that exits on its own or is stopped out of band keeps its generation, so it is observed and reported,
 * never restarted behind the user's back. The exceptions are the two that cannot be "observed": a desired
 * deletion, and a container missing from the engine (re-created, Principle 2).
 */
import type { EngineState } from '../engine/index.js';
import type { DesiredContainer } from './protocol.js';

export type Step =
  | { kind: 'create' }
  | { kind: 'start' }
  | { kind: 'stop'; timeoutSec?: number }
  | { kind: 'pause' }
  | { kind: 'unpause' }
  | { kind: 'restart'; timeoutSec?: number }
  | { kind: 'remove'; force: true }
  /** New cpu / memory limits on the engine container (a resize). */
  | { kind: 'update'; cpu: number; memoryMb: number };

/** What has been applied to the engine for one container. */
export interface Applied {
  generation: number;
  restartGeneration: number;
  /**
   * The engine container last known for it (the server's or this agent's), or null if it was never
   * created. Lets an auto-removed container stay gone instead of being re-created.
   */
  engineId?: string | null;
}

export function diff(desired: DesiredContainer, actual: EngineState | null, applied: Applied): Step[] {
  if (desired.desired === 'deleted') return actual ? [{ kind: 'remove', force: true }] : [];

  const bumped = desired.generation > applied.generation;
  if (!actual) {
    // NOTE: Docker removed an auto-remove container when it exited; that is its end, as with `docker run --rm`.
    if (isAutoRemoved(desired, applied)) return [];
    return [{ kind: 'create' }, ...startFromCreated(desired.desired)];
  }

  // A rebuild (a new `berth.rebuild` count with the generation) replaces the engine container.
  if (bumped && rebuildOf(desired.spec.labels) !== rebuildOf(actual.labels)) {
    return [{ kind: 'remove', force: true }, { kind: 'create' }, ...startFromCreated(desired.desired)];
  }
  const steps: Step[] = bumped ? [...resize(desired, actual), ...converge(desired, actual)] : [];
  const restartBumped = desired.restartGeneration > applied.restartGeneration;
  const startsAnyway = steps.some((s) => s.kind === 'start');
  if (restartBumped && desired.desired === 'running' && !startsAnyway) {
    const state = afterSteps(actual.status, steps);
    if (state === 'paused') steps.push({ kind: 'unpause' });
    steps.push(state === 'created' ? { kind: 'start' } : withTimeout({ kind: 'restart' }, desired));
  }
  return steps;
}

/** The label counting a container's rebuilds; an engine container made before any rebuild has none. */
export const LABEL_REBUILD = 'berth.rebuild';
const rebuildOf = (labels: Record<string, string> | undefined) => labels?.[LABEL_REBUILD] ?? '';

/** True when a missing container is the normal end of an auto-remove container, not something to repair. */
export function isAutoRemoved(desired: DesiredContainer, applied: Applied): boolean {
  const created = (desired.engineId ?? applied.engineId ?? null) !== null;
  return desired.spec.autoRemove === true && created && desired.generation <= applied.generation;
}

/** An update step when the spec's limits differ from the engine container's. */
function resize(desired: DesiredContainer, actual: EngineState): Step[] {
  const { cpu, memoryMb } = desired.spec;
  // An engine container without limits was not made from a spec (nothing to compare against).
  if (actual.cpu === null || actual.memoryMb === null) return [];
  return actual.cpu === cpu && actual.memoryMb === memoryMb ? [] : [{ kind: 'update', cpu, memoryMb }];
}

function startFromCreated(want: 'running' | 'stopped' | 'paused'): Step[] {
  if (want === 'running') return [{ kind: 'start' }];
  if (want === 'paused') return [{ kind: 'start' }, { kind: 'pause' }];
  return [];
}

function converge(desired: DesiredContainer, actual: EngineState): Step[] {
  const s = actual.status;
  switch (desired.desired) {
    case 'running':
      if (s === 'created' || s === 'exited') return [{ kind: 'start' }];
      if (s === 'paused') return [{ kind: 'unpause' }];
      return [];
    case 'stopped':
      // NOTE: Docker can stop a paused container only by waiting out the timeout and killing it (exit 137):
      // the frozen process never sees SIGTERM. Unpausing first gives it a clean shutdown.
      if (s === 'paused') return [{ kind: 'unpause' }, withTimeout({ kind: 'stop' }, desired)];
      if (s === 'running' || s === 'restarting') return [withTimeout({ kind: 'stop' }, desired)];
      return [];
    case 'paused':
      if (s === 'created' || s === 'exited') return [{ kind: 'start' }, { kind: 'pause' }];
      if (s === 'running') return [{ kind: 'pause' }];
      return [];
    default:
      return [];
  }
}

/** The engine status once `steps` ran, as far as restart planning needs it. */
function afterSteps(status: EngineState['status'], steps: Step[]): EngineState['status'] {
  let s = status;
  for (const step of steps) {
    if (step.kind === 'start' || step.kind === 'unpause' || step.kind === 'restart') s = 'running';
    else if (step.kind === 'pause') s = 'paused';
    else if (step.kind === 'stop') s = 'exited';
  }
  return s;
}

function withTimeout<T extends { kind: 'stop' | 'restart'; timeoutSec?: number }>(step: T, desired: DesiredContainer): T {
  return desired.spec.stopTimeout === undefined ? step : { ...step, timeoutSec: desired.spec.stopTimeout };
}
