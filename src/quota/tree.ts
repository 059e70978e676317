/**
 * @module The project tree with its quota settings, and the arithmetic of the three modes.
 *
 * Terms used below, per resource:
 * - nominal: the project's guarantee, a resource not set taking the quota class default;
 * - allocated: what its exclusive/lend subprojects were explicitly guaranteed out of it (Kilo nested
 *   quotas; subprojects left at defaults allocate nothing). A share subproject allocates nothing itself,
 *   but the explicit guarantees of its own exclusive/lend subprojects are passed up to this project,
 *   because the share subproject draws from this project's row;
 * - own guarantee: what the project keeps for its own row: nominal − allocated (never below 0); for a
 *   share project its fair share;
 * - lendable / reserved: the part of the own guarantee a lend project lends to its pool (lendLimit, else
 *   all of it) and the part it keeps to itself.
 */
import * as A from './amounts.js';
import { DEFAULT_SETTINGS, ZUN_DEFAULTS, type Amounts, type Mode, type ProjectNode, type QuotaSettings, type Take } from './types.js';

export interface Pool { scope: string; members: string[] }

export class QuotaTree {
  readonly #nodes = new Map<string, ProjectNode>();
  readonly #parent = new Map<string, string | null>();
  readonly #children = new Map<string | null, string[]>();
  readonly #defaults: Amounts;
  readonly #cache = new Map<string, Amounts>();
  readonly #plans = new Map<string, readonly Take[]>();

  constructor(projects: readonly ProjectNode[], defaults: Amounts = ZUN_DEFAULTS) {
    this.#defaults = defaults;
    for (const p of projects) this.#nodes.set(p.id, p);
    // A parent outside the list makes a top-level project; a cycle is cut at the first project found on it.
    for (const p of projects) this.#parent.set(p.id, p.parentId !== null && this.#nodes.has(p.parentId) ? p.parentId : null);
    for (const p of projects) {
      // `seen` ends the walk on a cycle above p that p is not on; that cycle is cut when one of its own projects comes.
      const seen = new Set<string>();
      for (let up = this.#parent.get(p.id) ?? null; up !== null && !seen.has(up); up = this.#parent.get(up) ?? null) {
        if (up === p.id) { this.#parent.set(p.id, null); break; }
        seen.add(up);
      }
    }
    const byName = (a: string, b: string): number => {
      const x = this.node(a), y = this.node(b);
      return x.name < y.name ? -1 : x.name > y.name ? 1 : x.id < y.id ? -1 : x.id > y.id ? 1 : 0;
    };
    for (const p of projects) {
      const up = this.#parent.get(p.id) ?? null;
      this.#children.set(up, [...(this.#children.get(up) ?? []), p.id]);
    }
    for (const list of this.#children.values()) list.sort(byName);
  }

  get projects(): ProjectNode[] { return [...this.#nodes.values()]; }
  get defaults(): Amounts { return this.#defaults; }

  has(id: string): boolean { return this.#nodes.has(id); }

  node(id: string): ProjectNode {
    const n = this.#nodes.get(id);
    if (!n) throw new Error(`unknown project ${id}`);
    return n;
  }

  /** The parent within this tree (null at the top, or when the parent is not in the tree). */
  parentOf(id: string): string | null { this.node(id); return this.#parent.get(id) ?? null; }

  /** Subprojects, by name. */
  children(id: string): string[] { this.node(id); return [...(this.#children.get(id) ?? [])]; }

  /** Top-level projects, by name. */
  roots(): string[] { return [...(this.#children.get(null) ?? [])]; }

  settings(id: string): QuotaSettings {
    return { ...DEFAULT_SETTINGS, ...(this.node(id).settings ?? {}) };
  }

  /** The mode that applies: share mode needs a parent, so a top-level share project acts as exclusive. */
  mode(id: string): Mode {
    const m = this.settings(id).mode;
    return m === 'share' && this.parentOf(id) === null ? 'exclusive' : m;
  }

  nominal(id: string): Amounts { return A.amounts(this.settings(id).guarantee, this.#defaults); }

  /** The explicitly set part of the guarantee (0 where not set). */
  explicit(id: string): Amounts { return A.amounts(this.settings(id).guarantee); }

  allocated(id: string): Amounts {
    return this.#memo('allocated', id, () => A.sum(this.children(id).map((c) => (this.mode(c) === 'share' ? this.allocated(c) : this.explicit(c)))));
  }

  /** What the project keeps for its own row (see the module comment). */
  ownGuarantee(id: string): Amounts {
    return this.#memo('own', id, () => this.fairShare(id) ?? A.clamp(A.sub(this.nominal(id), this.allocated(id))));
  }

  poolOf(id: string): Pool | null {
    if (this.mode(id) !== 'lend') return null;
    const up = this.parentOf(id);
    const scope = up !== null ? `pool:${up}` : `pool:domain:${this.node(id).domainId}`;
    return { scope, members: this.poolMembers(scope) };
  }

  /** The members of a pool scope, by name (empty for an unknown scope). */
  poolMembers(scope: string): string[] {
    const lend = (c: string): boolean => this.mode(c) === 'lend';
    if (scope.startsWith('pool:domain:')) {
      const domain = scope.slice('pool:domain:'.length);
      return this.roots().filter((c) => lend(c) && this.node(c).domainId === domain);
    }
    const up = scope.startsWith('pool:') ? scope.slice('pool:'.length) : '';
    return this.has(up) ? this.children(up).filter(lend) : [];
  }

  lendable(id: string): Amounts {
    const own = this.ownGuarantee(id);
    return A.clamp(A.min(own, A.amounts(this.settings(id).lendLimit, own)));
  }

  reserved(id: string): Amounts { return A.sub(this.ownGuarantee(id), this.lendable(id)); }

  poolCapacity(scope: string): Amounts {
    return this.#memo('capacity', scope, () => A.sum(this.poolMembers(scope).map((m) => this.lendable(m))));
  }

  /** Share mode: the parent's own guarantee × weight / Σ weights of the share-mode siblings. */
  fairShare(id: string): Amounts | null {
    if (this.mode(id) !== 'share') return null;
    const siblings = this.shareSiblings(id);
    const total = siblings.reduce((s, c) => s + this.settings(c).weight, 0);
    const weight = this.settings(id).weight;
    return A.scale(this.ownGuarantee(this.parentOf(id)!), total > 0 && weight > 0 ? weight / total : 0);
  }

  /** The share-mode children of the parent, the project included (empty unless share mode). */
  shareSiblings(id: string): string[] {
    const up = this.mode(id) === 'share' ? this.parentOf(id) : null;
    return up === null ? [] : this.children(up).filter((c) => this.mode(c) === 'share');
  }

  /**
   * The limit on the project's own row:
   * - exclusive: its own guarantee;
   * - lend: own guarantee + borrowLimit (no borrowLimit: no limit there), and never more than
   *   reserved + the pool's capacity, the most its pool could ever let it draw;
   * - share: fair share + borrowLimit where one is set, else no limit (its parent's row limits it).
   */
  ownLimit(id: string): Amounts {
    const s = this.settings(id);
    const borrow = A.amounts(s.borrowLimit, A.UNLIMITED);
    switch (this.mode(id)) {
      case 'exclusive': return this.ownGuarantee(id);
      case 'lend': {
        const pool = this.poolOf(id)!;
        return A.min(A.add(this.ownGuarantee(id), borrow), A.add(this.reserved(id), this.poolCapacity(pool.scope)));
      }
      case 'share': return A.add(this.fairShare(id)!, borrow);
    }
  }

  /** The conditional writes of an admission, in order: own row, pool row, then the parent's (share). */
  plan(id: string): readonly Take[] {
    let takes = this.#plans.get(id);
    if (takes) return takes;
    const list: Take[] = [{ kind: 'own', scope: id, limit: this.ownLimit(id) }];
    const mode = this.mode(id);
    if (mode === 'lend') {
      const { scope } = this.poolOf(id)!;
      list.push({ kind: 'pool', scope, member: id, capacity: this.poolCapacity(scope), reserved: this.reserved(id) });
    }
    if (mode === 'share') list.push(...this.plan(this.parentOf(id)!));
    takes = Object.freeze(list);
    this.#plans.set(id, takes);
    return takes;
  }

  /** What Zun's quota API shows: the most the project can use when everyone else is idle. */
  effectiveLimit(id: string): Amounts {
    return this.#memo('effective', id, () => {
      const own = this.ownLimit(id);
      return this.mode(id) === 'share' ? A.min(own, this.effectiveLimit(this.parentOf(id)!)) : own;
    });
  }

  /** A copy with one project's settings replaced. */
  withSettings(id: string, s: QuotaSettings | null): QuotaTree {
    this.node(id);
    return new QuotaTree(this.projects.map((p) => (p.id === id ? { ...p, settings: s } : p)), this.#defaults);
  }

  /** The projects whose containers may be reclaimed for `id`: other pool members, or other share siblings. */
  reclaimScope(id: string): string[] {
    const scope = this.mode(id) === 'lend' ? this.poolOf(id)!.members : this.shareSiblings(id);
    return scope.filter((m) => m !== id);
  }

  #memo(kind: string, key: string, f: () => Amounts): Amounts {
    const k = `${kind}\u0000${key}`;
    let v = this.#cache.get(k);
    if (!v) { v = Object.freeze(f()); this.#cache.set(k, v); }
    return v;
  }
}
