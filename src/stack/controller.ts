/**
 * @module The stack controller: stacks in progress are desired state in the database, and this loop
 * converges them, one pass per stack at a time, the way agents converge engines. A server holds a lease
 * on the stacks it works on (renewed while it lives), so with several servers each stack has one
 * controller; after a crash the lease runs out and any server resumes the stack. On SQLite there is one
 * server, which takes every stack in progress at start.
 */
import { randomBytes } from 'node:crypto';
import type { Database } from '../store/db.js';
import * as repo from '../store/stack-repo.js';
import type { ContainerCore } from '../container/core.js';
import type { Logger } from '../core/log.js';
import type { Policy } from '../policy/index.js';
import type { ChangeBus } from '../server/changes.js';
import { converge } from './converge.js';
import { ContainerWaiter } from '../container/waiter.js';

const LEASE_MS = 30_000;
const SWEEP_MS = 5_000;

export interface ControllerDeps {
  db: Database;
  core: ContainerCore;
  policy: Policy;
  bus: ChangeBus;
  log?: Logger;
  dockerEndpoints: string[];
}

export class StackController {
  readonly #d: ControllerDeps;
  readonly #owner = `stack-${randomBytes(6).toString('hex')}`;
  readonly #abort = new AbortController();
  readonly #waiter: ContainerWaiter;
  readonly #running = new Map<string, Promise<void>>();
  readonly #again = new Set<string>();
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: ControllerDeps) {
    this.#d = deps;
    this.#waiter = new ContainerWaiter(deps.db, deps.bus);
  }

  /** Resumes the stacks left in progress and sweeps for others' expired leases from now on. */
  async start(): Promise<void> {
    await this.#sweep(this.#d.db.dialect === 'sqlite');
    this.#timer = setInterval(() => void this.#sweep(false), SWEEP_MS);
  }

  /** A request changed the stack: converge it now (here, taking its lease). */
  kick(stackId: string): void {
    void this.#take(stackId);
  }

  async #take(stackId: string): Promise<void> {
    const now = new Date();
    const until = new Date(now.getTime() + LEASE_MS).toISOString();
    const held = await repo.takeLease(this.#d.db.kysely, stackId, this.#owner, now.toISOString(), until).catch(() => false);
    if (held) this.#drive(stackId);
  }

  async #sweep(takeAll: boolean): Promise<void> {
    if (this.#abort.signal.aborted) return;
    try {
      const now = new Date();
      const until = new Date(now.getTime() + LEASE_MS).toISOString();
      await repo.renewLeases(this.#d.db.kysely, this.#owner, until);
      const ids = await repo.claimStacks(this.#d.db.kysely, this.#owner, takeAll ? '9999' : now.toISOString(), until);
      for (const id of ids) this.#drive(id);
    } catch (e) {
      this.#d.log?.warn({ err: e }, 'stack sweep failed');
    }
  }

  /** Runs passes over the stack until one ends with no newer request waiting. */
  #drive(stackId: string): void {
    if (this.#running.has(stackId)) {
      this.#again.add(stackId);
      return;
    }
    const deps = { ...this.#d, waiter: this.#waiter, signal: this.#abort.signal };
    const run = (async () => {
      do {
        this.#again.delete(stackId);
        const before = (await repo.getStack(this.#d.db.kysely, stackId).catch(() => undefined))?.generation;
        try {
          await converge(deps, stackId);
        } catch (e) {
          this.#d.log?.warn({ err: e, stack: stackId }, 'stack pass failed; the next sweep tries again');
          return;
        }
        const s = await repo.getStack(this.#d.db.kysely, stackId).catch(() => undefined);
        // A newer request came during the pass: another pass. The same generation still in progress
        // (a pass that could not finish) waits for the next sweep instead of spinning.
        if (s?.status === 'IN_PROGRESS' && s.generation !== before && !this.#abort.signal.aborted) this.#again.add(stackId);
      } while (this.#again.has(stackId) && !this.#abort.signal.aborted);
      await repo.releaseLease(this.#d.db.kysely, stackId, this.#owner).catch(() => undefined);
    })().finally(() => this.#running.delete(stackId));
    this.#running.set(stackId, run);
  }

  /** Stops: passes under way end at their next step, leaving their stacks in progress for the next start. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#abort.abort();
    this.#waiter.close();
    await Promise.allSettled([...this.#running.values()]);
  }
}
