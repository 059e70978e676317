/** @module Stack events: every step of a stack and of its resources is written as one. */
import { newUuid } from '../core/ids.js';
import type { Queryable } from '../store/db.js';
import { insertEvent } from '../store/stack-repo.js';

export interface EventInput {
  stackId: string;
  resourceName: string;
  resourceType: string;
  physicalId: string | null;
  action: string;
  status: string;
  reason: string;
}

export async function writeEvent(q: Queryable, e: EventInput): Promise<void> {
  await insertEvent(q, {
    id: newUuid(), stack_id: e.stackId, resource_name: e.resourceName, resource_type: e.resourceType,
    physical_id: e.physicalId ?? '', action: e.action, status: e.status, reason: e.reason, created_at: new Date().toISOString(),
  });
}

export const STACK_TYPE = 'OS::Heat::Stack';
