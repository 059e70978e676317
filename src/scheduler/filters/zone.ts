import { PASS, type Filter } from '../types.js';

/** Availability zone: a request naming a zone only lands there; a request without one lands anywhere. */
export const zoneFilter: Filter = {
  name: 'zone',
  test: (req, host) =>
    req.zone === undefined || req.zone === host.zone ? PASS : { ok: false, reason: `not in zone ${req.zone}` },
};
