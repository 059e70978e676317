import type { Database } from './db.js';

/** A LISTEN on one PostgreSQL channel; `close()` ends it and returns the connection to the pool. */
export interface Listener {
  close(): Promise<void>;
}

const CHANNEL = /^[a-z_][a-z0-9_]*$/;

/**
 * Calls `fn` with each non-empty payload NOTIFYed on `channel`, on a pooled connection kept for it.
 * Undefined on SQLite, which has one process and so nobody else to hear from.
 */
export async function listen(db: Database, channel: string, fn: (payload: string) => void): Promise<Listener | undefined> {
  if (!CHANNEL.test(channel)) throw new Error(`invalid channel name ${channel}`);
  const pool = db.pool;
  if (!pool) return undefined;
  const client = await pool.connect();
  client.on('notification', (n) => {
    if (n.channel === channel && n.payload) fn(n.payload);
  });
  client.on('error', () => undefined);
  try {
    await client.query(`LISTEN ${channel}`);
  } catch (e) {
    client.release();
    throw e;
  }
  return {
    close: async () => {
      await client.query(`UNLISTEN ${channel}`).catch(() => undefined);
      client.release();
    },
  };
}

/** NOTIFYs `payload` on `channel`; false on SQLite, where there is no other server to tell. */
export async function notify(db: Database, channel: string, payload: string): Promise<boolean> {
  if (!db.pool) return false;
  await db.pool.query('select pg_notify($1, $2)', [channel, payload]);
  return true;
}
