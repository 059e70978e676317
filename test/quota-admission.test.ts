/**
 * Quotas at admission, with a real engine behind the API, on each database: Zun's 403 through the real
 * `openstack` CLI with usage that agrees with reality; lend/borrow with a lender reclaiming what it lent
 * (a borrower's container stopped with a reason naming the lender, a `preempt` action, and started again
 * from the queue when capacity returns); share by weight; exclusive nested quotas.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { runCli, waitFor } from './helpers.js';
import {
  ZUN, addUser, deleteAllContainers, eachEngineDialect, engineSkipReason, startEngineServer, stopEngineServer, waitStatus, zunAs,
  type EngineServer, type TestUser,
} from './containers-fixture.js';

const skip = await engineSkipReason();
const TREE = `${ZUN}/os-berth/quota-tree`;

eachEngineDialect(skip, (dialect) => {
  let s: EngineServer;
  let admin = '';
  before(async () => {
    s = await startEngineServer(dialect, 'quota');
    admin = await s.adminToken();
  });
  after(async () => stopEngineServer(s));

  const call = async (method: string, path: string, body?: unknown, token = admin) => s.request(method, path, { token, body });
  const ok = async (method: string, path: string, body?: unknown, token = admin) => {
    const r = await call(method, path, body, token);
    assert.ok(r.status < 300, `${method} ${path} answered ${r.status}: ${r.text}`);
    return r.json;
  };
  const project = async (name: string, parent?: string): Promise<string> =>
    (await ok('POST', '/identity/v3/projects', { project: { name, domain_id: 'default', ...(parent ? { parent_id: parent } : {}) } })).project.id;
  const member = (user: string, projectName: string) => addUser(s, admin, { user, project: projectName, role: 'member' });
  const run = (u: TestUser, name: string, extra: Record<string, unknown> = {}) =>
    call('POST', `${ZUN}/containers?run=true`, { name, image: 'busybox', command: 'sleep 600', cpu: 1, memory: 64, ...extra }, u.token);
  const zun = (u: TestUser) => zunAs(s, u.token);

  it('Zun quota: the third container over a limit of 2 is refused by the openstack CLI with 403; usage agrees', async () => {
    const id = await project(`qa-${dialect.name}`);
    const alice = await member(`qa-alice-${dialect.name}`, `qa-${dialect.name}`);
    const env = s.openrcEnv();
    const upd = await runCli(['appcontainer', 'quota', 'update', '--containers', '2', '--cpu', '2', id], env);
    assert.equal(upd.code, 0, upd.stderr);
    for (const n of ['one', 'two']) {
      const r = await runCli(['appcontainer', 'run', '--name', n, 'busybox', 'sleep', '600'], alice.env);
      assert.equal(r.code, 0, r.stderr);
    }
    const third = await runCli(['appcontainer', 'run', '--name', 'three', 'busybox', 'sleep', '600'], alice.env);
    assert.notEqual(third.code, 0);
    assert.match(third.stderr, /Quota exceeded for resources: \['containers', 'cpu'\]/);
    assert.match(third.stderr, /403/);
    const get = await runCli(['appcontainer', 'quota', 'get', '--usages', id, '-f', 'json'], env);
    assert.equal(get.code, 0, get.stderr);
    const q = JSON.parse(get.stdout);
    assert.deepEqual(q.containers, { limit: 2, in_use: 2 });
    assert.equal(q.cpu.in_use, 2);
    // No half-created object: the refused one is nowhere.
    const list = await ok('GET', `${ZUN}/containers`, undefined, alice.token);
    assert.deepEqual(list.containers.map((c: any) => c.name).sort(), ['one', 'two']);
    // A delete gives the quota back exactly once; the next create fits again.
    await zun(alice)('DELETE', '/containers/one?force=True');
    await waitFor('quota to come back', async () => (await ok('GET', `${ZUN}/quotas/${id}?usages=true`)).containers.in_use === 1, 30_000, 100);
    assert.equal((await run(alice, 'four')).status, 202);
    const again = await run(alice, 'five');
    assert.equal(again.status, 403);
    assert.match(again.json.errors[0].detail, /Quota exceeded for resources: \['containers', 'cpu'\]/);
    // A resize over the cpu limit is refused the same way; within it, accepted.
    const resize = await call('PATCH', `${ZUN}/containers/four`, { cpu: 1.5 }, alice.token);
    assert.equal(resize.status, 403, resize.text);
    assert.match(resize.json.errors[0].detail, /cpu/);
  });

  it('lend/borrow: a lender reclaims its lent capacity; the borrower is queued and starts again when it returns', async () => {
    const parent = await project(`ql-${dialect.name}`);
    const a = await project(`ql-a-${dialect.name}`, parent);
    const b = await project(`ql-b-${dialect.name}`, parent);
    for (const p of [a, b]) await ok('PUT', `${TREE}/${p}`, { mode: 'lend', guarantee: { cpu: 2 } });
    const alice = await member(`ql-alice-${dialect.name}`, `ql-a-${dialect.name}`);
    const bob = await member(`ql-bob-${dialect.name}`, `ql-b-${dialect.name}`);
    const policy = { restart_policy: { Name: 'always', MaximumRetryCount: '0' } };
    for (let i = 0; i < 4; i++) {
      const r = await run(bob, `b${i}`, { ...policy, labels: { 'berth.priority': String(i === 3 ? 5 : 0) } });
      assert.equal(r.status, 202, r.text);
      await waitStatus(zun(bob), `b${i}`, ['Running']);
    }
    assert.equal((await run(bob, 'b4')).status, 403, 'the pool holds 4 cpu');
    const mine = await run(alice, 'a0');
    assert.equal(mine.status, 202, mine.text);
    await waitStatus(zun(alice), 'a0', ['Running']);
    // The most recently admitted of the lowest priority goes: b2 (b3 has priority 5).
    const victim = await waitStatus(zun(bob), 'b2', ['Stopped']);
    assert.match(victim.status_reason, new RegExp(`ql-a-${dialect.name}`));
    const actions = (await ok('GET', `${ZUN}/containers/b2/container_actions`, undefined, bob.token)).containerActions;
    assert.ok(actions.some((x: any) => x.action === 'preempt'), JSON.stringify(actions));
    for (const n of ['b0', 'b1', 'b3']) assert.equal((await ok('GET', `${ZUN}/containers/${n}`, undefined, bob.token)).status, 'Running');
    const tree = await ok('GET', `${TREE}?project=${parent}`);
    const entry = tree.projects.find((p: any) => p.id === b);
    assert.equal(entry.preempted, 1);
    assert.equal(entry.resources.cpu.in_use, 3);
    assert.equal(entry.resources.cpu.borrowed, 1);
    // a asks within its guarantee again: b borrows 1, so one more goes; a third ask is over a's limit.
    assert.equal((await run(alice, 'a1')).status, 202);
    await waitStatus(zun(bob), 'b1', ['Stopped']);
    const over = await run(alice, 'a2');
    assert.equal(over.status, 403, 'nothing left to reclaim: b is within its guarantee');
    // Capacity returns: the queue starts the borrower's containers again, oldest first.
    await zun(alice)('DELETE', '/containers/a1?force=True');
    await waitStatus(zun(bob), 'b2', ['Running'], 30_000);
    const back = await ok('GET', `${ZUN}/containers/b1`, undefined, bob.token);
    assert.equal(back.status, 'Stopped', 'only one fits');
    await deleteAllContainers(s);
  });

  it('share: children split the parent by weight, use idle shares, and get their share back', async () => {
    const parent = await project(`qs-${dialect.name}`);
    await ok('PUT', `${ZUN}/quotas/${parent}`, { cpu: 4 });
    const x = await project(`qs-x-${dialect.name}`, parent);
    const y = await project(`qs-y-${dialect.name}`, parent);
    for (const p of [x, y]) await ok('PUT', `${TREE}/${p}`, { mode: 'share', weight: 1 });
    const xu = await member(`qs-xu-${dialect.name}`, `qs-x-${dialect.name}`);
    const yu = await member(`qs-yu-${dialect.name}`, `qs-y-${dialect.name}`);
    for (let i = 0; i < 4; i++) assert.equal((await run(xu, `x${i}`)).status, 202, 'an idle share is usable');
    assert.equal((await run(xu, 'x4')).status, 403);
    assert.equal((await run(yu, 'y0')).status, 202);
    const stopped = await waitFor('one of x to be preempted', async () => {
      const l = await ok('GET', `${ZUN}/containers`, undefined, xu.token);
      return l.containers.find((c: any) => /qs-y-/.test(c.status_reason ?? ''));
    }, 30_000, 200);
    assert.ok(stopped);
    assert.equal((await run(yu, 'y1')).status, 202);
    const beyond = await run(yu, 'y2');
    assert.equal(beyond.status, 403, 'y is at its fair share; x is not over its own');
    await deleteAllContainers(s);
  });

  it('exclusive: a child is given part of its parent; more than the parent has is a 400', async () => {
    const parent = await project(`qe-${dialect.name}`);
    await ok('PUT', `${ZUN}/quotas/${parent}`, { cpu: 4 });
    const c1 = await project(`qe-1-${dialect.name}`, parent);
    const c2 = await project(`qe-2-${dialect.name}`, parent);
    await ok('PUT', `${ZUN}/quotas/${c1}`, { cpu: 3 });
    const r = await call('PUT', `${ZUN}/quotas/${c2}`, { cpu: 2 });
    assert.equal(r.status, 400, r.text);
    const pu = await member(`qe-pu-${dialect.name}`, `qe-${dialect.name}`);
    assert.equal((await run(pu, 'p0')).status, 202, 'the parent keeps 1');
    const more = await run(pu, 'p1');
    assert.equal(more.status, 403);
    assert.match(more.json.errors[0].detail, /cpu/);
    await deleteAllContainers(s);
  });
});
