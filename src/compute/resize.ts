/**
 * @module Nova's rules for resize, confirmResize and revertResize on a server, in its own words. Pure:
 * the compute face asks here, then changes the container's limits through the core's update (which
 * checks quota and the host's room).
 */
import { BerthError } from '../core/errors.js';
import type { ServerState } from './status.js';

export interface FlavorSize { id: string; vcpus: number; ram: number; disk: number }

const wrongState = (action: string, uuid: string, vmState: string) =>
  new BerthError('conflict', `Cannot '${action}' instance ${uuid} while it is in vm_state ${vmState}`);

/** Why a resize to `to` is refused, thrown as Nova's 409 (state) or 400 (flavor); nothing when allowed. */
export function checkResize(uuid: string, state: ServerState, from: FlavorSize | undefined, to: FlavorSize): void {
  if (state.taskState !== null) throw new BerthError('conflict', `Cannot 'resize' instance ${uuid} while it is in task_state ${state.taskState}`);
  if (!['active', 'stopped'].includes(state.vmState)) throw wrongState('resize', uuid, state.vmState);
  if (from && from.id === to.id) throw new BerthError('bad_request', 'When resizing, instances must change flavor!');
  if (from && to.disk < from.disk) throw new BerthError('bad_request', 'Resize error: Unable to resize disk down.');
}

/** confirmResize and revertResize need a resize waiting for them (Nova's vm_state resized). */
export function checkResizeDecision(action: 'confirmResize' | 'revertResize', uuid: string, state: ServerState): void {
  if (state.vmState !== 'resized') throw wrongState(action, uuid, state.vmState);
}

/** The claim a moved resize keeps on the host it left (see container/move-decide.ts). */
export interface HeldOnSource { hostId: string }

/** What confirmResize or revertResize does, from what the waiting resize recorded. */
export type ResizeEnd<H extends HeldOnSource = HeldOnSource> =
  | { kind: 'nothing' }
  /** Resized in place, confirmed: only the record of the old flavor goes. */
  | { kind: 'keep' }
  /** Resized in place, reverted: the old flavor's limits applied in place again. */
  | { kind: 'restore'; flavorId: string }
  /** Moved, confirmed: the claim held on the host it left is given back. */
  | { kind: 'release'; hold: H }
  /** Moved, reverted: back onto the host it left (its claim held there), with the old flavor. */
  | { kind: 'move_back'; hold: H; flavorId: string };

/** Pure: the end of a resize waiting for `action`, given the flavor it had before and the hold of a move. */
export function resizeEnd<H extends HeldOnSource>(action: 'confirmResize' | 'revertResize', resizeFrom: string | null | undefined, hold: H | undefined): ResizeEnd<H> {
  if (!resizeFrom) return { kind: 'nothing' };
  if (action === 'confirmResize') return hold ? { kind: 'release', hold } : { kind: 'keep' };
  return hold ? { kind: 'move_back', hold, flavorId: resizeFrom } : { kind: 'restore', flavorId: resizeFrom };
}
