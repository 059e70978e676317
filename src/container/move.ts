/**
 * @module A resize that moves a container to another host (Nova's resize when the host lacks room),
 * with its confirm and revert, through the container core's patterns: the row is loaded, the target
 * chosen by the scheduler over the host index (any host but the container's own), the pure decision
 * taken (move-decide.ts), and everything committed in one transaction conditional on the row's
 * generation: the claim on the target (refused when it has no room left), the row on its new host with
 * the new limits and no engine container, the journal entry, the quota change and the front door's own
 * rows. The host left behind keeps the old claim until confirm or revert. After the commit both hosts
 * hear of it: the new one creates the container from its image (the writable layer is not carried), the
 * old one gets its full desired set, forgets the container and removes its engine container.
 */
import { BerthError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { isTransientConflict, type Database, type Queryable } from '../store/db.js';
import * as repo from '../store/container-repo.js';
import type { ContainerRow } from '../store/schema.js';
import type { Strategy } from '../scheduler/index.js';
import type { ChangeBus } from '../server/changes.js';
import type { Actor, ContainerCore } from './core.js';
import type { HostIndex } from './host-index.js';
import type { QuotaBook } from './quota-book.js';
import { roomForResize } from './decide.js';
import { negate, RATIOS } from './host-view.js';
import { checkMovable, decideConfirm, decideMove, decideRevert, moveRequest, noValidHost, type Hold, type MovePlan, type Size } from './move-decide.js';
import { applyPlan, QuotaRefused } from './quota-usage.js';
import { settleRefusal } from './preempt.js';
import { journalEntry } from './rows.js';

export type { Hold, Size } from './move-decide.js';

const ATTEMPTS = 16;
/** How often holds of containers deleted while their resize waited are given back. */
const SWEEP_MS = 15_000;

/** Where the front door records holds (compute_servers for servers). */
export interface MoveHolds {
  /** Holds whose container is gone. */
  orphaned(q: Queryable): Promise<{ uuid: string; hold: Hold }[]>;
  /** Forgets the hold of `uuid` on `hostId`; false when it is no longer recorded. */
  drop(q: Queryable, uuid: string, hostId: string): Promise<boolean>;
}

/**
 * The front door's rows, written in the same transaction: with the row as committed and the hold now
 * kept (null once none is). Returning false rolls everything back: the hold it expected is gone.
 */
export type MoveCommit = (trx: Queryable, row: ContainerRow, hold: Hold | null) => Promise<boolean>;

export interface MoveDeps {
  db: Database;
  bus: ChangeBus;
  index: HostIndex;
  strategy: Strategy;
  quotas: QuotaBook;
  core: ContainerCore;
  holds: MoveHolds;
  log?: Logger;
  /** Called after quota is given back, so preempted containers waiting for it may start. */
  onQuotaReleased?: () => void;
}

export interface MoveOptions {
  /** The journal's name for it (default: resize, revertResize, confirmResize). */
  journal?: string;
  /** Why the container's own host cannot take the new size, for the "no valid host" answer. */
  ownReason?: string | null;
  onCommit?: MoveCommit;
}

/** Rolls a commit back with the reason. */
class Rollback extends Error {
  constructor(readonly outcome: 'no_room' | 'moved' | 'gone') {
    super(outcome);
  }
}

const busy = () => new BerthError('busy', 'The container is being changed by another request; try again.');
const gone = (uuid: string) => new BerthError('conflict', `The resize of ${uuid} was confirmed or reverted meanwhile.`);

export class ContainerMove {
  readonly #d: MoveDeps;
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<void> | undefined;

  constructor(deps: MoveDeps) {
    this.#d = deps;
  }

  /** Gives back holds of deleted containers now and then (and once now). */
  start(): void {
    void this.sweep();
    this.#timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#sweeping;
  }

  /**
   * A resize: the new limits applied in place (the core's update) when the container's host has room
   * for them, else a move to another host that has. `hold` is null when it stayed in place.
   */
  async resize(who: Actor, ident: string, size: Size, opts: MoveOptions = {}): Promise<{ row: ContainerRow; hold: Hold | null }> {
    const c = await this.#d.core.find(who, ident);
    const host = c.host_id ? this.#d.index.view(c.host_id) : undefined;
    let ownReason = host ? roomForResize(host, c, size.cpu, size.memoryMb) : null;
    if (ownReason === null) {
      try {
        return { row: await this.#d.core.update(who, c.uuid, { cpu: size.cpu, memoryMb: size.memoryMb }), hold: null };
      } catch (e) {
        // The update's only conflict is the host's room, taken meanwhile: the container moves instead.
        if (!(e instanceof BerthError && e.code === 'conflict')) throw e;
        ownReason = e.message;
      }
    }
    return this.move(who, c.uuid, size, { ...opts, ownReason });
  }

  /** Moves container `ident` to another host with room for `size` (`container:update`). */
  async move(who: Actor, ident: string, size: Size, opts: MoveOptions = {}): Promise<{ row: ContainerRow; hold: Hold }> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const c = await this.#d.core.find(who, ident);
      who.authorize('container:update', { project_id: c.project_id });
      checkMovable(c);
      let choice = this.#d.index.place(moveRequest(c, size), this.#d.strategy);
      if (!choice.ok) {
        // As a create does: this server's view may not have heard of a host enabled elsewhere yet.
        await this.#d.index.reload();
        choice = this.#d.index.place(moveRequest(c, size), this.#d.strategy);
      }
      if (!choice.ok) throw new BerthError('conflict', noValidHost(opts.ownReason ?? null, choice));
      const plan = decideMove(c, size, choice.host.id);
      const outcome = await this.#commit(who, c, plan, opts.journal ?? 'resize', opts.onCommit);
      if (outcome === 'done') {
        this.#d.index.applyCommitted(plan.claim!.hostId, plan.claim!.claim);
        await this.#published(c, plan);
        return { row: { ...c, ...plan.set }, hold: plan.hold! };
      }
      if (outcome === 'no_room') await this.#d.index.refresh([choice.host.id]);
      if (outcome === 'gone') throw gone(c.uuid);
    }
    throw busy();
  }

  /** Moves container `ident` back onto the host `hold` kept, with the limits it had there. */
  async revert(who: Actor, ident: string, hold: Hold, opts: MoveOptions = {}): Promise<ContainerRow> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const c = await this.#d.core.find(who, ident);
      who.authorize('container:update', { project_id: c.project_id });
      const plan = decideRevert(c, hold);
      const outcome = await this.#commit(who, c, plan, opts.journal ?? 'revertResize', opts.onCommit);
      if (outcome === 'done') {
        if (plan.release) this.#d.index.applyCommitted(plan.release.hostId, negate(plan.release.claim));
        await this.#published(c, plan);
        this.#d.onQuotaReleased?.();
        return { ...c, ...plan.set };
      }
      if (outcome === 'gone') throw gone(c.uuid);
    }
    throw busy();
  }

  /** Keeps container `ident` where it is and gives back the claim `hold` kept on the host it left. */
  async confirm(who: Actor, ident: string, hold: Hold, opts: MoveOptions = {}): Promise<ContainerRow> {
    const c = await this.#d.core.find(who, ident);
    who.authorize('container:update', { project_id: c.project_id });
    const { release } = decideConfirm(hold);
    const journal = journalEntry(who, c, opts.journal ?? 'confirmResize', { result: 'Success' });
    try {
      await this.#d.db.tx(async (trx) => {
        await repo.releaseOnHost(trx, release.hostId, release.claim);
        await repo.insertAction(trx, journal);
        if (opts.onCommit && !(await opts.onCommit(trx, c, null))) throw new Rollback('gone');
      });
    } catch (e) {
      if (e instanceof Rollback) throw gone(c.uuid);
      throw e;
    }
    this.#d.index.applyCommitted(release.hostId, negate(release.claim));
    await this.#d.bus.publish(release.hostId);
    return c;
  }

  /** Gives back the holds of containers deleted while their resize waited. */
  async sweep(): Promise<void> {
    if (this.#sweeping) return this.#sweeping;
    this.#sweeping = (async () => {
      try {
        for (const { uuid, hold } of await this.#d.holds.orphaned(this.#d.db.kysely)) {
          const dropped = await this.#d.db.tx(async (trx) => {
            if (!(await this.#d.holds.drop(trx, uuid, hold.hostId))) return false;
            await repo.releaseOnHost(trx, hold.hostId, hold.claim);
            return true;
          });
          if (!dropped) continue;
          this.#d.index.applyCommitted(hold.hostId, negate(hold.claim));
          await this.#d.bus.publish(hold.hostId);
        }
      } catch (err) {
        this.#d.log?.warn({ err }, 'claims held for deleted servers not given back yet');
      } finally {
        this.#sweeping = undefined;
      }
    })();
    return this.#sweeping;
  }

  /**
   * One transaction: the row on the generation decided on, the claim on the host it goes to, the claim
   * given back on the host it leaves, the journal entry, the quota change and the front door's rows.
   */
  async #commit(who: Actor, c: ContainerRow, plan: MovePlan, action: string, onCommit?: MoveCommit): Promise<'done' | 'no_room' | 'moved' | 'gone'> {
    const tree = plan.quota && this.#d.quotas.enforced ? await this.#d.quotas.tree(c.project_id) : null;
    const journal = journalEntry(who, c, action, { open: true });
    const row = { ...c, ...plan.set };
    try {
      await this.#d.db.tx(async (trx) => {
        if (!(await repo.updateContainerIf(trx, c.uuid, c.generation, plan.set))) throw new Rollback('moved');
        if (plan.claim && !(await repo.claimOnHost(trx, plan.claim.hostId, plan.claim.claim, RATIOS))) throw new Rollback('no_room');
        if (plan.release) await repo.releaseOnHost(trx, plan.release.hostId, plan.release.claim);
        await repo.insertAction(trx, journal);
        if (tree && plan.quota) await applyPlan(trx, tree.plan(c.project_id), plan.quota);
        if (onCommit && !(await onCommit(trx, row, plan.hold))) throw new Rollback('gone');
      });
      return 'done';
    } catch (e) {
      if (e instanceof Rollback) return e.outcome;
      if (e instanceof QuotaRefused && tree && plan.quota) {
        // Over quota is the usual 403 (thrown here); a usage that changed meanwhile is decided again.
        await settleRefusal(this.#d.db, tree, c.project_id, positivePart(plan.quota), false);
        return 'moved';
      }
      if (isTransientConflict(e)) return 'moved';
      throw e;
    }
  }

  /** Both hosts hear of it: the one it went to creates it, the one it left gets its full set and removes it. */
  async #published(c: ContainerRow, plan: MovePlan): Promise<void> {
    await this.#d.bus.publish(plan.set.host_id, c.uuid);
    await this.#d.bus.publish(c.host_id);
  }
}

const positivePart = (a: { containers: number; cpu: number; memory: number; disk: number }) =>
  ({ containers: Math.max(0, a.containers), cpu: Math.max(0, a.cpu), memory: Math.max(0, a.memory), disk: Math.max(0, a.disk) });
