/**
 * @module A server's key written into its container once it first runs: the key pair's public key as
 * `/root/.ssh/authorized_keys`, by an archive put on the container's host. An image without `/root`
 * gets nothing (the engine answers 404 and that is the end of it). Runs after the create was answered;
 * a failure is logged, never surfaced.
 */
import type { Logger } from '../core/log.js';
import type { Actor, ContainerCore } from '../container/core.js';
import type { ContainerWaiter } from '../container/waiter.js';
import type { ContainerRow } from '../store/schema.js';
import { authorizedKeysTar } from './key-tar.js';

/** How long a server may take to first run before its key is given up on. */
const FIRST_RUN_MS = 10 * 60_000;

/** Running with what was asked applied, or in a state it will not leave by itself. */
const settled = (c: ContainerRow) =>
  (c.status === 'Running' && c.generation <= c.observed_generation) || ['Error', 'Dead', 'Deleting', 'Deleted'].includes(c.status);

export class KeyInjector {
  readonly #d: { core: ContainerCore; waiter: ContainerWaiter; log: Logger };
  readonly #pending = new Set<Promise<void>>();

  constructor(deps: { core: ContainerCore; waiter: ContainerWaiter; log: Logger }) {
    this.#d = deps;
  }

  /** Starts writing the key into container `uuid` once it runs; the promise never rejects. */
  inject(who: Actor, uuid: string, publicKey: string): Promise<void> {
    const work = this.#inject(who, uuid, publicKey).catch((err: unknown) => this.#d.log.warn({ err, uuid }, 'server key not written'));
    this.#pending.add(work);
    void work.finally(() => this.#pending.delete(work));
    return work;
  }

  /** Resolves once every key being written is done (the waiter closing ends the waits). */
  async idle(): Promise<void> {
    await Promise.all([...this.#pending]);
  }

  async #inject(who: Actor, uuid: string, publicKey: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), FIRST_RUN_MS);
    });
    const c = await Promise.race([this.#d.waiter.until(uuid, settled), timeout]).finally(() => clearTimeout(timer));
    if (c?.status !== 'Running') return;
    const data = (await authorizedKeysTar(publicKey)).toString('base64');
    try {
      await this.#d.core.call(who, uuid, 'put_archive', 'put_archive', { path: '/root', data }, { journal: false });
    } catch (e) {
      // No /root in the image: nothing to write the key into.
      if ((e as { status?: number }).status === 404 || /no such file|not found/i.test((e as Error).message)) return;
      throw e;
    }
  }
}
