/** @module The rows the core writes: a new container and an action-journal entry. Pure. */
import { newUuid } from '../core/ids.js';
import type { ContainerActionRow, ContainerRow } from '../store/schema.js';
import type { Actor, NewContainer } from './core.js';

/** An action still under way (finished when the agent reports it applied), or its result now. */
export type JournalOutcome = { open: true } | { result: 'Success' | 'Error'; message?: string | null };

export function journalEntry(who: Actor, c: Pick<ContainerRow, 'uuid' | 'project_id'>, action: string, outcome: JournalOutcome): ContainerActionRow {
  const now = new Date().toISOString();
  const open = 'open' in outcome;
  return {
    id: newUuid(), container_uuid: c.uuid, project_id: c.project_id, user_id: who.userId, action, request_id: who.requestId,
    message: open ? null : (outcome.message ?? null), start_time: now, finish_time: open ? null : now, result: open ? null : outcome.result,
  };
}

/** A new container's row: Creating on its host, or Error with the scheduler's reasons when none fits. */
export function newRow(who: Actor, projectId: string, n: NewContainer, hostId: string | null, failure: string | null, now: string): ContainerRow {
  return {
    uuid: newUuid(), name: n.name, project_id: projectId, user_id: who.userId, host_id: hostId,
    image: n.image, image_driver: n.imageDriver, cpu: n.cpu, memory_mb: n.memoryMb, disk_gb: n.diskGb,
    spec: JSON.stringify({ ...n.spec, extra: n.extra }),
    desired: n.run ? 'running' : 'stopped',
    status: hostId ? 'Creating' : 'Error',
    status_reason: failure,
    status_detail: null,
    task_state: hostId ? 'container_creating' : null,
    generation: 1, observed_generation: 0, restart_generation: 0, engine_id: null, observed: '{}', deleted: 0,
    created_at: now, updated_at: now,
    priority: priorityOf(n.spec.labels), admitted_at: now, queued_at: null,
  };
}

/** The `berth.priority` label as an integer; null when missing or not an integer. */
export function priorityOf(labels: Record<string, string> | undefined): number | null {
  const v = labels?.['berth.priority'];
  return v !== undefined && /^-?\d{1,9}$/.test(v.trim()) ? Number(v) : null;
}
