import type { ContainerRow } from '../store/schema.js';
import type { ContainerSpec, DesiredContainer } from '../agent/protocol.js';

/** The agent's view of a container row. */
export function desiredOf(row: ContainerRow): DesiredContainer {
  const observed = JSON.parse(row.observed || '{}') as { appliedRestartGeneration?: number };
  return {
    uuid: row.uuid,
    name: row.name,
    projectId: row.project_id,
    desired: row.desired as DesiredContainer['desired'],
    generation: row.generation,
    restartGeneration: row.restart_generation,
    engineId: row.engine_id,
    appliedGeneration: row.observed_generation,
    appliedRestartGeneration: observed.appliedRestartGeneration ?? 0,
    spec: JSON.parse(row.spec) as ContainerSpec,
  };
}

/**
 * A fingerprint of what the agent acts on, to send only containers that changed. The limits are in it:
 * limits the engine refused go back in the spec without a new generation, and the agent's copy follows.
 */
export const desiredKey = (d: DesiredContainer) => `${d.generation}/${d.restartGeneration}/${d.desired}/${d.spec.cpu}/${d.spec.memoryMb}`;
