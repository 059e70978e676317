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
