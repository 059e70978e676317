/**
 * Keystone's implied roles, domain-specific roles and system role assignments (issue 13), over HTTP
 * and with the stock `openstack` CLI, on each database: implied roles count in tokens and in effective
 * assignment listings; domain-specific roles only through what they imply.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { cliJson, eachDialect, passwordAuth, runCli, startTestServer, type TestServer } from './helpers.js';

const V3 = '/identity/v3';

eachDialect((dialect) => {
  let s: TestServer;
  let adminToken: string;
  let admin: Record<string, string>;
  const api = (method: string, path: string, body?: unknown, token = adminToken) => s.request(method, path, { token, body });
  const names = (roles: { name: string }[]) => roles.map((r) => r.name).sort();

  before(async () => {
    s = await startTestServer(dialect);
    adminToken = await s.adminToken();
    admin = s.openrcEnv();
  });
  after(async () => {
    await s?.stop();
  });

  it('implied roles with the CLI: create, list, tokens and effective assignments follow the chain, delete', async () => {
    for (const r of ['lead', 'dev', 'viewer']) await cliJson(['role', 'create', r], admin);
    const made = await runCli(['implied', 'role', 'create', 'lead', '--implied-role', 'dev'], admin);
    assert.equal(made.code, 0, made.stderr);
    await cliJson(['implied', 'role', 'create', 'dev', '--implied-role', 'viewer'], admin);
    const listed = await cliJson(['implied', 'role', 'list'], admin);
    assert.equal(listed.length, 2, JSON.stringify(listed));

    await cliJson(['project', 'create', 'impl-proj'], admin);
    await cliJson(['user', 'create', '--password', 'ann-pass', 'ann'], admin);
    const added = await runCli(['role', 'add', '--user', 'ann', '--project', 'impl-proj', 'lead'], admin);
    assert.equal(added.code, 0, added.stderr);
    const t = await s.request('POST', `${V3}/auth/tokens?nocatalog`, { body: passwordAuth('ann', 'ann-pass', 'impl-proj') });
    assert.equal(t.status, 201, t.text);
    assert.deepEqual(names(t.json.token.roles), ['dev', 'lead', 'viewer']);

    const ann = (await api('GET', `${V3}/users?name=ann`)).json.users[0].id;
    const eff = (await api('GET', `${V3}/role_assignments?effective&user.id=${ann}&include_names`)).json.role_assignments;
    assert.deepEqual(names(eff.map((a: { role: { name: string } }) => a.role)), ['dev', 'lead', 'viewer']);
    const viaLead = eff.find((a: { role: { name: string } }) => a.role.name === 'viewer');
    assert.match(viaLead.links.prior_role, /\/roles\/[0-9a-f]{32}$/);

    const rm = await runCli(['implied', 'role', 'delete', 'dev', '--implied-role', 'viewer'], admin);
    assert.equal(rm.code, 0, rm.stderr);
    const t2 = await s.request('POST', `${V3}/auth/tokens?nocatalog`, { body: passwordAuth('ann', 'ann-pass', 'impl-proj') });
    assert.deepEqual(names(t2.json.token.roles), ['dev', 'lead']);
  });

  it('implied role rules over HTTP: show, check, list per prior role, refusals, 404s', async () => {
    const mk = async (name: string, domain_id?: string) => (await api('POST', `${V3}/roles`, { role: { name, domain_id } })).json.role;
    const a = await mk('ra');
    const b = await mk('rb');
    const adminRole = (await api('GET', `${V3}/roles?name=admin`)).json.roles[0];
    const rule = `${V3}/roles/${a.id}/implies/${b.id}`;
    assert.equal((await api('HEAD', rule)).status, 404);
    const put = await api('PUT', rule);
    assert.equal(put.status, 201, put.text);
    assert.deepEqual([put.json.role_inference.prior_role.name, put.json.role_inference.implies.name], ['ra', 'rb']);
    assert.equal((await api('HEAD', rule)).status, 204);
    assert.equal((await api('GET', rule)).json.role_inference.implies.id, b.id);
    assert.deepEqual((await api('GET', `${V3}/roles/${a.id}/implies`)).json.role_inference.implies.map((r: { id: string }) => r.id), [b.id]);
    assert.equal((await api('PUT', `${V3}/roles/${a.id}/implies/${a.id}`)).status, 400, 'a role does not imply itself');
    assert.equal((await api('PUT', `${V3}/roles/${a.id}/implies/${adminRole.id}`)).status, 403, 'admin is never implied');
    assert.equal((await api('PUT', `${V3}/roles/${a.id}/implies/nope`)).status, 404);
    assert.equal((await api('PUT', `${V3}/roles/${a.id}/implies/${b.id}`, undefined, 'not-a-token')).status, 401);
    assert.equal((await api('DELETE', rule)).status, 204);
    assert.equal((await api('DELETE', rule)).status, 404);
    assert.equal((await api('GET', rule)).json.error.code, 404);
  });

  it('domain-specific roles: listed per domain, same name in two domains, effective only through what they imply', async () => {
    const d1 = (await api('POST', `${V3}/domains`, { domain: { name: 'dr-1' } })).json.domain.id;
    const d2 = (await api('POST', `${V3}/domains`, { domain: { name: 'dr-2' } })).json.domain.id;
    const r1 = await api('POST', `${V3}/roles`, { role: { name: 'ops', domain_id: d1 } });
    assert.equal(r1.status, 201, r1.text);
    assert.equal(r1.json.role.domain_id, d1);
    assert.equal(r1.json.role.name, 'ops');
    assert.equal((await api('POST', `${V3}/roles`, { role: { name: 'ops', domain_id: d2 } })).status, 201);
    assert.equal((await api('POST', `${V3}/roles`, { role: { name: 'ops', domain_id: d1 } })).status, 409);
    assert.equal((await api('POST', `${V3}/roles`, { role: { name: 'ops', domain_id: 'nope' } })).status, 404);
    assert.deepEqual((await api('GET', `${V3}/roles?domain_id=${d1}`)).json.roles, [r1.json.role]);
    assert.ok(!(await api('GET', `${V3}/roles`)).json.roles.some((r: { name: string }) => r.name === 'ops'), 'global listing has no domain roles');
    assert.equal((await api('PATCH', `${V3}/roles/${r1.json.role.id}`, { role: { name: 'ops2' } })).json.role.name, 'ops2');

    // A grant of the domain role gives nothing itself; a rule from it to a global role gives that role.
    const p = (await api('POST', `${V3}/projects`, { project: { name: 'dr-proj', domain_id: d1 } })).json.project.id;
    const u = (await api('POST', `${V3}/users`, { user: { name: 'dru', password: 'dru-pass', domain_id: d1 } })).json.user.id;
    assert.equal((await api('PUT', `${V3}/projects/${p}/users/${u}/roles/${r1.json.role.id}`)).status, 204);
    assert.deepEqual((await api('GET', `${V3}/role_assignments?effective&user.id=${u}`)).json.role_assignments, []);
    const member = (await api('GET', `${V3}/roles?name=member`)).json.roles[0].id;
    assert.equal((await api('PUT', `${V3}/roles/${member}/implies/${r1.json.role.id}`)).status, 403, 'a global role cannot imply a domain role');
    assert.equal((await api('PUT', `${V3}/roles/${r1.json.role.id}/implies/${member}`)).status, 201);
    const eff = (await api('GET', `${V3}/role_assignments?effective&user.id=${u}`)).json.role_assignments;
    assert.deepEqual(eff.map((a: { role: { id: string } }) => a.role.id), [member]);
    const auth = { auth: { identity: { methods: ['password'], password: { user: { id: u, password: 'dru-pass' } } }, scope: { project: { id: p } } } };
    const t = await s.request('POST', `${V3}/auth/tokens?nocatalog`, { body: auth });
    assert.equal(t.status, 201, t.text);
    assert.deepEqual(names(t.json.token.roles), ['member']);

    // Deleting the domain (disabled first) takes its roles, projects and users with it.
    assert.equal((await api('DELETE', `${V3}/domains/${d1}`)).status, 403, 'enabled');
    assert.equal((await api('PATCH', `${V3}/domains/${d1}`, { domain: { enabled: false } })).status, 200);
    assert.equal((await api('DELETE', `${V3}/domains/${d1}`)).status, 204);
    for (const path of [`roles/${r1.json.role.id}`, `projects/${p}`, `users/${u}`, `domains/${d1}`])
      assert.equal((await api('GET', `${V3}/${path}`)).status, 404, path);
  });

  it('system role assignments for users and groups', async () => {
    const u = (await api('POST', `${V3}/users`, { user: { name: 'sysu' } })).json.user.id;
    const g = (await api('POST', `${V3}/groups`, { group: { name: 'sysg' } })).json.group.id;
    const reader = (await api('GET', `${V3}/roles?name=reader`)).json.roles[0].id;
    for (const actor of [`users/${u}`, `groups/${g}`]) {
      const grant = `${V3}/system/${actor}/roles/${reader}`;
      assert.equal((await api('HEAD', grant)).status, 404);
      assert.equal((await api('PUT', grant)).status, 204);
      assert.equal((await api('HEAD', grant)).status, 204);
      assert.deepEqual((await api('GET', `${V3}/system/${actor}/roles`)).json.roles.map((r: { id: string }) => r.id), [reader]);
      assert.equal((await api('PUT', `${V3}/system/${actor}/roles/nope`)).status, 404);
    }
    const listed = (await api('GET', `${V3}/role_assignments?scope.system=all&user.id=${u}`)).json.role_assignments;
    assert.deepEqual(listed.map((a: { user: { id: string }; scope: unknown }) => [a.user.id, a.scope]), [[u, { system: { all: true } }]]);
    assert.equal((await api('DELETE', `${V3}/system/users/${u}/roles/${reader}`)).status, 204);
    assert.equal((await api('DELETE', `${V3}/system/users/${u}/roles/${reader}`)).status, 404);
    assert.equal((await api('DELETE', `${V3}/groups/${g}`)).status, 204);
    assert.equal((await api('GET', `${V3}/role_assignments?scope.system=all`)).json.role_assignments.length, 0);
  });

  it('a project acting as a domain is a domain', async () => {
    const made = await api('POST', `${V3}/projects`, { project: { name: 'dom-as-proj', is_domain: true } });
    assert.equal(made.status, 201, made.text);
    assert.deepEqual([made.json.project.is_domain, made.json.project.domain_id, made.json.project.parent_id], [true, null, null]);
    const id = made.json.project.id;
    assert.ok((await api('GET', `${V3}/projects?is_domain=true`)).json.projects.some((p: { id: string }) => p.id === id));
    assert.ok(!(await api('GET', `${V3}/projects`)).json.projects.some((p: { id: string }) => p.id === id));
    assert.equal((await api('GET', `${V3}/domains/${id}`)).json.domain.name, 'dom-as-proj');
    assert.equal((await api('POST', `${V3}/projects`, { project: { name: 'x', is_domain: true, parent_id: id } })).status, 400);
    assert.equal((await api('PATCH', `${V3}/projects/${id}`, { project: { enabled: false } })).json.project.enabled, false);
    assert.equal((await api('DELETE', `${V3}/projects/${id}`)).status, 204);
    assert.equal((await api('GET', `${V3}/domains/${id}`)).status, 404);
  });
});
