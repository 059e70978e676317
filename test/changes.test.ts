/**
 * The change bus on each database: a published host id reaches the subscribers of the publishing
 * process (an event on SQLite, its own NOTIFY on PostgreSQL) exactly once, and on PostgreSQL those of
 * every other server too; after close nothing more arrives. Also the LISTEN/NOTIFY store functions.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { Database } from '../src/store/db.js';
import { listen, notify } from '../src/store/notify.js';
import { ChangeBus } from '../src/server/changes.js';
import { eachDialect, freshDatabase, waitFor, type TestDialect } from './helpers.js';

/** Every host id a bus delivers, in order. */
function record(bus: ChangeBus): string[] {
  const got: string[] = [];
  bus.subscribe((hostId) => got.push(hostId));
  return got;
}

eachDialect((dialect: TestDialect) => {
  let dir: string;
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let dbA: Database;
  let dbB: Database;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-changes-'));
    fresh = await freshDatabase(dialect, dir);
    dbA = Database.open(fresh.url);
    dbB = Database.open(fresh.url);
  });
  after(async () => {
    await dbA.close();
    await dbB.close();
    await fresh.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a change reaches the publishing process once, and on PostgreSQL the other servers too', async () => {
    const a = new ChangeBus(dbA);
    const b = new ChangeBus(dbB);
    await a.start();
    await b.start();
    const gotA = record(a);
    const gotB = record(b);
    await a.publish('host-1');
    await a.publish(null);
    // Deliveries keep their order, so once the second id is there the first one has had its chance to repeat.
    await a.publish('host-2');
    await waitFor('host-2 on the publishing bus', () => gotA.includes('host-2'));
    assert.deepEqual(gotA, ['host-1', 'host-2']);
    if (dialect.name === 'postgres') {
      await waitFor('host-2 on the other server', () => gotB.includes('host-2'));
      assert.deepEqual(gotB, ['host-1', 'host-2']);
    } else {
      assert.deepEqual(gotB, [], 'SQLite has one server: nothing travels between buses');
    }
    await a.close();
    await b.close();
    await a.publish('host-3');
    assert.deepEqual(gotA, ['host-1', 'host-2'], 'a closed bus publishes nothing');
  });

  it('listen and notify: one channel only, undefined and false on SQLite, a bad channel name refused', async () => {
    await assert.rejects(listen(dbA, 'berth; drop table x', () => undefined), /invalid channel name/);
    const heard: string[] = [];
    const listener = await listen(dbA, 'berth_probe', (p) => heard.push(p));
    if (dialect.name === 'sqlite') {
      assert.equal(listener, undefined);
      assert.equal(await notify(dbB, 'berth_probe', 'x'), false);
      return;
    }
    assert.ok(listener);
    assert.equal(await notify(dbB, 'berth_other', 'elsewhere'), true);
    assert.equal(await notify(dbB, 'berth_probe', 'one'), true);
    await waitFor('the payload', () => heard.includes('one'));
    assert.deepEqual(heard, ['one']);
    await listener.close();
  });
});
