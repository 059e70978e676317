/** @module What Nova's hypervisor view reads beyond the host rows. */
import type { Queryable } from './db.js';

/** When the host's agent connected to a server (its current connection); undefined when it is connected nowhere. */
export async function agentConnectedAt(q: Queryable, hostId: string): Promise<string | undefined> {
  const row = await q.selectFrom('agent_routes').select('connected_at').where('host_id', '=', hostId).executeTakeFirst();
  return row?.connected_at;
}
