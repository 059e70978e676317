/**
 * @module `Fleet`: an in-memory index over many hosts that makes the same choice as `place` would over
 * the same hosts, without looking at every host. Fill-first and spread search the ordered host tree,
 * pruning on free room and checking zone, runtime, labels and anti-affinity on the hosts the search
 * reaches (a zone holding few of the hosts therefore costs more than a plain request); requests pinned to
 * a host or to another container's host look at those candidates only; binpack, whose weight depends on
 * the request, weighs every host like `place` does.
 *
 * The index owns copies of the views it is given and hands out copies, so callers cannot change it
 * behind its back. It is not a source of truth: callers keep it in step with committed claims.
 */
import { first, firstAtMost, insert, last, makeNode, refresh, remove, type HostNode } from './host-tree.js';
import { chooseHost, refuse } from './place.js';
import type { HostView, Placement, PlacementRequest, Resources, Strategy } from './types.js';

export class Fleet {
  #root: HostNode | null = null;
  readonly #byId = new Map<string, HostNode>();
  readonly #byName = new Map<string, Set<HostNode>>();
  readonly #byContainer = new Map<string, Set<HostNode>>();
  // Treap priorities from a fixed-seed xorshift: the tree's shape never affects a decision, but a
  // deterministic shape makes runs reproducible.
  #seed = 0x2545f491;

  constructor(hosts: Iterable<HostView> = []) {
    for (const host of hosts) this.add(host);
  }

  get size(): number {
    return this.#byId.size;
  }

  add(host: HostView): void {
    if (this.#byId.has(host.id)) throw new Error(`host ${host.id} is already in the fleet`);
    const node = makeNode(cloneHost(host), this.#nextPrio());
    this.#byId.set(host.id, node);
    this.#index(node);
    this.#root = insert(this.#root, node);
  }

  /** Replaces a host's view (new capacity, state, labels, containers...). */
  update(host: HostView): void {
    this.#change(host.id, (node) => {
      this.#unindex(node);
      node.view = cloneHost(host);
      this.#index(node);
    });
  }

  remove(hostId: string): boolean {
    const node = this.#byId.get(hostId);
    if (node === undefined) return false;
    this.#root = remove(this.#root, node);
    this.#unindex(node);
    this.#byId.delete(hostId);
    return true;
  }

  get(hostId: string): HostView | undefined {
    const node = this.#byId.get(hostId);
    return node === undefined ? undefined : cloneHost(node.view);
  }

  hosts(): HostView[] {
    return [...this.#byId.values()].map((n) => cloneHost(n.view));
  }

  /** Adds a claim to the host's usage, and the container to its list when an id is given. */
  claim(hostId: string, amount: Resources, containerId?: string): void {
    this.#change(hostId, (node) => {
      const used = node.view.used;
      used.cpu += amount.cpu;
      used.memoryMb += amount.memoryMb;
      used.diskGb += amount.diskGb;
      used.containers += amount.containers;
      if (containerId !== undefined) {
        node.view.containerIds.push(containerId);
        addTo(this.#byContainer, containerId, node);
      }
    });
  }

  /** Takes a claim back off the host's usage, and the container off its list when an id is given. */
  release(hostId: string, amount: Resources, containerId?: string): void {
    this.#change(hostId, (node) => {
      const used = node.view.used;
      used.cpu -= amount.cpu;
      used.memoryMb -= amount.memoryMb;
      used.diskGb -= amount.diskGb;
      used.containers -= amount.containers;
      if (containerId !== undefined) {
        const ids = node.view.containerIds;
        const at = ids.indexOf(containerId);
        if (at >= 0) ids.splice(at, 1);
        if (!ids.includes(containerId)) deleteFrom(this.#byContainer, containerId, node);
      }
    });
  }

  /** The same answer as `place(req, this.hosts(), { strategy })`. */
  place(req: PlacementRequest, strategy: Strategy = 'fill-first'): Placement {
    const node = this.#choosePreferred(req, strategy) ?? this.#choose(req, strategy);
    return node !== undefined ? { ok: true, host: cloneHost(node.view) } : refuse(req, this.#views());
  }

  #choose(req: PlacementRequest, strategy: Strategy): HostNode | undefined {
    const hints = req.hints;
    // Every other host fails the hints filter, so choosing among these candidates is choosing among all.
    if (hints?.host !== undefined) return this.#chooseAmong(req, this.#byName.get(hints.host), strategy);
    if (hints?.sameHost !== undefined && hints.sameHost.length > 0) {
      if (hints.sameHostId !== undefined) {
        const node = hints.sameHostId === null ? undefined : this.#byId.get(hints.sameHostId);
        return this.#chooseAmong(req, node === undefined ? [] : [node], strategy);
      }
      return this.#chooseAmong(req, this.#byContainer.get(hints.sameHost[0]), strategy);
    }
    if (strategy === 'fill-first') return first(this.#root, req) ?? undefined;
    if (strategy === 'spread') {
      // The last fitting host in order has the lowest usage; among hosts of that usage, spread (like
      // every strategy) takes the first in name order.
      const lowest = last(this.#root, req);
      return lowest === null ? undefined : (firstAtMost(this.#root, req, lowest.usage) ?? undefined);
    }
    return this.#chooseAmong(req, this.#byId.values(), strategy);
  }

  /** The choice among the hosts the request prefers (those holding its image), when one of them fits. */
  #choosePreferred(req: PlacementRequest, strategy: Strategy): HostNode | undefined {
    const ids = req.preferHostIds;
    if (ids === undefined || ids.length === 0) return undefined;
    const nodes = new Set(ids.flatMap((id) => this.#byId.get(id) ?? []));
    return this.#chooseAmong(req, nodes, strategy);
  }

  #chooseAmong(req: PlacementRequest, nodes: Iterable<HostNode> | undefined, strategy: Strategy) {
    if (nodes === undefined) return undefined;
    const views = [...nodes].map((n) => n.view);
    const view = chooseHost(req, views, strategy);
    return view === undefined ? undefined : this.#byId.get(view.id);
  }

  *#views(): Iterable<HostView> {
    for (const node of this.#byId.values()) yield node.view;
  }

  /** Takes the host out of the tree, changes it, and puts it back under its new key. */
  #change(hostId: string, edit: (node: HostNode) => void): void {
    const node = this.#byId.get(hostId);
    if (node === undefined) throw new Error(`host ${hostId} is not in the fleet`);
    this.#root = remove(this.#root, node);
    edit(node);
    refresh(node);
    this.#root = insert(this.#root, node);
  }

  #index(node: HostNode): void {
    addTo(this.#byName, node.view.name, node);
    for (const id of node.view.containerIds) addTo(this.#byContainer, id, node);
  }

  #unindex(node: HostNode): void {
    deleteFrom(this.#byName, node.view.name, node);
    for (const id of node.view.containerIds) deleteFrom(this.#byContainer, id, node);
  }

  #nextPrio(): number {
    let x = this.#seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#seed = x >>> 0;
    return this.#seed;
  }
}

function addTo(map: Map<string, Set<HostNode>>, key: string, node: HostNode): void {
  const set = map.get(key);
  if (set === undefined) map.set(key, new Set([node]));
  else set.add(node);
}

function deleteFrom(map: Map<string, Set<HostNode>>, key: string, node: HostNode): void {
  const set = map.get(key);
  if (set === undefined) return;
  set.delete(node);
  if (set.size === 0) map.delete(key);
}

function cloneHost(h: HostView): HostView {
  return {
    id: h.id,
    name: h.name,
    up: h.up,
    enabled: h.enabled,
    zone: h.zone,
    runtimes: [...h.runtimes],
    labels: { ...h.labels },
    capacity: { ...h.capacity },
    used: { ...h.used },
    containerIds: [...h.containerIds],
  };
}
