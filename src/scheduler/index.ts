/**
 * @module The scheduler: pure filter-then-weigh placement of containers on hosts, and `Fleet`, an index
 * that makes the same decision over large fleets quickly. No I/O; callers pass snapshots in and commit
 * claims themselves.
 */
export type { HostView, Placement, PlacementRequest, Rejection, Resources, Strategy } from './types.js';
export { claimFor } from './types.js';
export { describeRejections, place } from './place.js';
export { Fleet } from './fleet.js';
