/**
 * @module The vocabulary of Berth's quota model: resources, amounts, per-project settings, and the
 * conditional writes an admission makes. Pure: no I/O.
 */

/** The resources Zun's quota API knows: a container count, vCPUs, memory in MiB, disk in GiB. */
export const RESOURCES = ['containers', 'cpu', 'memory', 'disk'] as const;
export type Resource = (typeof RESOURCES)[number];
export type Amounts = Record<Resource, number>;
/** Amounts where a missing resource means "not set" (a default or no limit applies). */
export type Limits = Partial<Amounts>;

/**
 * How a project relates to its parent's capacity:
 * - `exclusive`: it uses at most its own guarantee, allocated out of its parent's (Kilo nested quotas);
 * - `lend`: its lend-mode siblings (or, at the top, the lend-mode projects of its domain) form a pool in
 *   which each may use the others' idle guarantee (Kueue's cohort arithmetic);
 * - `share`: it draws from its parent's amount, divided among the share-mode children by weight.
 */
export type Mode = 'exclusive' | 'lend' | 'share';
export const MODES: readonly Mode[] = ['exclusive', 'lend', 'share'];

export interface QuotaSettings {
  mode: Mode;
  /** The nominal amount; a resource not set falls back to the quota class default. */
  guarantee: Limits;
  /** How far beyond its guarantee a lend/share project may go; not set = no limit. */
  borrowLimit: Limits;
  /** How much of its guarantee a lender lends; the rest it keeps to itself. Not set = all of it. */
  lendLimit: Limits;
  /** Share mode: the project's weight among its siblings (> 0). */
  weight: number;
  /** Preemption order: containers of lower-priority projects are reclaimed first. */
  priority: number;
}

/** Zun's defaults (quota class `default`). */
export const ZUN_DEFAULTS: Amounts = Object.freeze({ containers: 40, cpu: 20, memory: 51200, disk: 100 });

export const DEFAULT_SETTINGS: QuotaSettings = Object.freeze({
  mode: 'exclusive', guarantee: {}, borrowLimit: {}, lendLimit: {}, weight: 1, priority: 0,
});

/** A Keystone project as the model sees it; `settings` is null when nobody set any. */
export interface ProjectNode {
  id: string;
  name: string;
  parentId: string | null;
  domainId: string;
  settings: QuotaSettings | null;
}

/**
 * One conditional write of an admission, on one usage row, in the order they are made (a project's own
 * row first, then the rows it draws from, child before parent). A release makes the same writes with
 * the opposite sign and no limit.
 * - `own`: the row of `scope` (a project id) gets `used + request`, refused when that exceeds `limit`
 *   in any resource (Infinity = unchecked).
 * - `pool`: the lend pool row `scope` gets the change of `member`'s draw on the pool, computed by
 *   `drawDelta` from the member's own row after its write; refused when the pool's used would exceed
 *   `capacity`.
 */
export type Take =
  | { kind: 'own'; scope: string; limit: Amounts }
  | { kind: 'pool'; scope: string; member: string; capacity: Amounts; reserved: Amounts };

/** Usage rows by scope (project id or pool scope); a missing row is all zeros. */
export type Usage = ReadonlyMap<string, Amounts>;

/** A running container that may be reclaimed (stopped) to give capacity back. */
export interface Candidate {
  uuid: string;
  projectId: string;
  amounts: Amounts;
  /** `berth.priority` label, else the project's priority. */
  priority: number;
  /** When it was admitted (ISO 8601): the most recently admitted go first. */
  admittedAt: string;
}
