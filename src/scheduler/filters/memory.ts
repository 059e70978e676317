import { PASS, type Filter } from '../types.js';

/** Room for the requested memory (see the cpu filter for why the comparison is written this way). */
export const memoryFilter: Filter = {
  name: 'memory',
  test: (req, host) =>
    req.memoryMb <= host.capacity.memoryMb - host.used.memoryMb
      ? PASS
      : { ok: false, reason: `lack memory (need ${req.memoryMb} MB)` },
};
