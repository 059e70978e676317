/**
 * @module The queue of preempted containers: every few seconds, and soon after quota is given back, the
 * oldest queued containers whose restart policy asks to run again take their quota back and start. A
 * container that does not fit yet stays queued; one whose policy is `no` waits for `start`. Safe with
 * several servers: each start is a conditional write on the row's generation plus the quota's own.
 */
import type { Database } from '../store/db.js';
import type { Logger } from '../core/log.js';
import type { ContainerRow } from '../store/schema.js';
import type { ContainerSpec } from '../agent/protocol.js';
import * as repo from '../store/container-repo.js';
import * as quotas from '../store/quota-repo.js';
import type { ChangeBus } from '../server/changes.js';
import type { QuotaBook } from './quota-book.js';
import { amountsOfRow, QuotaRefused, takeQuota } from './quota-usage.js';
import { newUuid } from '../core/ids.js';

const PASS_MS = 2_000;
const RESTARTING = new Set(['always', 'unless-stopped', 'on-failure']);

/** True when the container's restart policy asks for it to run again after it was stopped. */
export function restartsByItself(c: Pick<ContainerRow, 'spec'>): boolean {
  const policy = (JSON.parse(c.spec) as ContainerSpec).restartPolicy?.name;
  return policy !== undefined && RESTARTING.has(policy);
}

export class Requeue {
  readonly #d: { db: Database; book: QuotaBook; bus: ChangeBus; log: Logger };
  #timer: NodeJS.Timeout | undefined;
  #soon: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(deps: { db: Database; book: QuotaBook; bus: ChangeBus; log: Logger }) {
    this.#d = deps;
  }

  start(): void {
    this.#timer = setInterval(() => this.kick(), PASS_MS);
    this.#timer.unref();
  }

  stop(): Promise<void> {
    clearInterval(this.#timer);
    clearTimeout(this.#soon);
    return this.#running ?? Promise.resolve();
  }

  /** Runs a pass soon (coalesced); a pass already running is not overlapped. */
  kick(): void {
    if (this.#running || !this.#d.book.enforced) return;
    this.#running = this.pass()
      .then(() => undefined)
      .catch((e: unknown) => this.#d.log.warn({ err: (e as Error).message }, 'requeue pass failed'))
      .finally(() => { this.#running = undefined; });
  }

  /** Starts the queued containers that fit, oldest first; returns how many started. */
  async pass(): Promise<number> {
    const queued = (await quotas.queuedContainers(this.#d.db.kysely)).filter(restartsByItself);
    if (queued.length === 0) return 0;
    const tree = await this.#d.book.tree();
    let started = 0;
    for (const c of queued) {
      const now = new Date().toISOString();
      try {
        const ok = await this.#d.db.tx(async (trx) => {
          const set: Partial<ContainerRow> = {
            desired: 'running', task_state: 'container_starting', generation: c.generation + 1,
            queued_at: null, admitted_at: now, status_reason: null,
          };
          if (!(await repo.updateContainerIf(trx, c.uuid, c.generation, set))) return false;
          await takeQuota(trx, tree, c.project_id, amountsOfRow(c));
          await repo.insertAction(trx, {
            id: newUuid(), container_uuid: c.uuid, project_id: c.project_id, user_id: c.user_id, action: 'requeue_start',
            request_id: `req-${newUuid()}`, message: 'Capacity returned: started again from the queue.', start_time: now, finish_time: null, result: null,
          });
          return true;
        });
        if (!ok) continue;
        started++;
        await this.#d.bus.publish(c.host_id, c.uuid);
      } catch (e) {
        if (!(e instanceof QuotaRefused)) throw e;
      }
    }
    return started;
  }
}
