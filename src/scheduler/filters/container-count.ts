import { PASS, type Filter } from '../types.js';

/** The host is below its container limit: `used + 1 <= capacity`, written as `1 <= capacity - used`. */
export const containerCountFilter: Filter = {
  name: 'container-count',
  test: (_req, host) =>
    1 <= host.capacity.containers - host.used.containers ? PASS : { ok: false, reason: 'at their container limit' },
};
