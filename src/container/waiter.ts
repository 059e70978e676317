/**
 * @module Waiting for containers to reach a state (a stack's resource, `docker wait`, a Docker create
 * that returns once the engine has the container). A change-bus notice that names a container re-reads it
 * at once, and so does an agent's status report received by this server; a report received by another
 * server of the cloud is seen by re-reading the waiting containers together every TICK_MS while any wait
 * is open (one pass for all of them, never a loop per container).
 */
import type { Database } from '../store/db.js';
import type { ContainerRow } from '../store/schema.js';
import * as repo from '../store/container-repo.js';
import type { ChangeBus } from '../server/changes.js';

const TICK_MS = 250;

interface Wait { uuid: string; done: (c: ContainerRow) => boolean; resolve: (c: ContainerRow | undefined) => void }

export class ContainerWaiter {
  readonly #db: Database;
  #waits = new Set<Wait>();
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #checking = false;

  constructor(db: Database, bus: ChangeBus) {
    this.#db = db;
    const offHost = bus.subscribe((_host, uuid) => {
      if (uuid === undefined) void this.#check();
      else this.#wake(uuid);
    });
    const offStatus = bus.onStatus((uuids) => {
      for (const uuid of uuids) this.#wake(uuid);
    });
    this.#unsubscribe = () => {
      offHost();
      offStatus();
    };
  }

  #wake(uuid: string): void {
    if (this.#waits.size === 0) return;
    for (const w of this.#waits) if (w.uuid === uuid) void this.#checkOne(w);
  }

  /** Resolves with the container once `done` holds for it, or with undefined once it is gone. */
  until(uuid: string, done: (c: ContainerRow) => boolean): Promise<ContainerRow | undefined> {
    return new Promise((resolve) => {
      const w: Wait = { uuid, done, resolve };
      this.#waits.add(w);
      void this.#checkOne(w);
      this.#timer ??= setInterval(() => void this.#check(), TICK_MS);
    });
  }

  async #checkOne(w: Wait): Promise<void> {
    const c = await repo.getContainer(this.#db.kysely, w.uuid).catch(() => null);
    if (c === null || !this.#waits.has(w)) return;
    if (c === undefined || w.done(c)) this.#finish(w, c);
  }

  async #check(): Promise<void> {
    if (this.#checking) return;
    this.#checking = true;
    try {
      for (const w of [...this.#waits]) await this.#checkOne(w);
    } finally {
      this.#checking = false;
    }
  }

  #finish(w: Wait, c: ContainerRow | undefined): void {
    this.#waits.delete(w);
    if (this.#waits.size === 0 && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
    w.resolve(c);
  }

  /** Ends every wait (each resolves with undefined) and stops listening. */
  close(): void {
    this.#unsubscribe?.();
    for (const w of [...this.#waits]) this.#finish(w, undefined);
  }
}
