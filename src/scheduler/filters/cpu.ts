import { PASS, type Filter } from '../types.js';

/**
 * Room for the requested vCPUs. Written as `need <= capacity - used` (not `used + need <= capacity`) on
 * purpose: the fleet index keeps `capacity - used` per host and prunes on exactly that number, so both
 * agree bit for bit under floating point. The memory, disk and container-count filters do the same.
 */
export const cpuFilter: Filter = {
  name: 'cpu',
  test: (req, host) =>
    req.cpu <= host.capacity.cpu - host.used.cpu ? PASS : { ok: false, reason: `lack cpu (need ${req.cpu} vCPU)` },
};
