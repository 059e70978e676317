/**
 * Keystone's application credential access rules (issue 13), with the stock `openstack` CLI and over
 * HTTP, on each database: rules are made with a credential and shared by later ones, listed, shown and
 * deleted once no credential uses them; a token from a credential with rules carries them and is good
 * only for the requests they allow. Also the user's password expiry in token bodies.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { cliJson, eachDialect, passwordAuth, runCli, startTestServer, type TestServer } from './helpers.js';

const V3 = '/identity/v3';

eachDialect((dialect) => {
  let s: TestServer;
  let adminToken: string;
  let userId: string;
  let userToken: string;
  const api = (method: string, path: string, body?: unknown, token = adminToken) => s.request(method, path, { token, body });
  const appCredAuth = (id: string, secret: string) => ({ auth: { identity: { methods: ['application_credential'], application_credential: { id, secret } } } });

  before(async () => {
    s = await startTestServer(dialect, { BERTH_PASSWORD_EXPIRES_DAYS: '30' });
    adminToken = await s.adminToken();
    const project = (await api('POST', `${V3}/projects`, { project: { name: 'ar-proj' } })).json.project.id;
    userId = (await api('POST', `${V3}/users`, { user: { name: 'aru', password: 'aru-pass' } })).json.user.id;
    const member = (await api('GET', `${V3}/roles?name=member`)).json.roles[0].id;
    assert.equal((await api('PUT', `${V3}/projects/${project}/users/${userId}/roles/${member}`)).status, 204);
    const t = await s.request('POST', `${V3}/auth/tokens?nocatalog`, { body: passwordAuth('aru', 'aru-pass', 'ar-proj') });
    assert.equal(t.status, 201, t.text);
    userToken = t.headers.get('x-subject-token') ?? '';
  });
  after(async () => {
    await s?.stop();
  });

  it('a token shows when its user\'s password expires', async () => {
    const t = await s.request('POST', `${V3}/auth/tokens?nocatalog`, { body: passwordAuth('aru', 'aru-pass', 'ar-proj') });
    const at = t.json.token.user.password_expires_at as string;
    assert.match(at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    const days = (Date.parse(`${at}Z`) - Date.now()) / 86_400_000;
    assert.ok(days > 29.9 && days <= 30, `expires in ${days} days`);
    const shown = await api('GET', `${V3}/users/${userId}`);
    assert.equal(shown.json.user.password_expires_at, at);
  });

  it('rules are made, shared, enforced, and deleted once unused', async () => {
    const rules = [
      { service: 'identity', method: 'GET', path: `/v3/users/*/access_rules` },
      { service: 'compute', method: 'GET', path: '/v2.1/servers/*/ips' },
    ];
    const made = await api('POST', `${V3}/users/${userId}/application_credentials`, { application_credential: { name: 'ar1', access_rules: rules } }, userToken);
    assert.equal(made.status, 201, made.text);
    const ac = made.json.application_credential;
    assert.deepEqual(ac.access_rules.map(({ id: _id, ...r }: { id: string }) => r), rules);

    // The same rule again is the same rule; a bad one is a 400.
    const again = await api('POST', `${V3}/users/${userId}/application_credentials`, { application_credential: { name: 'ar2', access_rules: [rules[1]] } }, userToken);
    assert.equal(again.status, 201, again.text);
    assert.equal(again.json.application_credential.access_rules[0].id, ac.access_rules[1].id);
    const bad = await api('POST', `${V3}/users/${userId}/application_credentials`,
      { application_credential: { name: 'ar3', access_rules: [{ service: 'compute', method: 'FETCH', path: '/x' }] } }, userToken);
    assert.equal(bad.status, 400, bad.text);

    const listed = await api('GET', `${V3}/users/${userId}/access_rules`, undefined, userToken);
    assert.equal(listed.status, 200, listed.text);
    const byPath = (a: { path: string }, b: { path: string }) => a.path.localeCompare(b.path);
    assert.deepEqual(listed.json.access_rules.map(({ id, service, method, path }: Record<string, string>) => ({ id, service, method, path })).sort(byPath),
      [...ac.access_rules].sort(byPath));
    const one = await api('GET', `${V3}/users/${userId}/access_rules/${ac.access_rules[0].id}`, undefined, userToken);
    assert.equal(one.json.access_rule.path, rules[0].path);
    assert.equal((await api('GET', `${V3}/users/${userId}/access_rules?service=compute`, undefined, userToken)).json.access_rules.length, 1);

    // A token from the credential carries its rules and is good only for what they allow.
    const t = await s.request('POST', `${V3}/auth/tokens?nocatalog`, { body: appCredAuth(ac.id, ac.secret) });
    assert.equal(t.status, 201, t.text);
    assert.equal(t.json.token.application_credential.access_rules.length, 2);
    const acToken = t.headers.get('x-subject-token') ?? '';
    assert.equal((await api('GET', `${V3}/users/${userId}/access_rules`, undefined, acToken)).status, 200);
    const refused = await api('GET', `${V3}/users/${userId}/application_credentials`, undefined, acToken);
    assert.equal(refused.status, 401, refused.text);
    assert.match(refused.json.error.message, /access rules/);
    assert.equal((await api('GET', '/image/v2/images', undefined, acToken)).status, 401);

    // In use: 403; once its credentials are gone the user deletes it.
    const inUse = await api('DELETE', `${V3}/users/${userId}/access_rules/${ac.access_rules[1].id}`, undefined, userToken);
    assert.equal(inUse.status, 403, inUse.text);
    for (const c of [ac.id, again.json.application_credential.id])
      assert.equal((await api('DELETE', `${V3}/users/${userId}/application_credentials/${c}`, undefined, userToken)).status, 204);
    assert.equal((await api('GET', `${V3}/users/${userId}/access_rules`, undefined, userToken)).json.access_rules.length, 2);
    for (const r of ac.access_rules)
      assert.equal((await api('DELETE', `${V3}/users/${userId}/access_rules/${r.id}`, undefined, userToken)).status, 204);
    assert.equal((await api('GET', `${V3}/users/${userId}/access_rules`, undefined, userToken)).json.access_rules.length, 0);
    assert.equal((await api('GET', `${V3}/users/${userId}/access_rules/${ac.access_rules[0].id}`, undefined, userToken)).status, 404);
  });

  it('openstack application credential create --access-rules, then openstack access rule list/show/delete', async () => {
    const env: Record<string, string> = { ...s.openrcEnv(), OS_USERNAME: 'aru', OS_PASSWORD: 'aru-pass', OS_PROJECT_NAME: 'ar-proj' };
    const rule = { service: 'image', method: 'GET', path: '/v2/images' };
    const made = await cliJson(['application', 'credential', 'create', 'ar-cli', '--access-rules', JSON.stringify([rule])], env);
    assert.equal(typeof made.secret, 'string');
    const listed = await cliJson(['access', 'rule', 'list'], env);
    assert.deepEqual(listed.map((r: { Service: string; Method: string; Path: string }) => [r.Service, r.Method, r.Path]), [['image', 'GET', '/v2/images']]);
    const acEnv = {
      OS_AUTH_URL: env.OS_AUTH_URL, OS_AUTH_TYPE: 'v3applicationcredential', OS_IDENTITY_API_VERSION: '3',
      OS_APPLICATION_CREDENTIAL_ID: made.id, OS_APPLICATION_CREDENTIAL_SECRET: made.secret,
    };
    const images = await runCli(['image', 'list'], acEnv);
    assert.equal(images.code, 0, images.stderr);
    assert.notEqual((await runCli(['project', 'list'], acEnv)).code, 0);
    assert.equal((await runCli(['application', 'credential', 'delete', 'ar-cli'], env)).code, 0);
    const del = await runCli(['access', 'rule', 'delete', listed[0].ID], env);
    assert.equal(del.code, 0, del.stderr);
  });
});
