/**
 * @module The quota model's tree as this server knows it: projects, their settings and the default
 * quota class, loaded from the database and kept until something changes. A change made on any server
 * is announced on PostgreSQL's `berth_quota` channel; a project the tree does not know (made since, or
 * on another server) makes it load again; and it never lives longer than a minute.
 */
import type { Database } from '../store/db.js';
import { listen, notify, type Listener } from '../store/notify.js';
import * as quotas from '../store/quota-repo.js';
import { QuotaTree, ZUN_DEFAULTS, type Amounts } from '../quota/index.js';

const CHANNEL = 'berth_quota';
const MAX_AGE_MS = 60_000;

export class QuotaBook {
  readonly #db: Database;
  /** False only to measure what quotas cost (`BERTH_QUOTAS=false`): nothing is counted or refused. */
  readonly enforced: boolean;
  #tree: Promise<QuotaTree> | undefined;
  #loadedAt = 0;
  #listener: Listener | undefined;

  constructor(db: Database, opts: { enforced?: boolean } = {}) {
    this.#db = db;
    this.enforced = opts.enforced ?? true;
  }

  async start(): Promise<void> {
    this.#listener = await listen(this.#db, CHANNEL, () => this.invalidate());
  }

  async stop(): Promise<void> {
    await this.#listener?.close();
    this.#listener = undefined;
  }

  /** The tree; loaded again when stale or when it does not know `projectId`. */
  async tree(projectId?: string): Promise<QuotaTree> {
    if (!this.#tree || Date.now() - this.#loadedAt > MAX_AGE_MS) this.#load();
    const t = await this.#tree!;
    if (projectId !== undefined && !t.has(projectId)) {
      this.#load();
      return this.#tree!;
    }
    return t;
  }

  /** Forgets the tree here and tells the other servers to. Call after settings or projects change. */
  async changed(): Promise<void> {
    this.invalidate();
    await notify(this.#db, CHANNEL, 'changed').catch(() => false);
  }

  invalidate(): void {
    this.#tree = undefined;
  }

  #load(): void {
    this.#loadedAt = Date.now();
    const p = (async () => {
      const [projects, cls] = await Promise.all([quotas.loadProjects(this.#db.kysely), quotas.getClass(this.#db.kysely, 'default')]);
      const defaults: Amounts = { ...ZUN_DEFAULTS, ...cls };
      return new QuotaTree(projects, defaults);
    })();
    p.catch(() => {
      if (this.#tree === p) this.#tree = undefined;
    });
    this.#tree = p;
  }
}
