/**
 * @module A resource's health as its owner reports it (Heat's mark-unhealthy): marked unhealthy, it is
 * CHECK_FAILED with the given reason, and the next stack update replaces it (the controller remakes every
 * resource that is not COMPLETE); marked healthy again, a CHECK_FAILED resource is CHECK_COMPLETE. Each
 * change writes an event. Refused while the stack has an action in progress.
 */
import { BerthError } from '../core/errors.js';
import type { Database } from '../store/db.js';
import type { StackRow } from '../store/schema.js';
import * as repo from '../store/stack-repo.js';
import { writeEvent } from './events.js';

export async function markHealth(db: Database, s: StackRow, resource: string, unhealthy: boolean, reason: string): Promise<void> {
  if (s.status === 'IN_PROGRESS') throw new BerthError('busy', `Stack ${s.name} already has an action (${s.action}) in progress.`);
  await db.tx(async (trx) => {
    const r = await repo.getResource(trx, s.id, resource);
    if (!r) throw new BerthError('not_found', `The Resource (${resource}) could not be found in Stack ${s.name}.`);
    if (!unhealthy && !(r.action === 'CHECK' && r.status === 'FAILED')) return;
    const status = unhealthy ? 'FAILED' : 'COMPLETE';
    await repo.updateResource(trx, s.id, resource, { action: 'CHECK', status, reason });
    await writeEvent(trx, { stackId: s.id, resourceName: r.name, resourceType: r.type, physicalId: r.physical_id, action: 'CHECK', status, reason });
  });
}
