/**
 * @module
 * The exec instances of one server, in memory: Docker keeps them with the container, Berth keeps them
 * where they were created (an exec id is good on the server that made it). Finished ones are forgotten
 * after a while, and the number kept is capped. The clock is passed in; no I/O.
 */
import { BerthError } from '../core/errors.js';
import type { ExecRecord } from './exec.js';

export interface ExecStoreLimits {
  /** At most this many records; the oldest finished or never started ones make room. */
  max: number;
  /** A finished exec is forgotten this long after it ended (ms). */
  keepFinishedMs: number;
  /** An exec never started is forgotten this long after it was created (ms). */
  keepUnstartedMs: number;
}

export const DEFAULT_EXEC_LIMITS: ExecStoreLimits = { max: 2000, keepFinishedMs: 15 * 60_000, keepUnstartedMs: 60 * 60_000 };

export class ExecStore<Live = unknown> {
  readonly #limits: ExecStoreLimits;
  #records = new Map<string, ExecRecord>();
  /** The open session of a running exec (what a resize goes to). */
  #live = new Map<string, Live>();

  constructor(limits: ExecStoreLimits = DEFAULT_EXEC_LIMITS) {
    this.#limits = limits;
  }

  get size(): number {
    return this.#records.size;
  }

  add(r: ExecRecord, now: number): void {
    this.sweep(now);
    if (this.#records.size >= this.#limits.max) {
      const victim = [...this.#records.values()].filter((x) => !x.running).sort((a, b) => (a.endedAt ?? a.createdAt) - (b.endedAt ?? b.createdAt))[0];
      if (!victim) throw new BerthError('unavailable', `This server runs ${this.#limits.max} execs already; try again when some have ended.`);
      this.#forget(victim.id);
    }
    this.#records.set(r.id, r);
  }

  /** The record, or Docker's 404. */
  get(id: string, now: number): ExecRecord {
    this.sweep(now);
    const r = this.#records.get(id);
    if (!r) throw new BerthError('not_found', `No such exec instance: ${id}`);
    return r;
  }

  /** Marks it started; a second start is Docker's 409. */
  start(id: string, now: number, live?: Live): ExecRecord {
    const r = this.get(id, now);
    if (r.started) throw new BerthError('conflict', `Exec ${id} has already been started`);
    r.started = true;
    r.running = true;
    if (live !== undefined) this.#live.set(id, live);
    return r;
  }

  setLive(id: string, live: Live): void {
    if (this.#records.get(id)?.running) this.#live.set(id, live);
  }

  live(id: string): Live | undefined {
    return this.#live.get(id);
  }

  /** Records the end; the exit code stays null when it could not be known. */
  finish(id: string, exitCode: number | undefined, now: number): void {
    const r = this.#records.get(id);
    this.#live.delete(id);
    if (!r || !r.running) return;
    r.running = false;
    r.exitCode = exitCode ?? null;
    r.endedAt = now;
  }

  sweep(now: number): void {
    for (const r of this.#records.values()) {
      const gone = r.running ? false
        : r.started ? now - (r.endedAt ?? r.createdAt) > this.#limits.keepFinishedMs
          : now - r.createdAt > this.#limits.keepUnstartedMs;
      if (gone) this.#forget(r.id);
    }
  }

  /** Every record's session (server shutdown). */
  lives(): Live[] {
    return [...this.#live.values()];
  }

  #forget(id: string): void {
    this.#records.delete(id);
    this.#live.delete(id);
  }
}
