import type { Database } from '../store/db.js';
import * as repo from '../store/container-repo.js';
import type { ObservedStatus } from '../agent/protocol.js';

/**
 * Writes what an agent observed. A container whose deletion the agent confirmed leaves the database
 * (and frees its claim); otherwise its status, reason and engine facts are stored, and once the agent has
 * applied the current generation the task state clears and the open actions finish.
 * Returns whether anything was removed.
 */
export async function applyStatuses(db: Database, hostId: string, updates: ObservedStatus[]): Promise<boolean> {
  if (updates.length === 0) return false;
  let removed = false;
  await db.tx(async (trx) => {
    for (const u of updates) {
      const row = await repo.getContainer(trx, u.uuid);
      if (!row || row.host_id !== hostId) continue;
      const now = new Date().toISOString();
      if (u.status === 'Deleted') {
        // Deleted without being asked: only an auto-remove container that exited, which Zun forgets too.
        const autoRemove = (JSON.parse(row.spec) as { autoRemove?: boolean }).autoRemove === true;
        if (row.desired !== 'deleted' && !autoRemove) continue;
        await repo.removeContainer(trx, row.uuid);
        await trx.updateTable('container_actions').set({ finish_time: now, result: 'Success' })
          .where('container_uuid', '=', row.uuid).where('finish_time', 'is', null).execute();
        removed = true;
        continue;
      }
      const applied = u.generation >= row.generation;
      const observed = { ...u.observed, appliedRestartGeneration: u.restartGeneration };
      const status = row.desired === 'deleted' && u.status !== 'Error' ? 'Deleting' : u.status;
      await repo.updateContainer(trx, row.uuid, {
        status,
        status_reason: u.statusReason,
        status_detail: u.statusDetail,
        engine_id: u.engineId ?? row.engine_id,
        observed: JSON.stringify(observed),
        observed_generation: Math.max(row.observed_generation, u.generation),
        ...(applied && row.desired !== 'deleted' ? { task_state: null } : {}),
      });
      if (applied && row.desired !== 'deleted') {
        await trx.updateTable('container_actions')
          .set({ finish_time: now, result: u.status === 'Error' ? 'Error' : 'Success', message: u.status === 'Error' ? u.statusReason : null })
          .where('container_uuid', '=', row.uuid).where('finish_time', 'is', null).execute();
      }
    }
  });
  return removed;
}
