/**
 * @module The plain data the scheduler decides over. Callers build these from a database snapshot; the
 * scheduler never reads or writes anything itself.
 */

/** An amount of each schedulable resource. `containers` counts containers, not resources inside them. */
export interface Resources {
  cpu: number;
  memoryMb: number;
  diskGb: number;
  containers: number;
}

/** What the scheduler knows about one compute host at the moment of the decision. */
export interface HostView {
  id: string;
  name: string;
  up: boolean;
  enabled: boolean;
  zone: string;
  /** OCI runtimes the host's engine offers, e.g. `['runc']`. */
  runtimes: string[];
  labels: Record<string, string>;
  /** What may be claimed, already scaled by the operator's overcommit ratios. */
  capacity: Resources;
  /** Sum of the claims of the containers placed there. */
  used: Resources;
  /** Uuids of the containers placed there (for the same_host / different_host hints). */
  containerIds: string[];
}

/** One container asking for a host. */
export interface PlacementRequest {
  cpu: number;
  memoryMb: number;
  diskGb: number;
  zone?: string;
  runtime?: string;
  /** The host must carry every one of these labels with the same value. */
  labels?: Record<string, string>;
  /**
   * Hosts that already hold what the container needs (its image): among the hosts that pass every
   * filter, these are chosen first, in the strategy's order; the others only when none of these fits.
   * A preference, never a filter: it changes no rejection.
   */
  preferHostIds?: string[];
  hints?: {
    /** The host must hold all of these containers. */
    sameHost?: string[];
    /** The host must hold none of these containers. */
    differentHost?: string[];
    /** Pin to the host with this name (admins only; the API layer checks that). */
    host?: string;
    /**
     * `sameHost` resolved by the caller from the named containers alone: the id of the one host holding
     * all of them, or null when no host does. When set, hosts' `containerIds` are not consulted.
     */
    sameHostId?: string | null;
    /** `differentHost` resolved the same way: the ids of the hosts holding any of them. */
    differentHostIds?: string[];
  };
}

export type Strategy = 'fill-first' | 'spread' | 'binpack';

/** How many hosts one filter turned away, and why, for the "nothing fits" message. */
export interface Rejection {
  filter: string;
  reason: string;
  hosts: number;
}

export type Placement = { ok: true; host: HostView } | { ok: false; rejections: Rejection[]; message: string };

/**
 * "Does not fit" is a value, not an exception. `reason` depends only on the request (never on the host),
 * so rejections of many hosts by one filter group under one reason; it is written for a plural subject
 * ("lack memory (need 512 MB)") and `describeRejections` makes it agree with a count of one.
 */
export type FilterResult = { ok: true } | { ok: false; reason: string };

/** One feasibility check: a pure function of (request, host). */
export interface Filter {
  readonly name: string;
  test(req: PlacementRequest, host: HostView): FilterResult;
}

/** One ranking signal: a pure function of (request, host) returning a score in 0..1, higher is better. */
export interface Weigher {
  readonly name: string;
  weigh(req: PlacementRequest, host: HostView): number;
}

/** The shared passing result; filters return it to avoid allocating. */
export const PASS: FilterResult = Object.freeze({ ok: true });

/** The claim one container makes on a host once placed there. */
export function claimFor(req: PlacementRequest): Resources {
  return { cpu: req.cpu, memoryMb: req.memoryMb, diskGb: req.diskGb, containers: 1 };
}
