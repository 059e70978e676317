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
    this.#listener = await listen(this.#db, CHANNEL, (payload) => {
      const [hostId, uuid] = payload.split(' ');
      this.#events.emit('host', hostId, uuid || undefined);
    });
  }

  /**
   * Call after the transaction that changed the host has committed. `uuid` names the one container that
   * changed, so a hub pushes just that one; without it, anything of the host may have changed.
   */
  async publish(hostId: string | null | undefined, uuid?: string): Promise<void> {
    if (!hostId || this.#closed) return;
    // On SQLite, or when the NOTIFY fails, this process's own hub still hears of the change.
    const sent = await notify(this.#db, CHANNEL, uuid ? `${hostId} ${uuid}` : hostId).catch(() => false);
    if (!sent) this.#events.emit('host', hostId, uuid);
  }

  /**
   * Agents' status reports stored by this server (after their transaction committed), for waiters in
   * this process; other servers' waiters notice them by re-reading.
   */
  noteStatus(uuids: string[]): void {
    if (uuids.length > 0) this.#events.emit('status', uuids);
  }

  onStatus(fn: (uuids: string[]) => void): () => void {
    this.#events.on('status', fn);
    return () => this.#events.off('status', fn);
  }

  subscribe(fn: (hostId: string, uuid?: string) => void): () => void {
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
