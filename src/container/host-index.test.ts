import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Database } from '../store/db.js';
import * as repo from '../store/container-repo.js';
import { HostIndex } from './host-index.js';

type Plugin = Parameters<Database['kysely']['withPlugin']>[0];

/**
 * Holds back the answer of one read until released, as a read on a slow connection does: the read runs
 * at once on a connection of its own (it sees the database as it is then); `ran` resolves once it has.
 */
class LateAnswer implements Plugin {
  #release: (() => void) | undefined;
  #ran: (() => void) | undefined;
  readonly ran = new Promise<void>((resolve) => (this.#ran = resolve));
  transformQuery(args: Parameters<Plugin['transformQuery']>[0]) {
    return args.node;
  }
  async transformResult(args: Parameters<Plugin['transformResult']>[0]): ReturnType<Plugin['transformResult']> {
    const released = new Promise<void>((resolve) => (this.#release = resolve));
    this.#ran?.();
    await released;
    return args.result;
  }
  release(): void {
    this.#release?.();
  }
}

/** A database file, and an index whose next read goes to a second connection when `holdNext()` asks. */
async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'berth-host-index-'));
  const db = Database.open(`sqlite:${join(dir, 'db.sqlite')}`);
  await db.migrate();
  const other = Database.open(db.url);
  let late: LateAnswer | undefined;
  const holdNext = () => (late = new LateAnswer());
  const reads = {
    get kysely() {
      const plugin = late;
      late = undefined;
      return plugin ? other.kysely.withPlugin(plugin) : db.kysely;
    },
  } as unknown as Database;
  const now = new Date().toISOString();
  const addHost = (id: string, enabled: number) => repo.insertHost(db.kysely, {
    id, name: id, zone: 'nova', enabled, forced_down: 0, disabled_reason: null, cpus: 1, memory_mb: 1024, disk_gb: 10,
    max_containers: 3, labels: '{}', runtimes: '["runc"]', engine_version: '', os: '', credential_hash: 'x',
    last_seen_at: now, created_at: now, updated_at: now,
  });
  const close = async () => {
    await other.kysely.destroy();
    await db.kysely.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  return { db, index: new HostIndex(reads), addHost, holdNext, close };
}

describe('HostIndex', () => {
  it('a reload sent before a host changed and answering after its re-read does not undo the change', async () => {
    const { db, index, addHost, holdNext, close } = await setup();
    await addHost('h1', 0);
    await index.reload();
    assert.equal(index.view('h1')?.enabled, false);

    const late = holdNext();
    const stale = index.reload();
    await late.ran; // it read enabled = 0
    await repo.updateHost(db.kysely, 'h1', { enabled: 1 });
    await index.refresh(['h1']); // sent after the change: enabled = 1
    assert.equal(index.view('h1')?.enabled, true);
    late.release();
    await stale;
    assert.equal(index.view('h1')?.enabled, true);
    await close();
  });

  it('a host a later read found gone is not brought back by an earlier read answering late', async () => {
    const { db, index, addHost, holdNext, close } = await setup();
    await addHost('h1', 1);
    await index.reload();

    const late = holdNext();
    const stale = index.reload();
    await late.ran; // it found h1
    await repo.deleteEmptyHost(db.kysely, 'h1');
    await index.refresh(['h1']);
    assert.equal(index.view('h1'), undefined);
    late.release();
    await stale;
    assert.equal(index.view('h1'), undefined);
    assert.equal(index.size, 0);
    await close();
  });

  it('reads answering in order apply each in turn', async () => {
    const { db, index, addHost, close } = await setup();
    await addHost('h1', 1);
    await index.reload();
    await repo.updateHost(db.kysely, 'h1', { enabled: 0 });
    await index.refresh(['h1']);
    assert.equal(index.view('h1')?.enabled, false);
    await addHost('h2', 1);
    await index.reload();
    assert.deepEqual([index.view('h1')?.enabled, index.view('h2')?.enabled], [false, true]);
    await close();
  });
});
