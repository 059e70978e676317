/**
 * The images hosts hold, in the store of each database: a full report replaces a host's rows (keeping
 * the Glance image recorded for a reference the report does not name one for), a partial one adds, the
 * scheduler's lookup finds holders by any reference, and a removed host takes its rows with it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { Database } from '../src/store/db.js';
import { deleteEmptyHost, insertHost } from '../src/store/container-repo.js';
import { hostsHoldingImage, listHostImages } from '../src/store/host-image-repo.js';
import { recordHostImages } from '../src/server/host-images.js';
import { eachDialect, freshDatabase } from './helpers.js';

eachDialect((dialect) => {
  let dir: string;
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let db: Database;
  const refs = async (hostId: string) => (await listHostImages(db.kysely, hostId)).map((r) => [r.image_ref, r.glance_image_id, Number(r.size)]);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-host-images-'));
    fresh = await freshDatabase(dialect, dir);
    db = Database.open(fresh.url);
    await db.migrate();
    const now = new Date().toISOString();
    for (const id of ['h1', 'h2']) {
      await insertHost(db.kysely, {
        id, name: id, zone: 'nova', enabled: 1, forced_down: 0, disabled_reason: null, cpus: 1, memory_mb: 1024, disk_gb: 1,
        max_containers: 1, labels: '{}', runtimes: '[]', engine_version: '', os: '', credential_hash: null, last_seen_at: null, created_at: now, updated_at: now,
      });
    }
  });
  after(async () => {
    await db?.close();
    await fresh?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('full reports replace, partial ones add, Glance ids stay', async () => {
    await recordHostImages(db, 'h1', [{ id: 'sha256:a', tags: ['a:1'], size: 10, glanceImageId: 'g-a' }, { id: 'sha256:b', tags: [], size: 20 }], true);
    await recordHostImages(db, 'h2', [{ id: 'sha256:a', tags: [], size: 10 }], true);
    assert.deepEqual(await refs('h1'), [['a:1', 'g-a', 10], ['sha256:a', 'g-a', 10], ['sha256:b', null, 20]]);

    // After an agent restart its list names no Glance image: the recorded one stays; b was removed.
    await recordHostImages(db, 'h1', [{ id: 'sha256:a', tags: ['a:1'], size: 11 }, { id: 'sha256:c', tags: [], size: 30 }], true);
    assert.deepEqual(await refs('h1'), [['a:1', 'g-a', 11], ['sha256:a', 'g-a', 11], ['sha256:c', null, 30]]);

    await recordHostImages(db, 'h1', [{ id: 'sha256:d', tags: ['d:1'], size: 40, glanceImageId: 'g-d' }], false);
    assert.deepEqual((await refs('h1')).map(([r]) => r), ['a:1', 'd:1', 'sha256:a', 'sha256:c', 'sha256:d']);

    assert.deepEqual((await hostsHoldingImage(db.kysely, 'sha256:a')).sort(), ['h1', 'h2']);
    assert.deepEqual(await hostsHoldingImage(db.kysely, 'd:1'), ['h1']);
    assert.deepEqual(await hostsHoldingImage(db.kysely, 'sha256:b'), []);
  });

  it('a full report of hundreds of images, then of none', async () => {
    const many = Array.from({ length: 600 }, (_, i) => ({ id: `sha256:m${i}`, tags: [`m:${i}`], size: i }));
    await recordHostImages(db, 'h2', many, true);
    assert.equal((await listHostImages(db.kysely, 'h2')).length, 1200);
    await recordHostImages(db, 'h2', [], true);
    assert.deepEqual(await refs('h2'), []);
  });

  it('a removed host takes its rows with it', async () => {
    await deleteEmptyHost(db.kysely, 'h1');
    assert.deepEqual(await refs('h1'), []);
  });
});
