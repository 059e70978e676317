import { PASS, type Filter } from '../types.js';

/** The host's agent is reporting; a down host cannot start anything. */
export const hostUpFilter: Filter = {
  name: 'host-up',
  test: (_req, host) => (host.up ? PASS : { ok: false, reason: 'down' }),
};
