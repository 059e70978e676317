/**
 * Quota admission under contention: 1,000 creates at once against a project's limit of 20 containers
 * admit exactly 20, on SQLite, on PostgreSQL, and on PostgreSQL with two servers sharing the database.
 * No host is registered, so each admitted create is stored in Error ("No valid host") — it still takes
 * quota, as in Zun — and the refused ones answer 403 and leave nothing behind. Deleting them all gives
 * every unit back exactly once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eachDialect, freshDatabase, memoryLog, startTestServer, type TestServer } from './helpers.js';
import { startSharedServers, type SharedServers } from './hosts-fixture.js';
import { addUser, ZUN } from './containers-fixture.js';

const CREATES = 1000;
const LIMIT = 20;

async function race(servers: TestServer[], label: string): Promise<void> {
  const s = servers[0];
  const admin = await s.adminToken();
  const u = await addUser(s, admin, { user: `race-${label}`, project: `race-${label}`, role: 'member' });
  const put = await s.request('PUT', `${ZUN}/quotas/${u.projectId}`, { token: admin, body: { containers: LIMIT } });
  assert.equal(put.status, 200, put.text);
  const answers = await Promise.all(Array.from({ length: CREATES }, (_, i) =>
    servers[i % servers.length].request('POST', `${ZUN}/containers?run=false`, { token: u.token, body: { name: `r${i}`, image: 'busybox', cpu: 0.1, memory: 64 } })));
  const by = new Map<number, number>();
  for (const a of answers) by.set(a.status, (by.get(a.status) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(by), { 202: LIMIT, 403: CREATES - LIMIT }, `answers: ${answers.find((a) => a.status !== 202 && a.status !== 403)?.text}`);
  for (const a of answers.filter((x) => x.status === 403)) assert.match(a.json.errors[0].detail, /Quota exceeded for resources: \['containers'\]/);
  const list = (await s.request('GET', `${ZUN}/containers?limit=2000`, { token: u.token })).json.containers;
  assert.equal(list.length, LIMIT, 'nothing half-created');
  const usage = (await s.request('GET', `${ZUN}/quotas/${u.projectId}?usages=true`, { token: admin })).json;
  assert.equal(usage.containers.in_use, LIMIT);
  assert.ok(Math.abs(usage.cpu.in_use - LIMIT * 0.1) < 1e-6, `cpu in use ${usage.cpu.in_use}`);
  const deletes = await Promise.all(list.map((c: any, i: number) => servers[i % servers.length].request('DELETE', `${ZUN}/containers/${c.uuid}`, { token: u.token })));
  assert.deepEqual(deletes.map((d) => d.status).filter((st) => st !== 204), []);
  const after = (await s.request('GET', `${ZUN}/quotas/${u.projectId}?usages=true`, { token: admin })).json;
  assert.deepEqual([after.containers.in_use, after.cpu.in_use, after.memory.in_use], [0, 0, 0], 'given back exactly once');
}

eachDialect((dialect) => {
  describe('one server', () => {
    let s: TestServer;
    before(async () => { s = await startTestServer(dialect, { BERTH_LOCAL_AGENT: 'false' }); });
    after(async () => s?.stop());
    it(`${CREATES} concurrent creates against a limit of ${LIMIT} admit exactly ${LIMIT}`, async () => race([s], `one-${dialect.name}`));
  });

  it('a restart finds usage rows that drifted from the containers, repairs them and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-drift-'));
    const db = await freshDatabase(dialect, dir);
    let s: TestServer | undefined;
    try {
      const env = { BERTH_DATABASE: db.url, BERTH_LOCAL_AGENT: 'false', BERTH_ADMIN_PASSWORD: 'drift-admin-pw' };
      s = await startTestServer(dialect, env);
      const admin = await s.adminToken();
      const u = await addUser(s, admin, { user: 'drift', project: 'drift', role: 'member' });
      for (const name of ['d1', 'd2']) {
        const r = await s.request('POST', `${ZUN}/containers?run=false`, { token: u.token, body: { name, image: 'busybox', cpu: 0.5, memory: 64 } });
        assert.equal(r.status, 202, r.text);
      }
      // As if a crash had lost a release and doubled a take.
      await s.server.db.kysely.updateTable('quota_usage').set({ containers: 7, cpu_milli: 100 }).where('scope', '=', u.projectId).execute();
      await s.stop();
      const capture = memoryLog('info');
      s = await startTestServer(dialect, env, { log: capture.log });
      assert.match(capture.text(), /quota usage did not match the containers; repaired/);
      const usage = (await s.request('GET', `${ZUN}/quotas/${u.projectId}?usages=true`, { token: await s.adminToken() })).json;
      assert.deepEqual([usage.containers.in_use, usage.cpu.in_use, usage.memory.in_use], [2, 1, 128]);
    } finally {
      await s?.stop();
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('two servers on one database', { skip: dialect.name === 'sqlite' ? 'several servers share a PostgreSQL database; SQLite is one server\'s' : false }, () => {
    let shared: SharedServers | undefined;
    before(async () => { shared = await startSharedServers(dialect, 2); });
    after(async () => shared?.stop());
    it(`${CREATES} concurrent creates over both servers admit exactly ${LIMIT}`, async () => race(shared!.servers, `two-${dialect.name}`));
  });
}, { timeout: 170_000 });
