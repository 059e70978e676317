/**
 * @module Filter, then weigh: the placement decision over a snapshot of hosts. Pure; the caller commits
 * the claim and re-checks it under contention.
 */
import { FILTERS, firstFailure, passesAll } from './filters/index.js';
import { compareHosts } from './order.js';
import type { HostView, Placement, PlacementRequest, Rejection, Strategy } from './types.js';
import { STRATEGIES, weigh } from './weighers/index.js';

/**
 * Chooses a host for the request: the heaviest of the hosts that pass every filter under the strategy
 * (default fill-first), ties going to the first in name order; when the request prefers some hosts
 * (`preferHostIds`), the heaviest of those that pass, if any does. When none passes, the answer counts
 * the hosts each filter turned away (each host under the first filter it fails) and says so in a message.
 */
export function place(
  req: PlacementRequest,
  hosts: readonly HostView[],
  opts: { strategy?: Strategy } = {},
): Placement {
  const strategy = opts.strategy ?? 'fill-first';
  const preferred = req.preferHostIds?.length ? new Set(req.preferHostIds) : undefined;
  const host = (preferred ? chooseHost(req, hosts.filter((h) => preferred.has(h.id)), strategy) : undefined) ?? chooseHost(req, hosts, strategy);
  return host !== undefined ? { ok: true, host } : refuse(req, hosts);
}

/** The winning host, or undefined when no host passes the filters. */
export function chooseHost(
  req: PlacementRequest,
  hosts: Iterable<HostView>,
  strategy: Strategy,
): HostView | undefined {
  const uses = STRATEGIES[strategy];
  let best: HostView | undefined;
  let bestWeight = -Infinity;
  for (const host of hosts) {
    if (!passesAll(req, host)) continue;
    const w = weigh(uses, req, host);
    if (best === undefined || w > bestWeight || (w === bestWeight && compareHosts(host, best) < 0)) {
      best = host;
      bestWeight = w;
    }
  }
  return best;
}

/** The "nothing fits" answer. A second pass, so the common path never builds rejection reasons. */
export function refuse(req: PlacementRequest, hosts: Iterable<HostView>): Placement & { ok: false } {
  const rejections = countRejections(req, hosts);
  return { ok: false, rejections, message: describeRejections(rejections) };
}

/**
 * Rejected hosts grouped by (filter, reason), most hosts first, then in filter order. Hosts that pass
 * every filter are not counted.
 */
export function countRejections(req: PlacementRequest, hosts: Iterable<HostView>): Rejection[] {
  const byKey = new Map<string, Rejection>();
  for (const host of hosts) {
    const failure = firstFailure(req, host);
    if (failure === undefined) continue;
    const key = `${failure.filter.name}\n${failure.result.reason}`;
    const seen = byKey.get(key);
    if (seen !== undefined) seen.hosts++;
    else byKey.set(key, { filter: failure.filter.name, reason: failure.result.reason, hosts: 1 });
  }
  const rank = (r: Rejection) => FILTERS.findIndex((f) => f.name === r.filter);
  return [...byKey.values()].sort((a, b) => b.hosts - a.hosts || rank(a) - rank(b) || (a.reason < b.reason ? -1 : 1));
}

/**
 * Zun's wording first, then the counts:
 * "No valid host was found. 3 hosts: 2 lack memory (need 512 MB), 1 disabled".
 */
export function describeRejections(r: Rejection[]): string {
  const total = r.reduce((n, x) => n + x.hosts, 0);
  if (total === 0) return 'No valid host was found. There are no hosts.';
  const parts = r.map((x) => `${x.hosts} ${x.hosts === 1 ? singular(x.reason) : x.reason}`);
  return `No valid host was found. ${total} ${total === 1 ? 'host' : 'hosts'}: ${parts.join(', ')}`;
}

/** Filter reasons are written for a plural subject; these are the verbs they use. */
const SINGULAR: ReadonlyArray<[RegExp, string]> = [
  [/^lack\b/, 'lacks'],
  [/^do not\b/, 'does not'],
  [/^hold\b/, 'holds'],
  [/\btheir\b/, 'its'],
];

function singular(reason: string): string {
  return SINGULAR.reduce((s, [from, to]) => s.replace(from, to), reason);
}
