import { PASS, type Filter, type FilterResult, type PlacementRequest } from '../types.js';

/** The host carries every requested label with the same value. */
export const labelsFilter: Filter = {
  name: 'labels',
  test(req, host) {
    const want = req.labels;
    if (want === undefined) return PASS;
    for (const key in want) {
      // NOTE: own-property check, so a label named like an Object.prototype member is not "carried".
      if (!Object.hasOwn(host.labels, key) || host.labels[key] !== want[key]) return rejectLabels(req);
    }
    return PASS;
  },
};

function rejectLabels(req: PlacementRequest): FilterResult {
  const list = Object.entries(req.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(', ');
  return { ok: false, reason: `lack labels ${list}` };
}
