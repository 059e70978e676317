/**
 * @module The one ordered filter list. Cheap structural checks come first and capacity last, so a host
 * that is down is reported as down, not as short of memory: `place` attributes each rejected host to the
 * first filter it fails.
 */
import type { Filter, FilterResult, HostView, PlacementRequest } from '../types.js';
import { containerCountFilter } from './container-count.js';
import { cpuFilter } from './cpu.js';
import { diskFilter } from './disk.js';
import { hintsFilter } from './hints.js';
import { hostEnabledFilter } from './host-enabled.js';
import { hostUpFilter } from './host-up.js';
import { labelsFilter } from './labels.js';
import { memoryFilter } from './memory.js';
import { runtimeFilter } from './runtime.js';
import { zoneFilter } from './zone.js';

export const FILTERS: readonly Filter[] = [
  hostUpFilter,
  hostEnabledFilter,
  zoneFilter,
  runtimeFilter,
  labelsFilter,
  hintsFilter,
  cpuFilter,
  memoryFilter,
  diskFilter,
  containerCountFilter,
];

/** The first filter the host fails, with its result, or undefined when the host passes them all. */
export function firstFailure(
  req: PlacementRequest,
  host: HostView,
): { filter: Filter; result: FilterResult & { ok: false } } | undefined {
  for (const filter of FILTERS) {
    const result = filter.test(req, host);
    if (!result.ok) return { filter, result };
  }
  return undefined;
}

/** True when the host passes every filter. */
export function passesAll(req: PlacementRequest, host: HostView): boolean {
  for (const filter of FILTERS) if (!filter.test(req, host).ok) return false;
  return true;
}
