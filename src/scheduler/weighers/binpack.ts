import type { Weigher } from '../types.js';
import { share } from './share.js';

/**
 * Best fit: the host's dominant share after this container is placed. The highest score is the host the
 * request leaves with the least room in its most constrained resource.
 */
export const binpackWeigher: Weigher = {
  name: 'binpack',
  weigh(req, host) {
    const { capacity: c, used: u } = host;
    return Math.max(
      share(u.cpu + req.cpu, c.cpu),
      share(u.memoryMb + req.memoryMb, c.memoryMb),
      share(u.diskGb + req.diskGb, c.diskGb),
      share(u.containers + 1, c.containers),
    );
  },
};
