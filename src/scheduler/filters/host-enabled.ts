import { PASS, type Filter } from '../types.js';

/** An operator disabled the host (maintenance, draining): it keeps its containers but takes no new ones. */
export const hostEnabledFilter: Filter = {
  name: 'host-enabled',
  test: (_req, host) => (host.enabled ? PASS : { ok: false, reason: 'disabled' }),
};
