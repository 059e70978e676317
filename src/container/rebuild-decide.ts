/**
 * @module A rebuild: the container keeps its uuid, name, limits and host, and its engine container is
 * replaced by one made from a new image. Pure: the row change the core commits; the agent sees the
 * `berth.rebuild` count move on with the generation and re-creates the engine container (agent/diff.ts).
 */
import { BerthError } from '../core/errors.js';
import type { ContainerSpec } from '../agent/protocol.js';
import type { ContainerRow } from '../store/schema.js';
import { LABEL_REBUILD } from '../agent/diff.js';
import { effectiveStatus } from './state.js';

/** The image to rebuild from: the engine's reference, and the Glance image it is loaded from. */
export interface RebuildImage { ref: string; glanceImageId: string; repoTag?: string }

/** Statuses a rebuild may start from (Nova: ACTIVE, SHUTOFF, ERROR with a host). */
const REBUILDABLE = ['Running', 'Stopped', 'Error'];

type StoredSpec = ContainerSpec & { extra?: Record<string, unknown> };

/** The row change of a rebuild; refused (409) in another state or without a host. */
export function decideRebuild(c: ContainerRow, image: RebuildImage): Partial<ContainerRow> {
  const status = effectiveStatus(c);
  if (!REBUILDABLE.includes(status) || c.host_id === null || c.desired === 'deleted') {
    throw new BerthError('invalid_state', `Cannot rebuild container ${c.uuid} in ${status} state.`);
  }
  const spec = JSON.parse(c.spec) as StoredSpec;
  const count = Number(spec.labels?.[LABEL_REBUILD] ?? '0');
  const next: StoredSpec = {
    ...spec,
    image: image.ref,
    glanceImageId: image.glanceImageId,
    labels: { ...(spec.labels ?? {}), [LABEL_REBUILD]: String((Number.isInteger(count) ? count : 0) + 1) },
    extra: { ...(spec.extra ?? {}), glance_image_id: image.glanceImageId, image_ref: image.repoTag ?? image.ref },
  };
  return {
    image: image.glanceImageId,
    image_driver: 'glance',
    spec: JSON.stringify(next),
    // A stopped container is rebuilt stopped (Nova's rebuild keeps SHUTOFF); otherwise the new one runs.
    desired: status === 'Stopped' ? 'stopped' : 'running',
    status: 'Rebuilding',
    status_reason: null,
    task_state: 'container_rebuilding',
    generation: c.generation + 1,
  };
}
