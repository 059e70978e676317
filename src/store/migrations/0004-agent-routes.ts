import type { Kysely } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * Which server holds each agent's connection, so any server can forward a call to it: `servers` lists
 * the running servers and the URL the others reach each on, `agent_routes` names the server a host's
 * agent is connected to (one row per connected host; none when it is connected nowhere).
 */
export async function agentRouteSchema(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema.createTable('servers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createTable('agent_routes')
    .addColumn('host_id', 'text', (c) => c.primaryKey().references('hosts.id').onDelete('cascade'))
    .addColumn('server_id', 'text', (c) => c.notNull())
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('connected_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('agent_routes_server').on('agent_routes').column('server_id').execute();
}
