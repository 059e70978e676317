import { PASS, type Filter } from '../types.js';

/** Room for the requested root disk (see the cpu filter for why the comparison is written this way). */
export const diskFilter: Filter = {
  name: 'disk',
  test: (req, host) =>
    req.diskGb <= host.capacity.diskGb - host.used.diskGb
      ? PASS
      : { ok: false, reason: `lack disk (need ${req.diskGb} GB)` },
};
