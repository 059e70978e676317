import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * Quotas: per-project settings of the sharing model, Zun's quota classes, and usage rows updated with
 * conditional writes in the admission transaction. A usage row's scope is a project id (what the
 * project and, through share mode, its children use) or a lend pool (`pool:...`, the pool's draw).
 * vCPUs are counted in thousandths so that sums stay exact. A container counts while `queued_at` is null; a preempted one waits in the queue with no usage.
 */
export async function quotaSchema(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const float = dialect === 'postgres' ? 'double precision' : 'real';
  await db.schema.createTable('quota_settings')
    .addColumn('project_id', 'text', (c) => c.primaryKey())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('guarantee', 'text', (c) => c.notNull())
    .addColumn('borrow_limit', 'text', (c) => c.notNull())
    .addColumn('lend_limit', 'text', (c) => c.notNull())
    .addColumn('weight', float, (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createTable('quota_classes')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('limits', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createTable('quota_usage')
    .addColumn('scope', 'text', (c) => c.primaryKey())
    .addColumn('containers', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cpu_milli', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('memory', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('disk', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('containers').addColumn('priority', 'integer').execute();
  await db.schema.alterTable('containers').addColumn('admitted_at', 'text').execute();
  await db.schema.alterTable('containers').addColumn('queued_at', 'text').execute();
  await sql`update containers set admitted_at = created_at`.execute(db);
  await db.schema.createIndex('containers_queued').on('containers').columns(['queued_at']).execute();
  await db.schema.createIndex('containers_project_priority').on('containers').columns(['project_id', 'priority', 'admitted_at']).execute();
}
