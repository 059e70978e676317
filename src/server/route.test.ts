import { deepStrictEqual } from 'node:assert/strict';
import { test } from 'node:test';
import { decideRoute, type RouteDecision, type RouteInput } from './route.js';

const NOW = Date.parse('2026-01-01T00:00:30.000Z');
const route = (o: Partial<NonNullable<RouteInput['route']>> = {}) =>
  ({ hostName: 'h1', serverId: 'b', url: 'http://127.0.0.1:9000', lastSeenAt: '2026-01-01T00:00:25.000Z', ...o });
const input = (o: Partial<RouteInput> = {}): RouteInput =>
  ({ hostId: 'host-1', local: false, route: route(), selfId: 'a', now: NOW, serverDownAfterMs: 20_000, ...o });

const cases: { name: string; given: RouteInput; want: RouteDecision }[] = [
  { name: 'connected here → local', given: input({ local: true }), want: { kind: 'local' } },
  { name: 'connected here wins over a stale route', given: input({ local: true, route: route({ serverId: null }) }), want: { kind: 'local' } },
  { name: 'another live server → remote', given: input(), want: { kind: 'remote', serverId: 'b', url: 'http://127.0.0.1:9000', hostName: 'h1' } },
  { name: 'heartbeat exactly at the limit → remote', given: input({ route: route({ lastSeenAt: '2026-01-01T00:00:10.000Z' }) }), want: { kind: 'remote', serverId: 'b', url: 'http://127.0.0.1:9000', hostName: 'h1' } },
  { name: 'no host → unreachable', given: input({ hostId: null }), want: { kind: 'unreachable', message: 'The container is not placed on a compute host.' } },
  { name: 'unknown host → unreachable', given: input({ route: undefined }), want: { kind: 'unreachable', message: 'The compute host of this container no longer exists.' } },
  { name: 'connected nowhere → unreachable', given: input({ route: route({ serverId: null, url: null, lastSeenAt: null }) }), want: { kind: 'unreachable', message: 'The compute host h1 is not connected to any Berth server.' } },
  { name: 'route names this server but the agent is gone → unreachable', given: input({ route: route({ serverId: 'a' }) }), want: { kind: 'unreachable', message: 'The compute host h1 is not connected to any Berth server.' } },
  { name: 'server row gone → unreachable', given: input({ route: route({ url: null, lastSeenAt: null }) }), want: { kind: 'unreachable', message: 'The compute host h1 was connected to a Berth server that has stopped.' } },
  { name: 'server silent too long → unreachable', given: input({ route: route({ lastSeenAt: '2026-01-01T00:00:05.000Z' }) }), want: { kind: 'unreachable', message: 'The compute host h1 is connected to the Berth server at http://127.0.0.1:9000, which has not been seen for 25 s.' } },
  { name: 'unreadable heartbeat → unreachable', given: input({ route: route({ lastSeenAt: 'garbage' }) }), want: { kind: 'unreachable', message: 'The compute host h1 was connected to a Berth server that has stopped.' } },
];

for (const c of cases) test(c.name, () => deepStrictEqual(decideRoute(c.given), c.want));
