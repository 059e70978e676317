/**
 * The store on each database: migrations apply once (again is a no-op, two at once apply once),
 * transactions commit or roll back as a whole, locks serialise writers, and bootstrap runs once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { Database } from '../src/store/db.js';
import { migrations } from '../src/store/migrations.js';
import { bootstrapIdentity } from '../src/identity/bootstrap.js';
import { eachDialect, freshDatabase, waitFor, type TestDialect } from './helpers.js';

/** Tables and their columns, as the database reports them. */
async function schemaOf(db: Database): Promise<Record<string, string[]>> {
  const tables = await db.kysely.introspection.getTables();
  return Object.fromEntries(tables.map((t) => [t.name, t.columns.map((c) => `${c.name}:${c.dataType}:${c.isNullable ? 'null' : 'not null'}`).sort()]).sort());
}

const domain = (id: string) => ({ id, name: `name-${id}`, description: '', enabled: 1, created_at: new Date().toISOString() });

/** A promise and the function that resolves it. */
function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((r) => { open = r; });
  return { opened, open };
}

eachDialect((dialect: TestDialect) => {
  let dir: string;
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let db: Database;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-store-'));
    fresh = await freshDatabase(dialect, dir);
    db = Database.open(fresh.url);
  });
  after(async () => {
    await db?.close();
    await fresh?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('migrations', () => {
    it('apply every version once, in order', async () => {
      await db.migrate();
      const applied = await db.kysely.selectFrom('berth_migrations').selectAll().orderBy('version').execute();
      assert.deepEqual(applied.map((m) => [m.version, m.name]), migrations.map((m) => [m.version, m.name]));
      const versions = migrations.map((m) => m.version);
      assert.deepEqual(versions, [...versions].sort((a, b) => a - b), 'migrations are listed in version order');
      assert.equal(new Set(versions).size, versions.length, 'versions are unique');
      const schema = await schemaOf(db);
      for (const t of ['domains', 'projects', 'users', 'roles', 'assignments', 'tokens', 'settings', 'berth_migrations']) assert.ok(schema[t], `table ${t}`);
    });

    it('running them again changes nothing', async () => {
      const before = await db.kysely.selectFrom('berth_migrations').selectAll().orderBy('version').execute();
      const schema = await schemaOf(db);
      await db.migrate();
      await db.migrate();
      assert.deepEqual(await db.kysely.selectFrom('berth_migrations').selectAll().orderBy('version').execute(), before);
      assert.deepEqual(await schemaOf(db), schema);
    });

    it('a second handle on the same database (a restart, another server) finds nothing to do', async () => {
      const other = Database.open(fresh.url);
      try {
        await other.migrate();
        assert.equal((await other.kysely.selectFrom('berth_migrations').selectAll().execute()).length, migrations.length);
      } finally {
        await other.close();
      }
    });

    // A SQLite file belongs to one server, whose single connection serialises its writers; several
    // servers share a database only on PostgreSQL.
    it('two servers migrating one empty database at once apply each version once', { skip: dialect.name === 'sqlite' && 'PostgreSQL only' }, async () => {
      const d2 = await freshDatabase(dialect, mkdtempSync(join(dir, 'concurrent-')));
      const handles = [Database.open(d2.url), Database.open(d2.url), Database.open(d2.url)];
      try {
        await Promise.all(handles.map((h) => h.migrate()));
        const applied = await handles[0].kysely.selectFrom('berth_migrations').select('version').orderBy('version').execute();
        assert.deepEqual(applied.map((m) => m.version), migrations.map((m) => m.version));
      } finally {
        for (const h of handles) await h.close();
        await d2.drop();
      }
    });
  });

  describe('transactions', () => {
    it('commit as a whole and return the function value', async () => {
      const out = await db.tx(async (trx) => {
        await trx.insertInto('domains').values(domain('tx-ok')).execute();
        await trx.insertInto('settings').values({ key: 'tx-ok', value: '1' }).execute();
        return 42;
      });
      assert.equal(out, 42);
      assert.ok(await db.kysely.selectFrom('domains').selectAll().where('id', '=', 'tx-ok').executeTakeFirst());
      assert.ok(await db.kysely.selectFrom('settings').selectAll().where('key', '=', 'tx-ok').executeTakeFirst());
    });

    it('roll back everything when the function throws', async () => {
      const boom = new Error('boom');
      await assert.rejects(db.tx(async (trx) => {
        await trx.insertInto('domains').values(domain('tx-fail')).execute();
        await trx.insertInto('settings').values({ key: 'tx-fail', value: '1' }).execute();
        // Inside the transaction the writes are visible...
        assert.ok(await trx.selectFrom('domains').select('id').where('id', '=', 'tx-fail').executeTakeFirst());
        throw boom;
      }), (e) => e === boom);
      // ...and after the rollback they are gone.
      assert.equal(await db.kysely.selectFrom('domains').selectAll().where('id', '=', 'tx-fail').executeTakeFirst(), undefined);
      assert.equal(await db.kysely.selectFrom('settings').selectAll().where('key', '=', 'tx-fail').executeTakeFirst(), undefined);
    });

    it('roll back when a statement fails (a constraint), and the handle stays usable', async () => {
      await assert.rejects(db.tx(async (trx) => {
        await trx.insertInto('domains').values(domain('tx-dup')).execute();
        await trx.insertInto('domains').values(domain('tx-dup')).execute();
      }));
      assert.equal(await db.kysely.selectFrom('domains').selectAll().where('id', '=', 'tx-dup').executeTakeFirst(), undefined);
      await db.tx(async (trx) => trx.insertInto('domains').values(domain('tx-after')).execute());
      assert.ok(await db.kysely.selectFrom('domains').selectAll().where('id', '=', 'tx-after').executeTakeFirst());
    });

    it('a lock serialises two transactions on one name', async () => {
      const order: string[] = [];
      const firstHolds = gate();
      const releaseFirst = gate();
      const first = db.tx(async (trx) => {
        await db.lock(trx, 'store-test');
        order.push('first locked');
        firstHolds.open();
        await releaseFirst.opened;
        await trx.insertInto('settings').values({ key: 'lock-first', value: '1' }).execute();
        order.push('first done');
      });
      await firstHolds.opened;
      const second = db.tx(async (trx) => {
        await db.lock(trx, 'store-test');
        order.push('second locked');
        // The first transaction committed before this one got the lock, so its row is visible.
        assert.ok(await trx.selectFrom('settings').select('key').where('key', '=', 'lock-first').executeTakeFirst());
      });
      if (dialect.name === 'postgres') {
        // Wait until the second transaction is really queued on the advisory lock.
        await waitFor('the second transaction to wait for the lock', async () => {
          const r = await sql<{ n: number }>`select count(*) as n from pg_locks
            where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())`.execute(db.kysely);
          return Number(r.rows[0].n) === 1;
        });
      } else {
        // SQLite has one connection: the second transaction cannot begin before the first ends.
        await new Promise((r) => setImmediate(r));
      }
      assert.deepEqual(order, ['first locked']);
      releaseFirst.open();
      await Promise.all([first, second]);
      assert.deepEqual(order, ['first locked', 'first done', 'second locked']);
    });
  });

  it('bootstrap runs once: a second call finds the cloud set up and changes nothing', async () => {
    const first = await bootstrapIdentity(db, 'first-password');
    assert.equal(first.created, true);
    assert.equal(first.adminPassword, 'first-password');
    const count = async () => Promise.all(['domains', 'projects', 'users', 'roles', 'assignments'].map(async (t) =>
      Number((await sql<{ n: number }>`select count(*) as n from ${sql.table(t)}`.execute(db.kysely)).rows[0].n)));
    const counts = await count();
    assert.deepEqual(counts.slice(1), [2, 1, 3, 2]);
    const again = await Promise.all([bootstrapIdentity(db, 'other'), bootstrapIdentity(db, undefined)]);
    assert.deepEqual(again, [{ created: false }, { created: false }]);
    assert.deepEqual(await count(), counts);
  });
}, { timeout: 120_000 });
