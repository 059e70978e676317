/**
 * @module How a host row looks to the scheduler: capacity scaled by the allocation ratios, claims as
 * stored, up while its agent reports. Pure.
 */
import type { HostRow } from '../store/schema.js';
import type { Claim, Ratios } from '../store/container-repo.js';
import type { HostView } from '../scheduler/index.js';
import { DOWN_AFTER_SECONDS } from '../agent/protocol.js';

/** How far claims may exceed the engine's real size: cpu is shared, memory a little. */
export const CPU_ALLOCATION_RATIO = 16;
export const MEMORY_ALLOCATION_RATIO = 1.5;
export const RATIOS: Ratios = { cpu: CPU_ALLOCATION_RATIO, memory: MEMORY_ALLOCATION_RATIO };

export function isUp(h: Pick<HostRow, 'forced_down' | 'last_seen_at'>, now = Date.now()): boolean {
  if (h.forced_down) return false;
  return h.last_seen_at !== null && now - Date.parse(h.last_seen_at) < DOWN_AFTER_SECONDS * 1000;
}

/** The scheduler's view of a host, with `pending` (claims being committed) added to what is stored. */
export function hostView(h: HostRow, now = Date.now(), pending: Claim = NO_CLAIM): HostView {
  return {
    id: h.id, name: h.name, up: isUp(h, now), enabled: h.enabled === 1, zone: h.zone,
    runtimes: JSON.parse(h.runtimes) as string[], labels: JSON.parse(h.labels) as Record<string, string>,
    capacity: {
      cpu: h.cpus * CPU_ALLOCATION_RATIO, memoryMb: Math.floor(h.memory_mb * MEMORY_ALLOCATION_RATIO),
      diskGb: h.disk_gb, containers: h.max_containers,
    },
    used: {
      cpu: Number(h.used_cpu) + pending.cpu, memoryMb: Number(h.used_memory_mb) + pending.memoryMb,
      diskGb: Number(h.used_disk_gb) + pending.diskGb, containers: Number(h.used_containers) + pending.containers,
    },
    containerIds: [],
  };
}

export const NO_CLAIM: Claim = Object.freeze({ cpu: 0, memoryMb: 0, diskGb: 0, containers: 0 });

export const claimOf = (c: { cpu: number; memory_mb: number; disk_gb: number }, containers = 1): Claim =>
  ({ cpu: c.cpu, memoryMb: c.memory_mb, diskGb: c.disk_gb, containers });

export const addClaims = (a: Claim, b: Claim, sign = 1): Claim => ({
  cpu: a.cpu + sign * b.cpu, memoryMb: a.memoryMb + sign * b.memoryMb, diskGb: a.diskGb + sign * b.diskGb, containers: a.containers + sign * b.containers,
});

export const negate = (c: Claim): Claim => addClaims(NO_CLAIM, c, -1);

/** With `claim` added to the host's stored usage. */
export const withClaim = (h: HostRow, c: Claim): HostRow => ({
  ...h, used_cpu: h.used_cpu + c.cpu, used_memory_mb: h.used_memory_mb + c.memoryMb, used_disk_gb: h.used_disk_gb + c.diskGb, used_containers: h.used_containers + c.containers,
});

/** A change of claim worth writing (claims are float sums: compare with a tolerance). */
export const isZeroClaim = (c: Claim): boolean =>
  Math.abs(c.cpu) < 1e-9 && c.memoryMb === 0 && c.diskGb === 0 && c.containers === 0;
