/**
 * The quota API without containers, on each database: Zun's quota and quota class routes through HTTP
 * and the real `openstack appcontainer quota` CLI, Berth's quota tree through HTTP and `berth quota`,
 * who may read and change what, and every kind of bad input answered with a 4xx in Zun's error format.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { cliJson, eachDialect, runCli, startTestServer, type TestServer } from './helpers.js';
import { addUser, assertZunError, ZUN, type TestUser } from './containers-fixture.js';
import { ROOT, run } from './hosts-fixture.js';

const TREE = `${ZUN}/os-berth/quota-tree`;
const DEFAULTS = { containers: 40, cpu: 20, memory: 51200, disk: 100 };

eachDialect((dialect) => {
  let s: TestServer;
  let admin = '';
  let alice: TestUser;
  let team = '';
  let other = '';
  before(async () => {
    s = await startTestServer(dialect);
    admin = await s.adminToken();
    alice = await addUser(s, admin, { user: 'qh-alice', project: 'qh-team', role: 'member' });
    team = alice.projectId;
    const r = await s.request('POST', '/identity/v3/projects', { token: admin, body: { project: { name: 'qh-other', domain_id: 'default' } } });
    other = r.json.project.id;
  });
  after(async () => s?.stop());

  const call = (method: string, path: string, body?: unknown, token = admin) => s.request(method, path, { token, body });
  const berth = (args: string[], env: Record<string, string>) => run('node', [`${ROOT}/bin/berth.js`, 'quota', ...args], { ...process.env, ...env });

  it('a project without settings has the defaults; PUT takes numbers, numeric text and -1; DELETE resets', async () => {
    assert.deepEqual((await call('GET', `${ZUN}/quotas/${other}`)).json, DEFAULTS);
    assert.deepEqual((await call('GET', `${ZUN}/quotas/${other}/defaults`)).json, DEFAULTS);
    const put = await call('PUT', `${ZUN}/quotas/${other}`, { containers: '5', cpu: 2.5, memory: -1 });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.json, { containers: 5, cpu: 2.5, memory: -1, disk: 100 });
    const usages = await call('GET', `${ZUN}/quotas/${other}?usages=true`);
    assert.deepEqual(usages.json, {
      containers: { limit: 5, in_use: 0 }, cpu: { limit: 2.5, in_use: 0 }, memory: { limit: -1, in_use: 0 }, disk: { limit: 100, in_use: 0 },
    });
    assert.equal((await call('DELETE', `${ZUN}/quotas/${other}`)).status, 202);
    assert.deepEqual((await call('GET', `${ZUN}/quotas/${other}`)).json, DEFAULTS);
  });

  it('bad input is a 400 in Zun\'s format and changes nothing', async () => {
    const cases: [string, string, unknown, RegExp][] = [
      ['PUT', `/quotas/${other}`, { gpus: 1 }, /gpus/],
      ['PUT', `/quotas/${other}`, { cpu: 'lots' }, /cpu/],
      ['PUT', `/quotas/${other}`, { cpu: -2 }, /negative/],
      ['PUT', `/quotas/${other}`, { containers: 1.5 }, /whole/],
      ['PUT', `/quotas/${other}`, [1, 2], /./],
      ['PUT', `/quota_classes/default`, { memory: 'x' }, /memory/],
      ['GET', `/quotas/${other}?usages=maybe`, undefined, /./],
      ['PUT', `/os-berth/quota-tree/${other}`, { mode: 'burst' }, /mode/],
      ['PUT', `/os-berth/quota-tree/${other}`, { weight: 0 }, /weight/],
      ['PUT', `/os-berth/quota-tree/${other}`, { mode: 'share' }, /share/],
      ['PUT', `/os-berth/quota-tree/${other}`, { guarantee: { cpu: -5 } }, /negative/],
      ['PUT', `/os-berth/quota-tree/${other}`, { mode: 'lend', guarantee: { cpu: -1 } }, /lend mode/],
      ['PUT', `/os-berth/quota-tree/${other}`, { burst: true }, /./],
      ['PUT', `/os-berth/quota-tree/${other}`, { priority: 1.5 }, /./],
    ];
    for (const [method, path, body, detail] of cases) assertZunError(await call(method, `${ZUN}${path}`, body), 400, detail, `${method} ${path} ${JSON.stringify(body)}`);
    assert.deepEqual((await call('GET', `${ZUN}/quotas/${other}`)).json, DEFAULTS);
    assertZunError(await call('GET', `${ZUN}/quotas/no-such-project`), 404, /no-such-project/);
    assertZunError(await call('PUT', `${ZUN}/os-berth/quota-tree/no-such-project`, { weight: 2 }), 404, /no-such-project/);
    assertZunError(await call('GET', `${ZUN}/quotas/${other}`, undefined, 'not-a-token'), 401);
  });

  it('members read their own quota only; only an admin changes quotas', async () => {
    assert.equal((await call('GET', `${ZUN}/quotas/${team}?usages=true`, undefined, alice.token)).status, 200);
    assertZunError(await call('GET', `${ZUN}/quotas/${other}`, undefined, alice.token), 403, /container:quota:get/);
    assertZunError(await call('PUT', `${ZUN}/quotas/${team}`, { cpu: 100 }, alice.token), 403, /container:quota:update/);
    assertZunError(await call('DELETE', `${ZUN}/quotas/${team}`, undefined, alice.token), 403, /container:quota:delete/);
    assertZunError(await call('PUT', `${ZUN}/quota_classes/default`, { cpu: 100 }, alice.token), 403, /container:quota_class:update/);
    assertZunError(await call('PUT', `${TREE}/${team}`, { weight: 5 }, alice.token), 403, /container:quota_tree:update/);
    assertZunError(await call('GET', `${TREE}?project=${other}`, undefined, alice.token), 403, /container:quota_tree:get/);
    const mine = await call('GET', TREE, undefined, alice.token);
    assert.equal(mine.status, 200, mine.text);
    assert.deepEqual(mine.json.projects.map((p: any) => p.id), [team]);
  });

  it('quota classes: the default class changes what projects without settings get', async () => {
    assert.deepEqual((await call('GET', `${ZUN}/quota_classes/default`, undefined, alice.token)).json, DEFAULTS);
    const put = await call('PUT', `${ZUN}/quota_classes/default`, { containers: 12 });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.json, { ...DEFAULTS, containers: 12 });
    assert.equal((await call('GET', `${ZUN}/quotas/${other}`)).json.containers, 12);
    assert.equal((await call('GET', `${ZUN}/quota_classes/gold`)).json.containers, 12, 'another class starts from the default one');
    await call('PUT', `${ZUN}/quota_classes/default`, { containers: 40 });
  });

  it('the quota tree: modes, guarantees and limits per project, through HTTP and `berth quota`', async () => {
    const mk = async (name: string, parent: string) =>
      (await call('POST', '/identity/v3/projects', { project: { name, domain_id: 'default', parent_id: parent } })).json.project.id;
    const a = await mk('qh-a', other);
    const b = await mk('qh-b', other);
    await call('PUT', `${ZUN}/quotas/${other}`, { cpu: 10 });
    const set = await call('PUT', `${TREE}/${a}`, { mode: 'lend', guarantee: { cpu: 4 }, borrow_limit: { cpu: 2 }, priority: 3 });
    assert.equal(set.status, 200, set.text);
    assert.equal(set.json.mode, 'lend');
    assert.equal(set.json.priority, 3);
    assert.deepEqual(set.json.guarantee, { cpu: 4 });
    assert.equal(set.json.resources.cpu.guarantee, 4);

    const env = s.openrcEnv();
    const cli = await berth(['set', 'qh-b', '--mode', 'lend', '--guarantee', 'cpu=4', '-f', 'json'], env);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(JSON.parse(cli.stdout).id, b);
    const tree = await call('GET', `${TREE}?project=${other}`);
    assert.deepEqual(tree.json.projects.map((p: any) => [p.name, p.depth, p.mode]), [['qh-other', 0, 'exclusive'], ['qh-a', 1, 'lend'], ['qh-b', 1, 'lend']]);
    const ra = tree.json.projects[1].resources.cpu;
    assert.equal(ra.limit, 6, 'a: its guarantee of 4 + a borrow limit of 2');
    assert.equal(tree.json.projects[0].resources.cpu.limit, 2, 'the parent keeps 10 − 4 − 4');
    const table = await berth(['tree', 'qh-other'], env);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /PROJECT\s+MODE\s+RESOURCE\s+GUARANTEE\s+LIMIT/);
    assert.match(table.stdout, /\n\s+qh-a\s+lend\s+containers/);
    // A guarantee the parent cannot give is refused by the CLI with the server's reason.
    const tooBig = await berth(['set', 'qh-b', '--guarantee', 'cpu=7'], env);
    assert.equal(tooBig.code, 1);
    assert.match(tooBig.stderr, /qh-other/);
    const usage = await berth(['set', 'qh-b', '--guarantee', 'cpu=lots'], env);
    assert.equal(usage.code, 2, usage.stderr);
    const nothing = await berth(['set', 'qh-b'], env);
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /nothing to change/);
  });

  it('the openstack CLI: quota update, get --usages, default, delete and quota class', async () => {
    const env = s.openrcEnv();
    const upd = await cliJson(['appcontainer', 'quota', 'update', '--containers', '7', '--cpu', '3', '--memory', '-1', team], env);
    assert.equal(upd.containers, 7);
    assert.equal(upd.memory, -1);
    const got = await cliJson(['appcontainer', 'quota', 'get', '--usages', team], env);
    assert.deepEqual(got.cpu, { limit: 3, in_use: 0 });
    assert.deepEqual(await cliJson(['appcontainer', 'quota', 'default', team], env), DEFAULTS);
    const del = await runCli(['appcontainer', 'quota', 'delete', team], env);
    assert.equal(del.code, 0, del.stderr);
    assert.deepEqual(await cliJson(['appcontainer', 'quota', 'get', team], env), DEFAULTS);
    const cls = await cliJson(['appcontainer', 'quota', 'class', 'update', '--disk', '80', 'silver'], env);
    assert.equal(cls.disk, 80);
    assert.equal((await cliJson(['appcontainer', 'quota', 'class', 'get', 'silver'], env)).disk, 80);
    const bad = await runCli(['appcontainer', 'quota', 'update', '--cpu', 'many', team], env);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /400/);
    const denied = await runCli(['appcontainer', 'quota', 'update', '--cpu', '99', team], alice.env);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /403/);
  });
});
