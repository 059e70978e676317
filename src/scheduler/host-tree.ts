/**
 * @module The ordered index under `Fleet`: a treap of hosts sorted by (usage descending, name order), each
 * node carrying the largest free cpu, memory, disk and container slots in its subtree.
 *
 * Invariants:
 * - `node.usage === hostUsage(node.view)` while the node is in a tree: a host's usage changes only by
 *   taking it out, changing it and putting it back (`Fleet` does this on every claim, release, update).
 * - A host that is down or disabled has free `-Infinity` everywhere, so every search skips it.
 * - Free is `capacity - used`, the very expression the capacity filters compare against; pruning a subtree
 *   whose maximum is below the request therefore never drops a host the filters would accept.
 *
 * Searches descend in order and prune on the maxima. The maxima of different resources may come from
 * different hosts, so a search is O(log n) when free room is plentiful and degrades towards a scan only
 * when many hosts are nearly full in complementary resources.
 */
import { passesAll } from './filters/index.js';
import { compareHosts } from './order.js';
import type { HostView, PlacementRequest } from './types.js';
import { hostUsage } from './weighers/usage.js';

export interface HostNode {
  view: HostView;
  usage: number;
  readonly prio: number;
  left: HostNode | null;
  right: HostNode | null;
  cpu: number;
  mem: number;
  disk: number;
  slots: number;
  maxCpu: number;
  maxMem: number;
  maxDisk: number;
  maxSlots: number;
}

export function makeNode(view: HostView, prio: number): HostNode {
  const node: HostNode = {
    view, usage: 0, prio, left: null, right: null,
    cpu: 0, mem: 0, disk: 0, slots: 0, maxCpu: 0, maxMem: 0, maxDisk: 0, maxSlots: 0,
  };
  refresh(node);
  return node;
}

/** Recomputes the node's key and own free room from its view. Only for a node outside the tree. */
export function refresh(node: HostNode): void {
  const { view } = node;
  node.usage = hostUsage(view);
  const open = view.up && view.enabled;
  node.cpu = open ? room(view.capacity.cpu, view.used.cpu) : -Infinity;
  node.mem = open ? room(view.capacity.memoryMb, view.used.memoryMb) : -Infinity;
  node.disk = open ? room(view.capacity.diskGb, view.used.diskGb) : -Infinity;
  node.slots = open ? room(view.capacity.containers, view.used.containers) : -Infinity;
  node.left = node.right = null;
  pull(node);
}

/** Free room; NaN (bad data, which no filter accepts) becomes -Infinity so it cannot poison the maxima. */
function room(capacity: number, used: number): number {
  const free = capacity - used;
  return free === free ? free : -Infinity;
}

function pull(t: HostNode): void {
  let cpu = t.cpu, mem = t.mem, disk = t.disk, slots = t.slots;
  const l = t.left, r = t.right;
  if (l !== null) {
    if (l.maxCpu > cpu) cpu = l.maxCpu;
    if (l.maxMem > mem) mem = l.maxMem;
    if (l.maxDisk > disk) disk = l.maxDisk;
    if (l.maxSlots > slots) slots = l.maxSlots;
  }
  if (r !== null) {
    if (r.maxCpu > cpu) cpu = r.maxCpu;
    if (r.maxMem > mem) mem = r.maxMem;
    if (r.maxDisk > disk) disk = r.maxDisk;
    if (r.maxSlots > slots) slots = r.maxSlots;
  }
  t.maxCpu = cpu;
  t.maxMem = mem;
  t.maxDisk = disk;
  t.maxSlots = slots;
}

function compare(a: HostNode, b: HostNode): number {
  if (a.usage !== b.usage) return a.usage > b.usage ? -1 : 1;
  return compareHosts(a.view, b.view);
}

/** Splits t into the nodes ordered before n and the rest. */
function split(t: HostNode | null, n: HostNode): [HostNode | null, HostNode | null] {
  if (t === null) return [null, null];
  if (compare(t, n) < 0) {
    const [l, r] = split(t.right, n);
    t.right = l;
    pull(t);
    return [t, r];
  }
  const [l, r] = split(t.left, n);
  t.left = r;
  pull(t);
  return [l, t];
}

function merge(a: HostNode | null, b: HostNode | null): HostNode | null {
  if (a === null) return b;
  if (b === null) return a;
  if (a.prio > b.prio) {
    a.right = merge(a.right, b);
    pull(a);
    return a;
  }
  b.left = merge(a, b.left);
  pull(b);
  return b;
}

export function insert(t: HostNode | null, n: HostNode): HostNode {
  if (t === null) return n;
  if (n.prio > t.prio) {
    [n.left, n.right] = split(t, n);
    pull(n);
    return n;
  }
  if (compare(n, t) < 0) t.left = insert(t.left, n);
  else t.right = insert(t.right, n);
  pull(t);
  return t;
}

export function remove(t: HostNode | null, n: HostNode): HostNode | null {
  if (t === null) throw new Error(`host ${n.view.id} is not in the index`);
  if (t === n) return merge(t.left, t.right);
  if (compare(n, t) < 0) t.left = remove(t.left, n);
  else t.right = remove(t.right, n);
  pull(t);
  return t;
}

function roomFor(req: PlacementRequest, t: HostNode): boolean {
  return req.cpu <= t.maxCpu && req.memoryMb <= t.maxMem && req.diskGb <= t.maxDisk && 1 <= t.maxSlots;
}

function accepts(req: PlacementRequest, t: HostNode): boolean {
  return req.cpu <= t.cpu && req.memoryMb <= t.mem && req.diskGb <= t.disk && 1 <= t.slots && passesAll(req, t.view);
}

/** The first host in order that passes every filter: the fill-first choice. */
export function first(t: HostNode | null, req: PlacementRequest): HostNode | null {
  if (t === null || !roomFor(req, t)) return null;
  return first(t.left, req) ?? (accepts(req, t) ? t : null) ?? first(t.right, req);
}

/** The last host in order that passes every filter: one of the least used (spread, first phase). */
export function last(t: HostNode | null, req: PlacementRequest): HostNode | null {
  if (t === null || !roomFor(req, t)) return null;
  return last(t.right, req) ?? (accepts(req, t) ? t : null) ?? last(t.left, req);
}

/** The first host in order with usage at most `usage` that passes every filter (spread, second phase). */
export function firstAtMost(t: HostNode | null, req: PlacementRequest, usage: number): HostNode | null {
  if (t === null || !roomFor(req, t)) return null;
  // Everything before t (its left subtree) is at least as used as t: skip both while t is above the bound.
  if (t.usage > usage) return firstAtMost(t.right, req, usage);
  return firstAtMost(t.left, req, usage) ?? (accepts(req, t) ? t : null) ?? firstAtMost(t.right, req, usage);
}
