/**
 * The identity service driven by the stock `openstack` CLI (python3-openstackclient), as a new user
 * would after `source <data dir>/openrc`: the "Done when" flow and the identity commands around
 * it, on each database. Steps run in order and build on each other.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { cliJson, eachDialect, passwordAuth, runCli, startTestServer, type TestServer } from './helpers.js';

eachDialect((dialect) => {
  let s: TestServer;
  let admin: Record<string, string>;
  let alice: Record<string, string>;
  const ids: Record<string, string> = {};

  const ok = async (args: string[], env = admin) => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, `openstack ${args.join(' ')} failed: ${r.stderr}`);
    return r;
  };
  const fails = async (args: string[], env = admin) => {
    const r = await runCli(args, env);
    assert.notEqual(r.code, 0, `openstack ${args.join(' ')} should fail; printed ${r.stdout}`);
    return r;
  };
  /** Whether a token is still accepted, asked of the API directly. */
  const tokenStatus = async (token: string) =>
    (await s.request('GET', '/identity/v3/auth/tokens', { token, headers: { 'X-Subject-Token': token } })).status;

  let adminToken: string;
  /** An API call as the bootstrap admin, for checks that need not cost a CLI run. */
  const api = (method: string, path: string, body?: unknown) => s.request(method, path, { token: adminToken, body });
  const login = (user: string, password: string, project: string) =>
    s.request('POST', '/identity/v3/auth/tokens', { body: passwordAuth(user, password, project) });
  const roleId = async (name: string) => (await api('GET', `/identity/v3/roles?name=${name}`)).json.roles[0].id as string;

  before(async () => {
    s = await startTestServer(dialect);
    adminToken = await s.adminToken();
    admin = s.openrcEnv();
    alice = { ...admin, OS_USERNAME: 'alice', OS_PASSWORD: 's3cret', OS_PROJECT_NAME: 'team-a' };
  });
  after(async () => {
    await s?.stop();
  });

  it('the openrc file names the server and the bootstrap admin', () => {
    assert.equal(admin.OS_AUTH_URL, `${s.url}/identity/v3`);
    assert.equal(admin.OS_USERNAME, 'admin');
    assert.equal(admin.OS_PASSWORD, s.adminPassword);
    assert.equal(admin.OS_PROJECT_NAME, 'admin');
    assert.equal(admin.OS_USER_DOMAIN_NAME, 'Default');
    assert.equal(admin.OS_PROJECT_DOMAIN_NAME, 'Default');
    assert.equal(admin.OS_IDENTITY_API_VERSION, '3');
    assert.equal(admin.OS_REGION_NAME, 'RegionOne');
  });

  it('token issue', async () => {
    const t = await cliJson(['token', 'issue'], admin);
    assert.match(t.id, /^\S{43,}$/);
    assert.match(t.project_id, /^[0-9a-f]{32}$/);
    assert.match(t.user_id, /^[0-9a-f]{32}$/);
    const expires = Date.parse(t.expires.replace(/\+0000$/, 'Z'));
    assert.ok(expires > Date.now() + 50 * 60_000 && expires < Date.now() + 61 * 60_000, `expires ${t.expires} is about an hour away`);
    assert.equal(await tokenStatus(t.id), 200);
    ids.admin = t.user_id;
    ids.adminProject = t.project_id;
  });

  it('catalog, service, endpoint, region and domain listings', async () => {
    const [catalog, services, endpoints, regions, domains, domain] = await Promise.all([
      cliJson(['catalog', 'list'], admin),
      cliJson(['service', 'list'], admin),
      cliJson(['endpoint', 'list'], admin),
      cliJson(['region', 'list'], admin),
      cliJson(['domain', 'list'], admin),
      cliJson(['domain', 'show', 'default'], admin),
    ]);
    const byType = new Map<string, any>(catalog.map((c: any) => [c.Type, c]));
    for (const [type, path] of [['identity', '/identity/v3'], ['container', '/container/v1']]) {
      const entry = byType.get(type);
      assert.ok(entry, `catalog has a ${type} entry`);
      assert.deepEqual(entry.Endpoints.map((e: any) => e.interface).sort(), ['admin', 'internal', 'public']);
      for (const e of entry.Endpoints) {
        assert.equal(e.url, s.url + path);
        assert.equal(e.region, 'RegionOne');
      }
    }
    assert.deepEqual(services.map((x: any) => x.Type).sort(), [...byType.keys()].sort());
    assert.equal(endpoints.length, 3 * services.length);
    for (const e of endpoints) assert.ok(e.URL.startsWith(s.url + '/'), e.URL);
    assert.deepEqual(regions.map((r: any) => r.Region), ['RegionOne']);
    assert.deepEqual(domains.map((d: any) => [d.ID, d.Name, d.Enabled]), [['default', 'Default', true]]);
    assert.equal(domain.name, 'Default');
    assert.equal(domain.enabled, true);
  });

  it('project create, create --parent, show --parents/--children, list', async () => {
    const a = await cliJson(['project', 'create', 'team-a'], admin);
    assert.equal(a.name, 'team-a');
    assert.equal(a.parent_id, 'default');
    assert.equal(a.enabled, true);
    const dev = await cliJson(['project', 'create', '--parent', 'team-a', 'team-a-dev'], admin);
    assert.equal(dev.parent_id, a.id);
    assert.equal(dev.domain_id, 'default');
    ids.teamA = a.id;
    ids.teamADev = dev.id;

    const [shownDev, shownA, list] = await Promise.all([
      cliJson(['project', 'show', '--parents', 'team-a-dev'], admin),
      cliJson(['project', 'show', '--children', 'team-a'], admin),
      cliJson(['project', 'list'], admin),
    ]);
    assert.equal(shownDev.id, dev.id);
    assert.deepEqual(shownDev.parents, { [a.id]: null });
    assert.deepEqual(shownA.subtree, { [dev.id]: null });
    assert.deepEqual(list.map((p: any) => p.Name).sort(), ['admin', 'service', 'team-a', 'team-a-dev']);

    // The list forms, which the CLI does not ask for.
    const token = await s.adminToken();
    const parents = await s.request('GET', `/identity/v3/projects/${dev.id}?parents_as_list`, { token });
    assert.equal(parents.status, 200);
    assert.deepEqual(parents.json.project.parents.map((p: any) => p.project.id), [a.id]);
    const subtree = await s.request('GET', `/identity/v3/projects/${a.id}?subtree_as_list`, { token });
    assert.deepEqual(subtree.json.project.subtree.map((p: any) => p.project.id), [dev.id]);
  });

  it('project set --disable / --enable', async () => {
    await ok(['project', 'set', '--disable', 'team-a-dev']);
    assert.equal((await api('GET', `/identity/v3/projects/${ids.teamADev}`)).json.project.enabled, false);
    await ok(['project', 'set', '--enable', '--description', 'development', 'team-a-dev']);
    const shown = (await api('GET', `/identity/v3/projects/${ids.teamADev}`)).json.project;
    assert.equal(shown.enabled, true);
    assert.equal(shown.description, 'development');
  });

  it('domain set --disable, then domain delete takes its projects with it', async () => {
    await ok(['domain', 'create', 'dom-gone']);
    await ok(['project', 'create', '--domain', 'dom-gone', 'in-dom-gone']);
    const enabled = await fails(['domain', 'delete', 'dom-gone']);
    assert.match(enabled.stderr, /please disable it first.*\(HTTP 403\)/);
    await ok(['domain', 'set', '--disable', 'dom-gone']);
    await ok(['domain', 'delete', 'dom-gone']);
    const domains = (await api('GET', '/identity/v3/domains?name=dom-gone')).json.domains;
    assert.deepEqual(domains, []);
    assert.deepEqual((await api('GET', '/identity/v3/projects?name=in-dom-gone')).json.projects, []);
  });

  it('project delete refuses a project with children', async () => {
    const r = await fails(['project', 'delete', 'team-a']);
    assert.match(r.stderr, /Cannot delete project [0-9a-f]{32}: it has child projects.*\(HTTP 403\)/);
    assert.match(r.stderr, /1 of 1 projects failed to delete/);
    assert.equal((await api('GET', `/identity/v3/projects/${ids.teamA}`)).status, 200);
  });

  it('user create, role add, and the new user logs in', async () => {
    const u = await cliJson(['user', 'create', '--project', 'team-a', '--password', 's3cret', 'alice'], admin);
    assert.equal(u.name, 'alice');
    assert.equal(u.default_project_id, ids.teamA);
    assert.equal(u.enabled, true);
    assert.equal(u.password, undefined);
    ids.alice = u.id;
    await ok(['role', 'add', '--user', 'alice', '--project', 'team-a', 'member']);
    const t = await cliJson(['token', 'issue'], alice);
    assert.equal(t.user_id, ids.alice);
    assert.equal(t.project_id, ids.teamA);
    assert.equal(await tokenStatus(t.id), 200);
    ids.aliceToken = t.id;
  });

  it('a wrong password fails with HTTP 401', async () => {
    // The line: the openrc's project admin, alice's name, a wrong password.
    const r = await fails(['token', 'issue'], { ...admin, OS_USERNAME: 'alice', OS_PASSWORD: 'wrong' });
    assert.match(r.stderr, /The request you have made requires authentication\. \(HTTP 401\)/);
    assert.equal((await login('alice', 'wrong', 'team-a')).status, 401);
  });

  it('role assignment list with filters and names', async () => {
    const list = await cliJson(['role', 'assignment', 'list', '--user', 'alice', '--project', 'team-a', '--names'], admin);
    assert.deepEqual(list.map((a: any) => [a.Role, a.User, a.Project]), [['member', 'alice@Default', 'team-a@Default']]);
  });

  it('role remove revokes the tokens that role granted', async () => {
    await ok(['role', 'remove', '--user', 'alice', '--project', 'team-a', 'member']);
    assert.equal(await tokenStatus(ids.aliceToken), 401);
    const left = await api('GET', `/identity/v3/role_assignments?user.id=${ids.alice}`);
    assert.deepEqual(left.json.role_assignments, []);
    assert.equal((await login('alice', 's3cret', 'team-a')).status, 401);
  });

  it('user set --password revokes the old tokens; the new password works', async () => {
    assert.equal((await api('PUT', `/identity/v3/projects/${ids.teamA}/users/${ids.alice}/roles/${await roleId('member')}`)).status, 204);
    const old = await s.token('alice', 's3cret', 'team-a');
    assert.equal(await tokenStatus(old), 200);
    await ok(['user', 'set', '--password', 'n3w-secret', 'alice']);
    assert.equal(await tokenStatus(old), 401);
    assert.equal((await login('alice', 's3cret', 'team-a')).status, 401);
    const t = await cliJson(['token', 'issue'], { ...alice, OS_PASSWORD: 'n3w-secret' });
    assert.equal(t.user_id, ids.alice);
    ids.aliceToken = t.id;
  });

  it('user set --disable revokes tokens and refuses login', async () => {
    await ok(['user', 'set', '--disable', 'alice']);
    assert.equal(await tokenStatus(ids.aliceToken), 401);
    assert.equal((await api('GET', `/identity/v3/users/${ids.alice}`)).json.user.enabled, false);
    assert.equal((await login('alice', 'n3w-secret', 'team-a')).status, 401);
    assert.equal((await api('PATCH', `/identity/v3/users/${ids.alice}`, { user: { enabled: true } })).status, 200);
    assert.equal((await login('alice', 'n3w-secret', 'team-a')).status, 201);
  });

  it('role create / delete', async () => {
    const r = await cliJson(['role', 'create', 'viewer'], admin);
    assert.equal(r.name, 'viewer');
    const names = async () => (await api('GET', '/identity/v3/roles')).json.roles.map((x: any) => x.name).sort();
    assert.deepEqual(await names(), ['admin', 'member', 'reader', 'viewer']);
    await ok(['role', 'delete', 'viewer']);
    assert.deepEqual(await names(), ['admin', 'member', 'reader']);
  });

  it('user delete, then the projects, leaf first', async () => {
    await ok(['user', 'delete', 'alice']);
    assert.equal((await api('GET', `/identity/v3/users/${ids.alice}`)).status, 404);
    await ok(['project', 'delete', 'team-a-dev', 'team-a']);
    const list = (await api('GET', '/identity/v3/projects')).json.projects;
    assert.deepEqual(list.map((p: any) => p.name).sort(), ['admin', 'service']);
  });

  it('a call without a token is 401 with a Keystone error body', async () => {
    const r = await s.request('GET', '/identity/v3/projects');
    assert.equal(r.status, 401);
    assert.equal(r.headers.get('www-authenticate'), `Keystone uri="${s.url}/identity/v3"`);
    assert.deepEqual(r.json, { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } });
  });
}, { timeout: 240_000 });
