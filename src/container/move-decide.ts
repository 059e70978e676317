/**
 * @module A resize that moves a container to another host, and its confirm and revert. Pure: which host
 * to ask the scheduler for, what the row becomes, what is claimed on which host, what is held on the
 * host left behind and what quota changes; container/move.ts loads, asks here and commits.
 *
 * While a moved resize waits, the host it left keeps the container's old claim (the hold), so a revert
 * always finds room there. A confirm gives the hold back; a revert moves the container back onto it and
 * gives back the claim on the host it moved to.
 */
import { BerthError } from '../core/errors.js';
import type { ContainerSpec } from '../agent/protocol.js';
import type { Claim } from '../store/container-repo.js';
import type { ContainerRow } from '../store/schema.js';
import type { Amounts } from '../quota/index.js';
import { describeRejections, type Placement, type PlacementRequest, type Rejection } from '../scheduler/index.js';
import { claimOf } from './host-view.js';
import { requireState } from './decide.js';

/** The new limits of a resize. */
export interface Size { cpu: number; memoryMb: number }

/** The claim a moved resize keeps on the host it left. */
export interface Hold { hostId: string; claim: Claim }

/** What a move or a revert commits. */
export interface MovePlan {
  set: Partial<ContainerRow>;
  /** Claimed on the host the container goes to (nothing for a revert: the hold is there already). */
  claim: { hostId: string; claim: Claim } | null;
  /** Given back on the host the container leaves (nothing for a move: the old claim becomes the hold). */
  release: { hostId: string; claim: Claim } | null;
  /** Kept on the host left behind until confirm or revert (a move), or null once taken back (a revert). */
  hold: Hold | null;
  /** The change of the project's quota usage (a take when positive). */
  quota: Amounts | null;
}

/** What the scheduler is asked for: a host other than the container's own, with room for the new size. */
export function moveRequest(c: ContainerRow, size: Size): PlacementRequest {
  const hints = c.host_id ? { differentHost: [c.uuid], differentHostIds: [c.host_id] } : undefined;
  return { cpu: size.cpu, memoryMb: size.memoryMb, diskGb: c.disk_gb, hints };
}

/**
 * Nova's "No valid host was found." when no other host has room: why the container's own host cannot
 * take the new size (`ownReason`), then how the other hosts turned it away (the own host, turned away
 * by the different-host hint, left out of the counts).
 */
export function noValidHost(ownReason: string | null, placement: Placement & { ok: false }): string {
  const others: Rejection[] = placement.rejections
    .map((r) => (r.filter === 'hints' && r.reason.includes('(different_host)') ? { ...r, hosts: r.hosts - 1 } : r))
    .filter((r) => r.hosts > 0);
  const counts = others.length === 0
    ? 'There is no other host.'
    : `Of the other hosts, ${describeRejections(others).replace(/^No valid host was found\. \d+ hosts?: /, '')}.`;
  return ['No valid host was found.', ownReason, counts].filter(Boolean).join(' ');
}

/** The desired state kept across a move: a container that stopped on its own stays stopped. */
function desiredKept(c: ContainerRow): ContainerRow['desired'] {
  const settled = c.generation <= c.observed_generation;
  if (settled && c.desired === 'running' && (c.status === 'Stopped' || c.status === 'Error') && c.engine_id !== null) return 'stopped';
  return c.desired;
}

/** The row re-created on `hostId` with `size`: new generation, no engine container yet, power state kept. */
function landOn(c: ContainerRow, hostId: string, size: Size, task: string): Partial<ContainerRow> {
  const spec = JSON.parse(c.spec) as ContainerSpec;
  spec.cpu = size.cpu;
  spec.memoryMb = size.memoryMb;
  return {
    host_id: hostId, cpu: size.cpu, memory_mb: size.memoryMb, spec: JSON.stringify(spec),
    desired: desiredKept(c), generation: c.generation + 1, engine_id: null, observed: '{}',
    status: 'Creating', status_reason: null, status_detail: null, task_state: task,
  };
}

const quotaDelta = (c: ContainerRow, cpu: number, memoryMb: number): Amounts | null =>
  c.queued_at === null ? { containers: 0, cpu: cpu - c.cpu, memory: memoryMb - c.memory_mb, disk: 0 } : null;

/** Refuses (409) a move in a state that allows no change, or of a container with no host or being deleted. */
export function checkMovable(c: ContainerRow): void {
  requireState(c, 'update');
  if (c.host_id === null || c.desired === 'deleted') throw new BerthError('invalid_state', `Cannot move container ${c.uuid} in ${c.status} state.`);
}

/** A move of `c` to `targetId` with `size`; refused (409) in a state that allows no change or without a host. */
export function decideMove(c: ContainerRow, size: Size, targetId: string): MovePlan {
  checkMovable(c);
  if (targetId === c.host_id) throw new Error('a move needs another host');
  return {
    set: landOn(c, targetId, size, 'resize_migrating'),
    claim: { hostId: targetId, claim: { cpu: size.cpu, memoryMb: size.memoryMb, diskGb: c.disk_gb, containers: 1 } },
    release: null,
    hold: { hostId: c.host_id!, claim: claimOf(c) },
    quota: quotaDelta(c, size.cpu, size.memoryMb),
  };
}

/** Back onto the held host with the held limits; the claim on the host it moved to is given back. */
export function decideRevert(c: ContainerRow, hold: Hold): MovePlan {
  if (c.desired === 'deleted') throw new BerthError('invalid_state', `Cannot move container ${c.uuid} in ${c.status} state.`);
  if (c.host_id === hold.hostId) throw new BerthError('conflict', `Container ${c.uuid} is on its original host already.`);
  const size = { cpu: hold.claim.cpu, memoryMb: hold.claim.memoryMb };
  return {
    set: landOn(c, hold.hostId, size, 'resize_reverting'),
    claim: null,
    release: c.host_id ? { hostId: c.host_id, claim: claimOf(c) } : null,
    hold: null,
    quota: quotaDelta(c, size.cpu, size.memoryMb),
  };
}

/** A confirm keeps the container where it is and gives the hold back. */
export function decideConfirm(hold: Hold): { release: { hostId: string; claim: Claim } } {
  return { release: { hostId: hold.hostId, claim: hold.claim } };
}
