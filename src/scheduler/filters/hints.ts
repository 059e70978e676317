import { PASS, type Filter } from '../types.js';

/**
 * Scheduler hints, checked in this order: `host` pins to one host by name, `sameHost` asks for the host
 * holding all the listed containers (affinity), `differentHost` for a host holding none of them
 * (anti-affinity). Empty lists ask nothing.
 */
export const hintsFilter: Filter = {
  name: 'hints',
  test(req, host) {
    const hints = req.hints;
    if (hints === undefined) return PASS;
    if (hints.host !== undefined && hints.host !== host.name) {
      return { ok: false, reason: `not the requested host ${hints.host}` };
    }
    const same = hints.sameHost;
    const holdsSame = (): boolean => (hints.sameHostId !== undefined ? hints.sameHostId === host.id : same!.every((id) => host.containerIds.includes(id)));
    if (same !== undefined && same.length > 0 && !holdsSame()) {
      return { ok: false, reason: `do not hold all of containers ${same.join(', ')} (same_host)` };
    }
    const different = hints.differentHost;
    const holdsDifferent = (): boolean => (hints.differentHostIds !== undefined ? hints.differentHostIds.includes(host.id) : different!.some((id) => host.containerIds.includes(id)));
    if (different !== undefined && different.length > 0 && holdsDifferent()) {
      return { ok: false, reason: `hold one of containers ${different.join(', ')} (different_host)` };
    }
    return PASS;
  },
};
