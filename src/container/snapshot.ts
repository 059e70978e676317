import type { Queryable } from '../store/db.js';
import type { HostRow } from '../store/schema.js';
import * as repo from '../store/container-repo.js';
import type { HostView } from '../scheduler/index.js';
import { DOWN_AFTER_SECONDS } from '../agent/protocol.js';

/** How far claims may exceed the engine's real size: cpu is shared, memory a little. */
export const CPU_ALLOCATION_RATIO = 16;
export const MEMORY_ALLOCATION_RATIO = 1.5;

export function isUp(h: HostRow, now = Date.now()): boolean {
  if (h.forced_down) return false;
  return h.last_seen_at !== null && now - Date.parse(h.last_seen_at) < DOWN_AFTER_SECONDS * 1000;
}

/** The scheduler's view of every host: capacity (with allocation ratios) and the sum of claims. */
export async function snapshotHosts(q: Queryable): Promise<HostView[]> {
  const [hosts, claims, placed] = await Promise.all([repo.listHosts(q), repo.claimsByHost(q), repo.containerIdsByHost(q)]);
  const used = new Map(claims.map((c) => [c.host_id, c]));
  const ids = new Map<string, string[]>();
  for (const p of placed) ids.set(p.host_id!, [...(ids.get(p.host_id!) ?? []), p.uuid]);
  const now = Date.now();
  return hosts.map((h) => {
    const u = used.get(h.id);
    return {
      id: h.id, name: h.name, up: isUp(h, now), enabled: h.enabled === 1, zone: h.zone,
      runtimes: JSON.parse(h.runtimes) as string[], labels: JSON.parse(h.labels) as Record<string, string>,
      capacity: {
        cpu: h.cpus * CPU_ALLOCATION_RATIO, memoryMb: Math.floor(h.memory_mb * MEMORY_ALLOCATION_RATIO),
        diskGb: h.disk_gb, containers: h.max_containers,
      },
      used: { cpu: Number(u?.cpu ?? 0), memoryMb: Number(u?.memory_mb ?? 0), diskGb: Number(u?.disk_gb ?? 0), containers: Number(u?.n ?? 0) },
      containerIds: ids.get(h.id) ?? [],
    };
  });
}
