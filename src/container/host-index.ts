/**
 * @module Each server's in-memory view of every host and its claims: the scheduler's `Fleet`, loaded at
 * start and kept current from committed changes (this server's own, and others' through the change bus),
 * plus the claims this server is committing right now. Creates decide from it without reading the
 * database; the conditional write in the commit is what guarantees no host is overfilled, so a stale view
 * costs a retry, never an over-admission.
 */
import type { Database } from '../store/db.js';
import type { HostRow } from '../store/schema.js';
import * as repo from '../store/container-repo.js';
import type { Claim } from '../store/container-repo.js';
import { Fleet, type HostView, type Placement, type PlacementRequest, type Strategy } from '../scheduler/index.js';
import type { ChangeBus } from '../server/changes.js';
import { addClaims, hostView, isUp as isUpAt, isZeroClaim, NO_CLAIM, withClaim } from './host-view.js';

/** How often every host is re-read: catches heartbeats (up/down) and anything a notification missed. */
const RELOAD_MS = 5_000;

export interface Reservation { hostId: string; claim: Claim }

export class HostIndex {
  readonly #db: Database;
  #fleet = new Fleet();
  #rows = new Map<string, HostRow>();
  #up = new Map<string, boolean>();
  /** Claims reserved by this server's creates between decision and commit, per host. */
  #pending = new Map<string, Claim>();
  #dirty = new Set<string>();
  /** Reads of hosts are numbered in the order they are sent. */
  #reads = 0;
  #inFlight = new Set<number>();
  /** Per host, the number of the read its row came from: a read sent earlier that answers later is stale. */
  #readOf = new Map<string, number>();
  /** Hosts a read found gone, by that read's number, kept while an earlier read may still answer. */
  #gone = new Map<string, number>();
  /** A re-read of dirty hosts is under way (more marked meanwhile go in the next one). */
  #flushing = false;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Loads every host and follows the change bus. */
  async start(bus?: ChangeBus): Promise<void> {
    await this.reload();
    if (bus) this.#unsubscribe = bus.subscribe((hostId) => this.markDirty(hostId));
    this.#timer = setInterval(() => void this.reload().catch(() => undefined), RELOAD_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#unsubscribe?.();
  }

  get size(): number {
    return this.#fleet.size;
  }

  /** Re-reads every host: new ones join, removed ones leave, changed ones are replaced. */
  async reload(): Promise<void> {
    await this.#read(() => repo.listHosts(this.#db.kysely), null);
  }

  /**
   * Re-reads the given hosts now: after a lost race on one of them, or after this server changed them
   * (awaited before the change is answered, so this server's next decision already sees it).
   */
  async refresh(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.#read(() => repo.listHostsById(this.#db.kysely, ids), ids);
  }

  /**
   * One read of hosts (`ids`, or every host when null), applied host by host unless a read sent after it
   * was applied first: reads run on different connections and may answer out of order, and a periodic
   * reload sent before a host was enabled must not undo the re-read that followed the enable.
   */
  async #read(query: () => Promise<HostRow[]>, ids: readonly string[] | null): Promise<void> {
    const read = ++this.#reads;
    this.#inFlight.add(read);
    try {
      const rows = await query();
      const now = Date.now();
      const found = new Set<string>();
      for (const row of rows) {
        found.add(row.id);
        if (this.#latest(row.id, read)) this.#put(row, now);
      }
      for (const id of ids ?? [...this.#rows.keys()]) if (!found.has(id) && this.#latest(id, read)) this.#drop(id, read);
    } finally {
      this.#inFlight.delete(read);
      const oldest = Math.min(...this.#inFlight);
      for (const [id, at] of this.#gone) if (at < oldest) this.#gone.delete(id);
    }
  }

  /** True, and recorded, when `read` is the newest read applied to the host so far. */
  #latest(hostId: string, read: number): boolean {
    if ((this.#readOf.get(hostId) ?? this.#gone.get(hostId) ?? 0) > read) return false;
    this.#readOf.set(hostId, read);
    this.#gone.delete(hostId);
    return true;
  }

  /** A host changed somewhere: re-read it soon, batched with others changed meanwhile. */
  markDirty(hostId: string): void {
    this.#dirty.add(hostId);
    if (this.#flushing) return;
    this.#flushing = true;
    void Promise.resolve().then(async () => {
      const ids = [...this.#dirty];
      this.#dirty.clear();
      try {
        await this.refresh(ids);
      } catch {
        // The periodic reload catches up.
      } finally {
        this.#flushing = false;
        if (this.#dirty.size > 0) this.markDirty([...this.#dirty][0]);
      }
    });
  }

  /**
   * Decides from the view as it is. A refusal may come from a stale view (a host enabled or joined on
   * another server, not yet heard of): `reload()` and decide again before storing a refusal.
   */
  place(req: PlacementRequest, strategy: Strategy): Placement {
    return this.#fleet.place(req, strategy);
  }

  view(hostId: string): HostView | undefined {
    return this.#fleet.get(hostId);
  }

  /**
   * Counts a claim on the host at once, so this server's next decisions see it while the commit runs.
   * Every reservation is settled exactly once.
   */
  reserve(hostId: string, claim: Claim): Reservation {
    this.#pending.set(hostId, addClaims(this.#pending.get(hostId) ?? NO_CLAIM, claim));
    if (this.#rows.has(hostId)) this.#fleet.claim(hostId, claim);
    return { hostId, claim };
  }

  /**
   * The commit finished. Committed: the claim is now in the database, and stays counted until the next
   * re-read brings the stored value. Not committed: it is taken back.
   */
  settle(r: Reservation, committed: boolean): void {
    const left = addClaims(this.#pending.get(r.hostId) ?? NO_CLAIM, r.claim, -1);
    if (isZeroClaim(left)) this.#pending.delete(r.hostId);
    else this.#pending.set(r.hostId, left);
    const row = this.#rows.get(r.hostId);
    if (!row) return;
    if (committed) {
      // Count it in the stored row too until a re-read replaces the row.
      this.#rows.set(r.hostId, withClaim(row, r.claim));
    } else {
      this.#fleet.release(r.hostId, r.claim);
    }
  }

  /** Applies a committed change of claim made by this server (resize, removal) before the re-read. */
  applyCommitted(hostId: string, claim: Claim): void {
    const row = this.#rows.get(hostId);
    if (!row) return;
    this.#put(withClaim(row, claim), Date.now());
  }

  #put(row: HostRow, now: number): void {
    const old = this.#rows.get(row.id);
    const up = isUpAt(row, now);
    if (old && sameRow(old, row) && this.#up.get(row.id) === up) {
      this.#rows.set(row.id, row);
      return;
    }
    this.#up.set(row.id, up);
    const view = hostView(row, now, this.#pending.get(row.id) ?? NO_CLAIM);
    if (this.#rows.has(row.id)) this.#fleet.update(view);
    else this.#fleet.add(view);
    this.#rows.set(row.id, row);
  }

  #drop(id: string, read: number): void {
    this.#fleet.remove(id);
    this.#rows.delete(id);
    this.#up.delete(id);
    this.#readOf.delete(id);
    this.#gone.set(id, read);
  }
}

/** Rows that give the same view (a heartbeat changes only last_seen_at and updated_at). */
function sameRow(a: HostRow, b: HostRow): boolean {
  return a.used_cpu === b.used_cpu && a.used_memory_mb === b.used_memory_mb && a.used_disk_gb === b.used_disk_gb
    && a.used_containers === b.used_containers && a.cpus === b.cpus && a.memory_mb === b.memory_mb && a.disk_gb === b.disk_gb
    && a.max_containers === b.max_containers && a.enabled === b.enabled && a.forced_down === b.forced_down && a.zone === b.zone
    && a.labels === b.labels && a.runtimes === b.runtimes && a.name === b.name;
}
