/**
 * @module Strategies are weigher lists with multipliers (a negative multiplier prefers a low score). A
 * host's weight is the sum of multiplier × score; the heaviest host wins, ties go to the host first in
 * name order.
 */
import type { HostView, PlacementRequest, Strategy, Weigher } from '../types.js';
import { binpackWeigher } from './binpack.js';
import { usageWeigher } from './usage.js';

export interface WeigherUse {
  readonly weigher: Weigher;
  readonly multiplier: number;
}

/**
 * NOTE: the fleet index relies on fill-first being exactly `usage × 1` and spread exactly `usage × -1`
 * (request-independent, so hosts can stay sorted). Changing these means changing `Fleet` too; its
 * randomized test against `place` would catch a mismatch.
 */
export const STRATEGIES: Readonly<Record<Strategy, readonly WeigherUse[]>> = {
  'fill-first': [{ weigher: usageWeigher, multiplier: 1 }],
  spread: [{ weigher: usageWeigher, multiplier: -1 }],
  binpack: [{ weigher: binpackWeigher, multiplier: 1 }],
};

export function weigh(uses: readonly WeigherUse[], req: PlacementRequest, host: HostView): number {
  let total = 0;
  for (const use of uses) total += use.multiplier * use.weigher.weigh(req, host);
  return total;
}
