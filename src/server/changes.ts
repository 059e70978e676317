import { EventEmitter } from 'node:events';
import type pg from 'pg';
import type { Database } from '../store/db.js';

/**
 * Tells hubs that a host's desired state changed. In one process an event is enough; with several
 * servers on PostgreSQL the news travels by NOTIFY on `berth_changes`, so whichever server holds the
 * host's agent connection pushes the change, with no broker besides the database.
 */
export class ChangeBus {
  #events = new EventEmitter();
  #db: Database;
  #listener: pg.PoolClient | undefined;
  #closed = false;

  constructor(db: Database) {
    this.#db = db;
    this.#events.setMaxListeners(0);
  }

  async start(): Promise<void> {
    const pool = this.#db.pool;
    if (!pool) return;
    const client = await pool.connect();
    this.#listener = client;
    client.on('notification', (n) => {
      if (n.channel === 'berth_changes' && n.payload) this.#events.emit('host', n.payload);
    });
    client.on('error', () => undefined);
    await client.query('LISTEN berth_changes');
  }

  /** Call after the transaction that changed the host's containers has committed. */
  async publish(hostId: string | null | undefined): Promise<void> {
    if (!hostId || this.#closed) return;
    if (this.#db.pool) {
      await this.#db.pool.query('select pg_notify($1, $2)', ['berth_changes', hostId]).catch(() => this.#events.emit('host', hostId));
    } else {
      this.#events.emit('host', hostId);
    }
  }

  subscribe(fn: (hostId: string) => void): () => void {
    this.#events.on('host', fn);
    return () => this.#events.off('host', fn);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#listener) {
      await this.#listener.query('UNLISTEN berth_changes').catch(() => undefined);
      this.#listener.release();
      this.#listener = undefined;
    }
  }
}
