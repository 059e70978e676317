import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type SqliteDatabase, type Transaction } from 'kysely';
import pg from 'pg';
import type { Tables } from './schema.js';
import { migrations } from './migrations.js';

export type Dialect = 'sqlite' | 'postgres';
export type Queryable = Kysely<Tables> | Transaction<Tables>;

/**
 * The one data-access handle: a Kysely instance over SQLite (better-sqlite3) or PostgreSQL (pg).
 * `tx` runs a function in a transaction; `lock` serialises writers on a name within one (a no-op on
 * SQLite, whose writers are already serialised through its one connection).
 */
export class Database {
  readonly kysely: Kysely<Tables>;
  readonly dialect: Dialect;
  readonly url: string;
  #pool: pg.Pool | undefined;

  private constructor(kysely: Kysely<Tables>, dialect: Dialect, url: string, pool?: pg.Pool) {
    this.kysely = kysely;
    this.dialect = dialect;
    this.url = url;
    this.#pool = pool;
  }

  static open(url: string): Database {
    if (url.startsWith('sqlite:')) {
      const file = url.slice('sqlite:'.length) || ':memory:';
      if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
      const sqlite = new SQLite(file);
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('synchronous = NORMAL');
      sqlite.pragma('foreign_keys = ON');
      sqlite.pragma('busy_timeout = 5000');
      // A large cloud's indexes do not fit SQLite's default 2 MB page cache; random-key inserts (uuids)
      // then read pages back from the OS on every create.
      sqlite.pragma('cache_size = -65536');
      sqlite.pragma('mmap_size = 268435456');
      return new Database(new Kysely<Tables>({ dialect: new SqliteDialect({ database: cachingStatements(sqlite) }) }), 'sqlite', url);
    }
    // bigint (count(*)) and numeric come back as strings from pg; Berth's counts fit in a double.
    pg.types.setTypeParser(20, (v) => Number(v));
    pg.types.setTypeParser(1700, (v) => Number(v));
    const pool = new pg.Pool({ connectionString: url, max: 20 });
    pool.on('error', () => undefined);
    return new Database(new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) }), 'postgres', url, pool);
  }

  async migrate(): Promise<void> {
    await migrateDatabase(this);
  }

  tx<T>(fn: (trx: Transaction<Tables>) => Promise<T>): Promise<T> {
    return this.kysely.transaction().execute(fn);
  }

  async lock(trx: Queryable, name: string): Promise<void> {
    if (this.dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${name}))`.execute(trx);
  }

  /** The pg pool, for LISTEN/NOTIFY; undefined on SQLite. */
  get pool(): pg.Pool | undefined {
    return this.#pool;
  }

  async close(): Promise<void> {
    await this.kysely.destroy();
  }
}

async function migrateDatabase(db: Database): Promise<void> {
  await db.tx(async (trx) => {
    // Two servers starting together on one PostgreSQL must not both migrate. The lock comes before even
    // the bookkeeping table: two concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalog.
    await db.lock(trx, 'berth_migrations');
    await trx.schema
      .createTable('berth_migrations')
      .ifNotExists()
      .addColumn('version', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('applied_at', 'text', (c) => c.notNull())
      .execute();
    const done = new Set((await trx.selectFrom('berth_migrations').select('version').execute()).map((r) => r.version));
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await m.up(trx, db.dialect);
      await trx
        .insertInto('berth_migrations')
        .values({ version: m.version, name: m.name, applied_at: new Date().toISOString() })
        .execute();
    }
  });
}

/**
 * Kysely prepares every query anew; the same few hundred SQL texts recur, so prepared statements are
 * kept by text (bounded) and reused, which saves a compile on every request of a hot route.
 */
function cachingStatements(sqlite: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(text: string) {
      let stmt = cache.get(text);
      if (!stmt) {
        stmt = sqlite.prepare(text);
        if (cache.size >= 500) cache.clear();
        cache.set(text, stmt);
      }
      return stmt;
    },
    close: () => sqlite.close(),
  };
}

export function nowIso(): string {
  return new Date().toISOString();
}

/** True when a write broke a unique index, by the driver's error code (SQLite and PostgreSQL). */
export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/** True when PostgreSQL aborted a transaction to break a deadlock or a serialization conflict: try again. */
export function isTransientConflict(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}
