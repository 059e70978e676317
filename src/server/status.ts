import type { Database } from '../store/db.js';
import * as repo from '../store/container-repo.js';
import type { ContainerSpec, ObservedStatus } from '../agent/protocol.js';
import { claimOf } from '../container/host-view.js';
import type { QuotaBook } from '../container/quota-book.js';
import { amountsOfRow, releaseQuota } from '../container/quota-usage.js';

/**
 * Writes what an agent observed. A container whose deletion the agent confirmed leaves the database and
 * gives its claim back to the host; otherwise its status, reason and engine facts are stored, and once the
 * agent has applied the current generation the task state clears and the open actions finish. When the
 * engine refused new limits, the row's limits and the host's claim go back to what the engine has.
 * Quota goes back in the same transaction. Returns whether any claim on the host changed.
 */
export async function applyStatuses(db: Database, hostId: string, updates: ObservedStatus[], quotas?: QuotaBook): Promise<boolean> {
  if (updates.length === 0) return false;
  let claimsChanged = false;
  const tree = quotas?.enforced && updates.some((u) => u.status === 'Deleted' || u.limitsRefused) ? await quotas.tree() : null;
  await db.tx(async (trx) => {
    for (const u of updates) {
      const row = await repo.getContainer(trx, u.uuid);
      if (!row || row.host_id !== hostId) continue;
      if (u.status === 'Deleted') {
        // Deleted without being asked: only an auto-remove container that exited, which Zun forgets too.
        const autoRemove = (JSON.parse(row.spec) as { autoRemove?: boolean }).autoRemove === true;
        if (row.desired !== 'deleted' && !autoRemove) continue;
        if (!(await repo.removeContainerIf(trx, row.uuid, row.generation))) continue;
        await repo.releaseOnHost(trx, hostId, claimOf(row));
        if (tree && row.queued_at === null) await releaseQuota(trx, tree, row.project_id, amountsOfRow(row));
        await repo.finishOpenActions(trx, row.uuid, 'Success');
        claimsChanged = true;
        continue;
      }
      const applied = u.generation >= row.generation;
      const observed = { ...u.observed, appliedRestartGeneration: u.restartGeneration };
      const status = row.desired === 'deleted' && u.status !== 'Error' ? 'Deleting' : u.status;
      const refused = applied ? u.limitsRefused : undefined;
      const limits: Partial<typeof row> = {};
      if (refused && (refused.cpu !== row.cpu || refused.memoryMb !== row.memory_mb)) {
        // The engine kept its limits: so does the row, and the host's claim follows.
        const spec = JSON.parse(row.spec) as ContainerSpec;
        spec.cpu = refused.cpu;
        spec.memoryMb = refused.memoryMb;
        Object.assign(limits, { cpu: refused.cpu, memory_mb: refused.memoryMb, spec: JSON.stringify(spec) });
        await repo.releaseOnHost(trx, hostId, { cpu: row.cpu - refused.cpu, memoryMb: row.memory_mb - refused.memoryMb, diskGb: 0, containers: 0 });
        if (tree && row.queued_at === null) await releaseQuota(trx, tree, row.project_id, { containers: 0, cpu: row.cpu - refused.cpu, memory: row.memory_mb - refused.memoryMb, disk: 0 });
        claimsChanged = true;
      }
      const set: Partial<typeof row> = {
        status,
        // A preempted container keeps the reason naming who reclaimed it while it waits.
        status_reason: refused ? refused.reason : row.queued_at !== null ? row.status_reason ?? u.statusReason : u.statusReason,
        status_detail: u.statusDetail,
        engine_id: u.engineId ?? row.engine_id,
        observed: JSON.stringify(observed),
        observed_generation: Math.max(row.observed_generation, u.generation),
        ...limits,
        ...(applied && row.desired !== 'deleted' ? { task_state: null } : {}),
      };
      // A report that changes nothing writes nothing (agents re-report everything now and then).
      if (Object.entries(set).some(([k, v]) => row[k as keyof typeof row] !== v)) await repo.updateContainer(trx, row.uuid, set);
      const wasPending = row.observed_generation < row.generation || row.task_state !== null;
      if (applied && row.desired !== 'deleted' && wasPending) {
        const failed = u.status === 'Error' || refused !== undefined;
        await repo.finishOpenActions(trx, row.uuid, failed ? 'Error' : 'Success', refused ? refused.reason : u.status === 'Error' ? u.statusReason : null);
      }
    }
  });
  return claimsChanged;
}
