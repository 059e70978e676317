import { BerthError } from '../core/errors.js';
import { newUuid } from '../core/ids.js';
import type { Database } from '../store/db.js';
import type { ContainerRow } from '../store/schema.js';
import * as repo from '../store/container-repo.js';
import { place, type PlacementRequest, type Strategy } from '../scheduler/index.js';
import type { ContainerSpec } from '../agent/protocol.js';
import { snapshotHosts } from './snapshot.js';

export interface NewContainer {
  name: string;
  projectId: string;
  userId: string;
  requestId: string;
  image: string;
  imageDriver: string;
  cpu: number;
  memoryMb: number;
  diskGb: number;
  run: boolean;
  spec: ContainerSpec;
  placement: PlacementRequest;
  /** Fields kept for display only (restart policy as sent, security groups, ...). */
  extra: Record<string, unknown>;
}

/**
 * Creates a container: in one transaction, under the placement lock, checks the name, reads every host
 * with its claims, asks the scheduler, and writes the row (its claim is the row: cpu, memory and disk on
 * host_id) and its `create` action. Concurrent creates serialise on the lock, so a host is never
 * overfilled. When nothing fits, the container is stored in Error with the scheduler's reasons.
 */
export async function createContainer(db: Database, strategy: Strategy, c: NewContainer): Promise<ContainerRow> {
  return db.tx(async (trx) => {
    await db.lock(trx, 'placement');
    if ((await repo.findContainersByName(trx, c.projectId, c.name)).length > 0)
      throw new BerthError('conflict', `A container with name ${c.name} already exists in this project.`);
    const hosts = await snapshotHosts(trx);
    const choice = place(c.placement, hosts, { strategy });
    const now = new Date().toISOString();
    const row: ContainerRow = {
      uuid: newUuid(), name: c.name, project_id: c.projectId, user_id: c.userId,
      host_id: choice.ok ? choice.host.id : null,
      image: c.image, image_driver: c.imageDriver, cpu: c.cpu, memory_mb: c.memoryMb, disk_gb: c.diskGb,
      spec: JSON.stringify({ ...c.spec, extra: c.extra }),
      desired: c.run ? 'running' : 'stopped',
      status: choice.ok ? 'Creating' : 'Error',
      status_reason: choice.ok ? null : choice.message,
      status_detail: null,
      task_state: choice.ok ? 'container_creating' : null,
      generation: 1, observed_generation: 0, restart_generation: 0, engine_id: null, observed: '{}', deleted: 0,
      created_at: now, updated_at: now,
    };
    await repo.insertContainer(trx, row);
    await repo.insertAction(trx, {
      id: newUuid(), container_uuid: row.uuid, project_id: c.projectId, user_id: c.userId, action: c.run ? 'run' : 'create',
      request_id: c.requestId, message: choice.ok ? null : choice.message, start_time: now,
      finish_time: choice.ok ? null : now, result: choice.ok ? null : 'Error',
    });
    return row;
  });
}
