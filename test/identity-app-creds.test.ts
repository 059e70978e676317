/**
 * Keystone's application credentials (issue 13), with the stock `openstack` CLI and over HTTP, on each
 * database: made from a project-scoped token, a token from one carries only its roles, a restricted
 * one cannot make more, deleting or expiring it ends its tokens.
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
  const appCredAuth = (id: string, secret: string) => ({ auth: { identity: { methods: ['application_credential'], application_credential: { id, secret } } } });

  before(async () => {
    s = await startTestServer(dialect);
    adminToken = await s.adminToken();
    admin = s.openrcEnv();
  });
  after(async () => {
    await s?.stop();
  });

  it('openstack application credential create, then a token from it with OS_AUTH_TYPE=v3applicationcredential', async () => {
    const made = await cliJson(['application', 'credential', 'create', 'ci-bot'], admin);
    assert.equal(typeof made.secret, 'string');
    assert.ok(made.secret.length >= 32);
    const listed = await cliJson(['application', 'credential', 'list'], admin);
    assert.deepEqual(listed.map((c: { Name: string }) => c.Name), ['ci-bot']);
    const shown = await cliJson(['application', 'credential', 'show', 'ci-bot'], admin);
    assert.equal(shown.secret, undefined, 'the secret is shown once');

    const env = {
      OS_AUTH_URL: admin.OS_AUTH_URL, OS_AUTH_TYPE: 'v3applicationcredential', OS_IDENTITY_API_VERSION: '3',
      OS_APPLICATION_CREDENTIAL_ID: made.id, OS_APPLICATION_CREDENTIAL_SECRET: made.secret,
    };
    const issued = await cliJson(['token', 'issue'], env);
    const project = (await api('GET', `${V3}/projects?name=admin`)).json.projects[0].id;
    assert.equal(issued.project_id, project);
    const wrong = await runCli(['token', 'issue'], { ...env, OS_APPLICATION_CREDENTIAL_SECRET: 'wrong-secret' });
    assert.notEqual(wrong.code, 0);

    const del = await runCli(['application', 'credential', 'delete', 'ci-bot'], admin);
    assert.equal(del.code, 0, del.stderr);
    assert.notEqual((await runCli(['token', 'issue'], env)).code, 0);
  });

  it('roles, restriction, expiry and the end of its tokens', async () => {
    const project = (await api('POST', `${V3}/projects`, { project: { name: 'ac-proj' } })).json.project.id;
    const user = (await api('POST', `${V3}/users`, { user: { name: 'acu', password: 'acu-pass' } })).json.user.id;
    const roleId = async (name: string) => (await api('GET', `${V3}/roles?name=${name}`)).json.roles[0].id;
    const [member, reader] = [await roleId('member'), await roleId('reader')];
    await api('PUT', `${V3}/projects/${project}/users/${user}/roles/${member}`);
    await api('PUT', `${V3}/projects/${project}/users/${user}/roles/${reader}`);
    const t = await s.request('POST', `${V3}/auth/tokens?nocatalog`, { body: passwordAuth('acu', 'acu-pass', 'ac-proj') });
    const userToken = t.headers.get('x-subject-token') ?? '';
    const base = `${V3}/users/${user}/application_credentials`;

    assert.equal((await api('POST', base, { application_credential: { name: 'x', roles: [{ name: 'admin' }] } }, userToken)).status, 404, 'a role the token lacks');
    assert.equal((await api('POST', base, { application_credential: { name: 'x', expires_at: '2001-01-01T00:00:00' } }, userToken)).status, 400);
    assert.equal((await api('POST', base, { application_credential: { name: 'x', expires_at: 'soon' } }, userToken)).status, 400);
    assert.equal((await api('POST', base, { application_credential: {} }, userToken)).status, 400);
    assert.equal((await api('POST', base, { application_credential: { name: 'x' } })).status, 403, 'not even an admin makes one for another user');

    const expires = new Date(Date.now() + 3600_000).toISOString().replace('Z', '');
    const made = await api('POST', base, { application_credential: { name: 'reader-only', roles: [{ id: reader }], expires_at: expires } }, userToken);
    assert.equal(made.status, 201, made.text);
    assert.equal(made.json.application_credential.expires_at, expires);
    assert.deepEqual(made.json.application_credential.roles.map((r: { name: string }) => r.name), ['reader']);
    assert.equal((await api('POST', base, { application_credential: { name: 'reader-only' } }, userToken)).status, 409);
    const { id, secret } = made.json.application_credential;

    const fromCred = await s.request('POST', `${V3}/auth/tokens?nocatalog`, { body: appCredAuth(id, secret) });
    assert.equal(fromCred.status, 201, fromCred.text);
    assert.deepEqual(fromCred.json.token.roles.map((r: { name: string }) => r.name), ['reader']);
    assert.deepEqual(fromCred.json.token.methods, ['application_credential']);
    assert.equal(fromCred.json.token.application_credential.restricted, true);
    assert.ok(Date.parse(fromCred.json.token.expires_at) <= Date.parse(`${expires}Z`) + 1, 'the token ends no later than the credential');
    const credToken = fromCred.headers.get('x-subject-token') ?? '';
    assert.equal((await api('POST', base, { application_credential: { name: 'more' } }, credToken)).status, 403, 'restricted');
    assert.equal((await api('GET', `${base}/${id}`, undefined, credToken)).json.application_credential.secret, undefined);

    // Losing the role ends it; deleting it ends its tokens.
    assert.equal((await api('DELETE', `${V3}/projects/${project}/users/${user}/roles/${reader}`)).status, 204);
    assert.equal((await s.request('POST', `${V3}/auth/tokens?nocatalog`, { body: appCredAuth(id, secret) })).status, 401);
    await api('PUT', `${V3}/projects/${project}/users/${user}/roles/${reader}`);
    // Revoking the grant also revoked the user's own tokens on the project: take a new one.
    const fresh = await s.request('POST', `${V3}/auth/tokens?nocatalog`, { body: passwordAuth('acu', 'acu-pass', 'ac-proj') });
    const freshToken = fresh.headers.get('x-subject-token') ?? '';
    const again = await s.request('POST', `${V3}/auth/tokens?nocatalog`, { body: appCredAuth(id, secret) });
    assert.equal(again.status, 201);
    const againToken = again.headers.get('x-subject-token') ?? '';
    assert.equal((await api('GET', `${V3}/users/${user}`, undefined, againToken)).status, 200);
    assert.equal((await api('DELETE', `${base}/${id}`, undefined, freshToken)).status, 204);
    assert.equal((await api('GET', `${V3}/users/${user}`, undefined, againToken)).status, 401);
    assert.equal((await s.request('POST', `${V3}/auth/tokens?nocatalog`, { body: appCredAuth(id, secret) })).status, 401);
    assert.equal((await api('GET', `${base}/${id}`, undefined, freshToken)).status, 404);
  });
});
