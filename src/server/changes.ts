import { EventEmitter } from 'node:events';
import type { Database } from '../store/db.js';
import { listen, notify, type Listener } from '../store/notify.js';

const CHANNEL = 'berth_changes';

/**
 * Tells hubs that a host's desired state changed. In one process an event is enough; with several
 * servers on PostgreSQL the news travels by NOTIFY on `berth_changes`, so whichever server holds the
 * host's agent connection pushes the change, with no broker besides the database.
 */
export class ChangeBus {
  #events = new EventEmitter();
  #db: Database;
  #listener: Listener | undefined;
  #closed = false;

  constructor(db: Database) {
    this.#db = db;
    this.#events.setMaxListeners(0);
  }

  async start(): Promise<void> {
    this.#listener = await listen(this.#db, CHANNEL, (hostId) => this.#events.emit('host', hostId));
  }

  /** Call after the transaction that changed the host's containers has committed. */
  async publish(hostId: string | null | undefined): Promise<void> {
    if (!hostId || this.#closed) return;
    // On SQLite, or when the NOTIFY fails, this process's own hub still hears of the change.
    const sent = await notify(this.#db, CHANNEL, hostId).catch(() => false);
    if (!sent) this.#events.emit('host', hostId);
  }

  subscribe(fn: (hostId: string) => void): () => void {
    this.#events.on('host', fn);
    return () => this.#events.off('host', fn);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#listener) {
      const listener = this.#listener;
      this.#listener = undefined;
      await listener.close();
    }
  }
}
