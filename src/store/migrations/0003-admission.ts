import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * Admission without a global lock: each host carries the sum of the claims placed on it, updated with a
 * conditional write in the transaction that places, resizes or removes a container; a container's name
 * is unique in its project by index, so racing creates and renames need no lock either.
 */
export async function admissionSchema(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const float = dialect === 'postgres' ? 'double precision' : 'real';
  await db.schema.alterTable('hosts').addColumn('used_cpu', float, (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('hosts').addColumn('used_memory_mb', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('hosts').addColumn('used_disk_gb', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('hosts').addColumn('used_containers', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await sql`update hosts set
      used_cpu = coalesce((select sum(cpu) from containers c where c.host_id = hosts.id), 0),
      used_memory_mb = coalesce((select sum(memory_mb) from containers c where c.host_id = hosts.id), 0),
      used_disk_gb = coalesce((select sum(disk_gb) from containers c where c.host_id = hosts.id), 0),
      used_containers = (select count(*) from containers c where c.host_id = hosts.id)`.execute(db);
  await db.schema.dropIndex('containers_project_name').execute();
  await db.schema.createIndex('containers_project_name').unique().on('containers').columns(['project_id', 'name']).execute();
  await db.schema.createIndex('containers_project_created').on('containers').columns(['project_id', 'created_at', 'uuid']).execute();
}
