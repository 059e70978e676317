import type { HostView, Weigher } from '../types.js';
import { share } from './share.js';

/**
 * How used the host already is: its dominant share, the largest used/capacity fraction over cpu, memory,
 * disk and container count. Independent of the request, which lets the fleet index keep hosts sorted by it.
 * Fill-first prefers a high score (fill the fullest host first), spread a low one.
 */
export const usageWeigher: Weigher = {
  name: 'usage',
  weigh: (_req, host) => hostUsage(host),
};

export function hostUsage(host: HostView): number {
  const { capacity: c, used: u } = host;
  return Math.max(
    share(u.cpu, c.cpu),
    share(u.memoryMb, c.memoryMb),
    share(u.diskGb, c.diskGb),
    share(u.containers, c.containers),
  );
}
