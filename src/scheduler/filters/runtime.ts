import { PASS, type Filter } from '../types.js';

/** The host's engine offers the requested OCI runtime. No runtime asked means the engine's default. */
export const runtimeFilter: Filter = {
  name: 'runtime',
  test: (req, host) =>
    req.runtime === undefined || host.runtimes.includes(req.runtime)
      ? PASS
      : { ok: false, reason: `lack runtime ${req.runtime}` },
};
