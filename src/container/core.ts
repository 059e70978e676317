/**
 * @module The container core: every front door (Zun API, Docker endpoint, Nova servers, Heat) creates and
 * changes containers through these functions. Each loads the row, asks a pure decision (decide.ts,
 * state.ts, the scheduler over the host index), and commits in one transaction with conditional writes:
 * the container row on the generation it was decided on, the host's claim on its remaining room. A lost
 * race is decided again on fresh data. No network call and no wait happen inside a transaction; calls to
 * a host's agent are made before or after.
 */
import { BerthError } from '../core/errors.js';
import { isTransientConflict, isUniqueViolation, type Database, type Queryable } from '../store/db.js';
import type { ContainerActionRow, ContainerRow } from '../store/schema.js';
import * as repo from '../store/container-repo.js';
import { claimFor, type Strategy, type PlacementRequest } from '../scheduler/index.js';
import type { CallMethod, ContainerSpec } from '../agent/protocol.js';
import type { ChangeBus } from '../server/changes.js';
import type { AgentHub } from '../server/hub.js';
import { decideAction, decideDelete, decideUpdate, requireState, roomForResize, type DeleteMode, type DesiredAction, type UpdateRequest } from './decide.js';
import { claimOf, isZeroClaim, negate, NO_CLAIM, RATIOS } from './host-view.js';
import { findContainer } from './lookup.js';
import { journalEntry, newRow, type JournalOutcome } from './rows.js';
import type { HostIndex } from './host-index.js';
import type { ContainerAction } from './state.js';
import type { Logger } from '../core/log.js';
import type { Amounts, QuotaTree } from '../quota/index.js';
import type { QuotaBook } from './quota-book.js';
import { amountsOfRow, applyPlan, QuotaRefused, takeQuota } from './quota-usage.js';
import { preemptIn, settleRefusal, VictimMoved } from './preempt.js';
import type { GlanceSource } from './images.js';
import type { InsertHook } from './insert-hook.js';


/** Who is acting: identity, scope, and the policy check of the front door they came through. */
export interface Actor {
  userId: string;
  projectId: string | null;
  admin: boolean;
  requestId: string;
  /** Throws a 403 BerthError when policy denies `rule` on `target`. */
  authorize(rule: string, target?: Record<string, unknown>): void;
}

export interface NewContainer {
  name: string;
  image: string;
  imageDriver: string;
  cpu: number;
  memoryMb: number;
  diskGb: number;
  run: boolean;
  spec: ContainerSpec;
  placement: PlacementRequest;
  /** Fields kept for display only (restart policy as sent, security groups, ...). */
  extra: Record<string, unknown>;
  /** Rows of the front door written with the container's (see insert-hook.ts). */
  onInsert?: InsertHook;
}

export interface CoreDeps {
  db: Database;
  bus: ChangeBus;
  index: HostIndex;
  hub: AgentHub;
  strategy: Strategy;
  quotas: QuotaBook;
  log?: Logger;
  /** Called after quota is given back, so preempted containers waiting for it may start. */
  onQuotaReleased?: () => void;
  /** Resolves image_driver glance; without it such a create is refused. */
  glance?: GlanceSource;
}

/** How often a decision is taken again after losing a race before the caller is told to retry. */
const ATTEMPTS = 16;

const nameTaken = (name: string) => new BerthError('name_taken', `A container with name ${name} already exists in this project.`);
const busy = () => new BerthError('busy', 'The container is being changed by another request; try again.');
const policyOf = (action: ContainerAction) => `container:${action}`;

export class ContainerCore {
  readonly #d: CoreDeps;

  constructor(deps: CoreDeps) {
    this.#d = deps;
  }

  /** The name of a host, from the index (no query); null when the container has none. */
  async hostName(hostId: string | null): Promise<string | null> {
    if (!hostId) return null;
    return this.#d.index.view(hostId)?.name ?? (await repo.getHost(this.#d.db.kysely, hostId))?.name ?? null;
  }

  /**
   * Call after a committed change of a host itself (enabled, forced down, deleted): other servers hear of
   * it on the change bus, and this server's host index re-reads it before the caller answers, so the next
   * create here decides from the change rather than from a notification still on its way.
   */
  async hostChanged(hostId: string): Promise<void> {
    await this.#d.bus.publish(hostId);
    await this.#d.index.refresh([hostId]);
  }

  // ------------------------------------------------------------------------------------------------
  // Lookup

  /** Finds a container by uuid, name or uuid prefix, as the actor may see it (see lookup.ts). */
  find(who: Actor, ident: string, opts: { allProjects?: boolean } = {}, q: Queryable = this.#d.db.kysely): Promise<ContainerRow> {
    return findContainer(q, who, ident, opts);
  }

  /** A container the actor may read (`container:get_one`). */
  async get(who: Actor, ident: string, opts: { allProjects?: boolean } = {}): Promise<ContainerRow> {
    const c = await this.find(who, ident, opts);
    who.authorize('container:get_one', { project_id: c.project_id });
    return c;
  }

  async list(who: Actor, f: Omit<repo.ContainerListFilter, 'projectId'> & { allProjects: boolean; projectId?: string }): Promise<ContainerRow[]> {
    if (f.allProjects) who.authorize('container:get_all_all_projects');
    else who.authorize('container:get_all', { project_id: who.projectId });
    return repo.listContainers(this.#d.db.kysely, { ...f, projectId: f.allProjects ? f.projectId : (who.projectId ?? '') });
  }

  // ------------------------------------------------------------------------------------------------
  // Create

  /**
   * Admits a container: decides a host from the index (no database read but the hints' containers),
   * reserves the claim in memory, and commits the row, its journal entry and the host's claim in one
   * transaction whose claim write succeeds only while the host has room. A lost race re-reads that host
   * and decides again; creates bound for different hosts never wait on each other. When nothing fits,
   * the container is stored in Error with the scheduler's reasons, as Zun does.
   */
  async create(who: Actor, n: NewContainer): Promise<ContainerRow> {
    who.authorize('container:create', { project_id: who.projectId });
    if (!who.projectId) throw new BerthError('forbidden', 'Creating a container needs a project-scoped token.');
    const projectId = who.projectId;
    if (n.imageDriver === 'glance') {
      if (!this.#d.glance) throw new BerthError('bad_request', 'The image service is not available on this server; use image_driver docker.');
      n = await this.#d.glance.prepare(who, n);
    }
    const label = n.spec.labels?.['berth.priority'];
    if (label !== undefined && !/^-?\d{1,9}$/.test(label.trim())) throw new BerthError('bad_request', `Label berth.priority must be an integer (got "${label}").`);
    // A name taken in the project is refused by the unique index when the row is written.
    const req = await this.#resolveHints(projectId, n.placement);
    const claim = claimFor(req);
    const ask = amountsOfRow({ cpu: n.cpu, memory_mb: n.memoryMb, disk_gb: n.diskGb });
    let victims: ContainerRow[] = [];
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const tree = this.#d.quotas.enforced ? await this.#d.quotas.tree(projectId) : null;
      const quota = tree ? { tree, ask, victims } : null;
      let choice = this.#d.index.place(req, this.#d.strategy);
      if (!choice.ok) {
        // Nothing fits in this server's view, which may not have heard of a host enabled or joined
        // elsewhere yet: decide again from every host as stored before refusing.
        await this.#d.index.reload();
        choice = this.#d.index.place(req, this.#d.strategy);
      }
      const now = new Date().toISOString();
      const row = newRow(who, projectId, n, choice.ok ? choice.host.id : null, choice.ok ? null : choice.message, now);
      const journal = journalEntry(who, row, n.run ? 'run' : 'create', choice.ok ? { open: true } : { result: 'Error', message: choice.message });
      const reservation = choice.ok ? this.#d.index.reserve(choice.host.id, claim) : null;
      let outcome: Inserted = 'no_room';
      try {
        outcome = await this.#insert(who, row, journal, choice.ok ? { hostId: choice.host.id, claim } : null, quota, n.onInsert);
      } finally {
        if (reservation) this.#d.index.settle(reservation, outcome === 'done');
      }
      if (outcome === 'done') {
        await this.#d.bus.publish(row.host_id, row.uuid);
        for (const v of victims) await this.#d.bus.publish(v.host_id, v.uuid);
        return row;
      }
      if (outcome === 'no_room' && choice.ok) await this.#d.index.refresh([choice.host.id]);
      if (outcome === 'quota') victims = await settleRefusal(this.#d.db, tree!, projectId, ask, true);
      if (outcome === 'victim_moved') victims = [];
    }
    throw busy();
  }

  /**
   * Inserts the row and its journal entry in one transaction with the quota model's writes: victims
   * preempted first (their quota given back), then the host's claim (refused when the host has no room
   * left), the row, and the project's quota last (refused over quota).
   */
  async #insert(who: Actor, row: ContainerRow, journal: ContainerActionRow, claim: { hostId: string; claim: repo.Claim } | null, quota: { tree: QuotaTree; ask: Amounts; victims: ContainerRow[] } | null, onInsert?: InsertHook): Promise<Inserted> {
    try {
      return await this.#d.db.tx(async (trx): Promise<Inserted> => {
        for (const v of quota?.victims ?? []) await preemptIn(trx, quota!.tree, who, v, row.project_id, row.created_at);
        if (claim && !(await repo.claimOnHost(trx, claim.hostId, claim.claim, RATIOS))) return 'no_room';
        await repo.insertContainer(trx, row);
        await repo.insertAction(trx, journal);
        await onInsert?.(trx, row);
        if (quota) await takeQuota(trx, quota.tree, row.project_id, quota.ask);
        return 'done';
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw nameTaken(row.name);
      if (e instanceof QuotaRefused) return 'quota';
      if (e instanceof VictimMoved || isTransientConflict(e)) return 'victim_moved';
      throw e;
    }
  }

  /** same_host / different_host name containers; only those are read, to learn their hosts. */
  async #resolveHints(projectId: string, p: PlacementRequest): Promise<PlacementRequest> {
    const same = p.hints?.sameHost ?? [];
    const different = p.hints?.differentHost ?? [];
    if (same.length === 0 && different.length === 0) return p;
    const rows = await repo.hostsOfContainers(this.#d.db.kysely, projectId, [...new Set([...same, ...different])]);
    const hostOf = new Map(rows.map((r) => [r.uuid, r.host_id]));
    const hints = { ...p.hints };
    if (same.length > 0) {
      const hosts = new Set(same.map((u) => hostOf.get(u) ?? null));
      const [only] = hosts;
      hints.sameHostId = hosts.size === 1 && only ? only : null;
    }
    if (different.length > 0) hints.differentHostIds = [...new Set(different.flatMap((u) => hostOf.get(u) ?? []))];
    return { ...p, hints };
  }

  // ------------------------------------------------------------------------------------------------
  // Changes of desired state

  /** start, stop, reboot, pause, unpause: the agent converges the engine and reports. */
  async act(who: Actor, ident: string, action: DesiredAction, opts: { timeout?: number } = {}): Promise<ContainerRow> {
    const c = await this.#change(who, ident, {}, (row) => {
      who.authorize(policyOf(action), { project_id: row.project_id });
      const set = decideAction(row, action, opts);
      // A preempted container leaves the queue when started by hand, taking its quota again.
      if (row.queued_at !== null && action === 'start') {
        return { set: { ...set, queued_at: null, admitted_at: new Date().toISOString(), status_reason: null }, quota: amountsOfRow(row), journal: { action, open: true } };
      }
      return { set, journal: { action, open: true } };
    });
    await this.#d.bus.publish(c.host_id, c.uuid);
    return c;
  }

  /** Rename and resize (Zun's PATCH). A resize is desired state the agent applies. */
  async update(who: Actor, ident: string, u: UpdateRequest): Promise<ContainerRow> {
    let delta = NO_CLAIM;
    const c = await this.#change(who, ident, {}, (row) => {
      const d = decideUpdate(row, u);
      who.authorize(d.action === 'rename' ? 'container:rename' : 'container:update', { project_id: row.project_id });
      if (d.resize && row.host_id) {
        const host = this.#d.index.view(row.host_id);
        const reason = host ? roomForResize(host, row, d.set.cpu!, d.set.memory_mb!) : null;
        if (reason) throw new BerthError('conflict', reason);
      }
      delta = d.delta;
      const applies = d.resize && row.host_id !== null;
      const quota = d.resize && row.queued_at === null ? { containers: 0, cpu: d.delta.cpu, memory: d.delta.memoryMb, disk: 0 } : undefined;
      return {
        set: d.set, claim: applies ? { hostId: row.host_id!, claim: d.delta } : undefined, quota,
        journal: { action: u.name !== undefined ? 'rename' : 'update', open: applies },
      };
    });
    if (!isZeroClaim(delta) && c.host_id) {
      this.#d.index.applyCommitted(c.host_id, delta);
      await this.#d.bus.publish(c.host_id, c.uuid);
    }
    return c;
  }

  /** Deletes: forgotten at once when no engine holds it, else marked for the agent to remove. */
  async remove(who: Actor, ident: string, mode: DeleteMode, opts: { allProjects?: boolean } = {}): Promise<ContainerRow> {
    let forgotten = false;
    const c = await this.#change(who, ident, opts, (row) => {
      who.authorize('container:delete', { project_id: row.project_id });
      if (mode === 'delete_force') who.authorize('container:delete_force', { project_id: row.project_id });
      if (row.project_id !== who.projectId) who.authorize('container:delete_all_projects');
      const d = decideDelete(row, mode);
      forgotten = d.forget;
      const quota = row.queued_at === null ? negateAmounts(amountsOfRow(row)) : undefined;
      return d.forget
        ? { forget: true, claim: row.host_id ? { hostId: row.host_id, claim: negate(claimOf(row)) } : undefined, quota, journal: { action: 'delete', open: false } }
        : { set: d.set, journal: { action: 'delete', open: true } };
    });
    if (forgotten && c.host_id) this.#d.index.applyCommitted(c.host_id, negate(claimOf(c)));
    if (forgotten) this.#d.onQuotaReleased?.();
    await this.#d.bus.publish(c.host_id, forgotten ? undefined : c.uuid);
    return c;
  }

  /**
   * Loads, decides and commits conditionally on the generation decided on; decides again when another
   * writer got there first. Returns the row as committed.
   */
  async #change(who: Actor, ident: string, opts: { allProjects?: boolean }, decide: (c: ContainerRow) => Change): Promise<ContainerRow> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const c = await this.find(who, ident, opts);
      const change = decide(c);
      const tree = change.quota && this.#d.quotas.enforced ? await this.#d.quotas.tree(c.project_id) : null;
      const journal = journalEntry(who, c, change.journal.action, change.journal.open ? { open: true } : { result: 'Success' });
      let done: boolean;
      try {
        done = await this.#d.db.tx(async (trx) => {
          const written = change.forget ? await repo.removeContainerIf(trx, c.uuid, c.generation) : await repo.updateContainerIf(trx, c.uuid, c.generation, change.set ?? {});
          if (!written) return false;
          if (change.claim && !isZeroClaim(change.claim.claim)) {
            const a = change.claim.claim;
            const releasing = a.cpu <= 0 && a.memoryMb <= 0 && a.diskGb <= 0 && a.containers <= 0;
            const ok = releasing
              ? (await repo.releaseOnHost(trx, change.claim.hostId, negate(a)), true)
              : await repo.claimOnHost(trx, change.claim.hostId, a, RATIOS);
            if (!ok) throw new BerthError('conflict', `The host of container ${c.uuid} has no room left for the new limits.`);
          }
          await repo.insertAction(trx, journal);
          if (tree && change.quota) await applyPlan(trx, tree.plan(c.project_id), change.quota);
          return true;
        });
      } catch (e) {
        if (isUniqueViolation(e) && change.set?.name !== undefined) throw nameTaken(change.set.name);
        if (e instanceof QuotaRefused && tree && change.quota) {
          await settleRefusal(this.#d.db, tree, c.project_id, positivePart(change.quota), false);
          continue;
        }
        if (isTransientConflict(e)) continue;
        throw e;
      }
      if (done) return { ...c, ...(change.set ?? {}), updated_at: new Date().toISOString() };
    }
    throw busy();
  }

  // ------------------------------------------------------------------------------------------------
  // Calls to the host's agent (exec, logs, archives, top, stats, kill, commit, resize)

  /**
   * Checks policy and state, then runs the call on the container's host — after every read, outside any
   * transaction — and records it in the journal when `journal` says so (with its outcome).
   */
  async call<T>(who: Actor, ident: string, action: ContainerAction, method: CallMethod, params: Record<string, unknown>, opts: { journal?: string | false } = {}): Promise<{ container: ContainerRow; value: T }> {
    const c = await this.prepare(who, ident, action);
    const journal = opts.journal === undefined ? action : opts.journal;
    try {
      const value = await this.#d.hub.call<T>(c.host_id, method, c.uuid, params);
      if (journal) await this.record(who, c, journal, { result: 'Success' });
      return { container: c, value };
    } catch (e) {
      if (journal) await this.record(who, c, journal, { result: 'Error', message: (e as Error).message });
      throw e;
    }
  }

  /** Loads the container, checks policy (`container:<action>`) and that its state allows the action. */
  async prepare(who: Actor, ident: string, action: ContainerAction): Promise<ContainerRow> {
    const c = await this.find(who, ident);
    who.authorize(policyOf(action), { project_id: c.project_id });
    requireState(c, action);
    return c;
  }

  // ------------------------------------------------------------------------------------------------
  // The action journal

  /** Writes one journal entry for an action on the container. */
  async record(who: Actor, c: ContainerRow, action: string, outcome: JournalOutcome): Promise<void> {
    await repo.insertAction(this.#d.db.kysely, journalEntry(who, c, action, outcome));
  }

  async actions(who: Actor, ident: string): Promise<{ container: ContainerRow; actions: ContainerActionRow[] }> {
    const c = await this.find(who, ident);
    who.authorize('container:actions', { project_id: c.project_id });
    return { container: c, actions: await repo.listActions(this.#d.db.kysely, c.uuid) };
  }

  async action(who: Actor, ident: string, requestId: string): Promise<ContainerActionRow> {
    const c = await this.find(who, ident);
    who.authorize('container:actions', { project_id: c.project_id });
    const a = await repo.getActionByRequest(this.#d.db.kysely, c.uuid, requestId);
    if (!a) throw new BerthError('not_found', `Action ${requestId} could not be found for container ${c.uuid}.`);
    return a;
  }
}

const negateAmounts = (a: Amounts): Amounts => ({ containers: -a.containers, cpu: -a.cpu, memory: -a.memory, disk: -a.disk });
const positivePart = (a: Amounts): Amounts => ({ containers: Math.max(0, a.containers), cpu: Math.max(0, a.cpu), memory: Math.max(0, a.memory), disk: Math.max(0, a.disk) });

type Inserted = 'done' | 'no_room' | 'quota' | 'victim_moved';

interface Change {
  set?: Partial<ContainerRow>;
  forget?: boolean;
  /** The change of the project's quota usage (a take when positive, refused over quota). */
  quota?: Amounts;
  claim?: { hostId: string; claim: repo.Claim };
  journal: { action: string; open: boolean };
}
