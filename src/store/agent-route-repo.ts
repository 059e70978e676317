import type { Queryable } from './db.js';

/** Plain queries over running servers and which of them holds each host's agent connection. */

/** Records a server at start (or again, if its row was removed meanwhile). */
export const registerServer = (q: Queryable, id: string, url: string, now: string) =>
  q.insertInto('servers').values({ id, url, started_at: now, last_seen_at: now })
    .onConflict((c) => c.column('id').doUpdateSet({ url, last_seen_at: now })).execute();

export const touchServer = (q: Queryable, id: string, now: string) =>
  q.updateTable('servers').set({ last_seen_at: now }).where('id', '=', id).executeTakeFirst();

/** A server that stops takes its routes with it: its agents are connected nowhere until they re-dial. */
export async function removeServer(q: Queryable, id: string): Promise<void> {
  await q.deleteFrom('agent_routes').where('server_id', '=', id).execute();
  await q.deleteFrom('servers').where('id', '=', id).execute();
}

/**
 * Forgets servers whose heartbeat stopped before `before` (they crashed: a clean stop removes its own
 * row) and the routes that still name them.
 */
export async function removeStaleServers(q: Queryable, before: string): Promise<void> {
  const stale = q.selectFrom('servers').select('id').where('last_seen_at', '<', before);
  await q.deleteFrom('agent_routes').where('server_id', 'in', stale).execute();
  await q.deleteFrom('servers').where('last_seen_at', '<', before).execute();
}

/**
 * The host's agent is now connected to `serverId` over connection `connectionId` (replacing whatever
 * was recorded before).
 */
export const setAgentRoute = (q: Queryable, hostId: string, serverId: string, connectionId: string, now: string) =>
  q.insertInto('agent_routes').values({ host_id: hostId, server_id: serverId, connection_id: connectionId, connected_at: now })
    .onConflict((c) => c.column('host_id').doUpdateSet({ server_id: serverId, connection_id: connectionId, connected_at: now })).execute();

/**
 * Connection `connectionId` of the host's agent closed. Conditional on that connection: when the agent
 * has already re-dialled (this server or another), the newer record stays, whichever write lands first.
 */
export const clearAgentRoute = (q: Queryable, hostId: string, connectionId: string) =>
  q.deleteFrom('agent_routes').where('host_id', '=', hostId).where('connection_id', '=', connectionId).execute();

export interface AgentRoute {
  hostName: string;
  serverId: string | null;
  url: string | null;
  lastSeenAt: string | null;
}

/** Where a host's agent is connected: undefined for an unknown host; nulls when it is connected nowhere. */
export async function routeOf(q: Queryable, hostId: string): Promise<AgentRoute | undefined> {
  const row = await q.selectFrom('hosts')
    .leftJoin('agent_routes', 'agent_routes.host_id', 'hosts.id')
    .leftJoin('servers', 'servers.id', 'agent_routes.server_id')
    .select(['hosts.name as hostName', 'agent_routes.server_id as serverId', 'servers.url as url', 'servers.last_seen_at as lastSeenAt'])
    .where('hosts.id', '=', hostId)
    .executeTakeFirst();
  return row ? { hostName: row.hostName, serverId: row.serverId ?? null, url: row.url ?? null, lastSeenAt: row.lastSeenAt ?? null } : undefined;
}
