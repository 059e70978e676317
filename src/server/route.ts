/**
 * @module
 * Where a call for a host goes: to the agent connected to this server, to the server that holds the
 * agent's connection, or nowhere (the answer is then a 503 saying why). Pure: the caller looks the route
 * up and says whether the agent is connected here.
 */
import type { AgentRoute } from '../store/agent-route-repo.js';

export type RouteDecision =
  | { kind: 'local' }
  | { kind: 'remote'; serverId: string; url: string; hostName: string }
  | { kind: 'unreachable'; message: string };

export interface RouteInput {
  hostId: string | null;
  /** The agent is connected to this server. */
  local: boolean;
  /** The recorded route; undefined when the host is unknown. */
  route: AgentRoute | undefined;
  selfId: string;
  now: number;
  /** A server whose heartbeat is older than this is gone. */
  serverDownAfterMs: number;
}

export function decideRoute(i: RouteInput): RouteDecision {
  if (i.local) return { kind: 'local' };
  if (i.hostId === null) return { kind: 'unreachable', message: 'The container is not placed on a compute host.' };
  const r = i.route;
  if (!r) return { kind: 'unreachable', message: 'The compute host of this container no longer exists.' };
  const host = `The compute host ${r.hostName}`;
  // NOTE: a route naming this server while the agent is not connected here is one whose close is still
  // being recorded: the agent is gone either way.
  if (r.serverId === null || r.serverId === i.selfId) return { kind: 'unreachable', message: `${host} is not connected to any Berth server.` };
  const seen = r.lastSeenAt === null ? NaN : Date.parse(r.lastSeenAt);
  if (r.url === null || Number.isNaN(seen)) return { kind: 'unreachable', message: `${host} was connected to a Berth server that has stopped.` };
  const age = i.now - seen;
  if (age > i.serverDownAfterMs) {
    return { kind: 'unreachable', message: `${host} is connected to the Berth server at ${r.url}, which has not been seen for ${Math.round(age / 1000)} s.` };
  }
  return { kind: 'remote', serverId: r.serverId, url: r.url, hostName: r.hostName };
}
