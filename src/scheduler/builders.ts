/**
 * @module Small builders for the scheduler's tests: `host({ memoryMb: 4096 })` is a healthy 8-vCPU host
 * with 4 GB of memory; `req({ cpu: 2 })` a 2-vCPU request.
 */
import type { HostView, PlacementRequest, Resources } from './types.js';

export type HostOptions = Partial<Omit<HostView, 'capacity' | 'used'>> &
  Partial<Resources> & { used?: Partial<Resources> };

const NO_USE: Resources = { cpu: 0, memoryMb: 0, diskGb: 0, containers: 0 };

/** A host; capacity fields (cpu, memoryMb, diskGb, containers) are given flat, usage under `used`. */
export function host(o: HostOptions = {}): HostView {
  const name = o.name ?? 'host-1';
  return {
    id: o.id ?? `id-${name}`,
    name,
    up: o.up ?? true,
    enabled: o.enabled ?? true,
    zone: o.zone ?? 'nova',
    runtimes: o.runtimes ?? ['runc'],
    labels: o.labels ?? {},
    capacity: { cpu: o.cpu ?? 8, memoryMb: o.memoryMb ?? 8192, diskGb: o.diskGb ?? 100, containers: o.containers ?? 10 },
    used: { ...NO_USE, ...o.used },
    containerIds: o.containerIds ?? [],
  };
}

/** host-1 … host-n, all alike. */
export function hosts(n: number, o: HostOptions = {}): HostView[] {
  return Array.from({ length: n }, (_, i) => host({ ...o, name: `host-${i + 1}` }));
}

export function req(o: Partial<PlacementRequest> = {}): PlacementRequest {
  return { cpu: 1, memoryMb: 512, diskGb: 1, ...o };
}

/** Applies a placed request's claim to a plain host view, as a caller would after committing it. */
export function claimOn(h: HostView, r: PlacementRequest, containerId?: string): void {
  h.used.cpu += r.cpu;
  h.used.memoryMb += r.memoryMb;
  h.used.diskGb += r.diskGb;
  h.used.containers += 1;
  if (containerId !== undefined) h.containerIds.push(containerId);
}

/** A small seeded PRNG (mulberry32) so randomized tests are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
