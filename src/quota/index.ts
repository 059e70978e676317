/**
 * @module Berth's quota model: hierarchical projects in exclusive, lend/borrow and share modes, the
 * conditional writes an admission makes, reclaiming lent capacity, and the quota table. Pure: no I/O.
 */
export * from './types.js';
export * as amounts from './amounts.js';
export { EPSILON } from './amounts.js';
export { QuotaTree, type Pool } from './tree.js';
export { applyTakes, draw, drawDelta, releaseTakes, rowOf, type Applied } from './usage.js';
export { admit, entitlement, owed, type Admission } from './admit.js';
export { eligible, reclaim, reclaimOrder, type Reclaim } from './reclaim.js';
export { validateSettings } from './validate.js';
export { describe, lentByMember, type QuotaRow } from './view.js';
export { quantity, list as listAmounts } from './words.js';
