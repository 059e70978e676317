/**
 * @module Nova's availability zones: the zones of Berth's hosts. A zone is available while one of its
 * hosts is enabled; the detailed list (admins) names each host with its one compute service.
 */
import type { FastifyRequest } from 'fastify';
import { isUp } from '../../container/host-view.js';
import * as repo from '../../store/container-repo.js';
import type { HostRow } from '../../store/schema.js';
import type { App } from '../app-type.js';
import { enforce } from '../auth.js';
import type { ComputeDeps } from './deps.js';
import { novaTime } from './links.js';

function byZone(hosts: readonly HostRow[]): Map<string, HostRow[]> {
  const zones = new Map<string, HostRow[]>();
  for (const h of hosts) zones.set(h.zone, [...(zones.get(h.zone) ?? []), h]);
  return zones;
}

const zoneState = (hosts: readonly HostRow[]) => ({ available: hosts.some((h) => h.enabled === 1) });

export function zoneRoutes(app: App, deps: ComputeDeps): void {
  const hosts = () => repo.listHosts(deps.db.kysely);

  app.get('/os-availability-zone', async (req: FastifyRequest) => {
    enforce(deps.policy, req, 'os_compute_api:os-availability-zone:list');
    return {
      availabilityZoneInfo: [...byZone(await hosts())].map(([zoneName, members]) => ({ zoneName, zoneState: zoneState(members), hosts: null })),
    };
  });

  app.get('/os-availability-zone/detail', async (req: FastifyRequest) => {
    enforce(deps.policy, req, 'os_compute_api:os-availability-zone:detail');
    const now = Date.now();
    return {
      availabilityZoneInfo: [...byZone(await hosts())].map(([zoneName, members]) => ({
        zoneName,
        zoneState: zoneState(members),
        hosts: Object.fromEntries(members.map((h) => [h.name, {
          'nova-compute': { available: isUp(h, now), active: h.enabled === 1, updated_at: novaTime(h.last_seen_at ?? h.updated_at) },
        }])),
      })),
    };
  });
}
