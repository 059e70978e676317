/**
 * Keystone's security compliance, turned on: lockout after five wrong passwords, password history,
 * minimum password age, a password pattern and password expiry, through the stock `openstack` CLI and
 * the API, on each database.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { eachDialect, passwordAuth, runCli, startTestServer, type TestServer } from './helpers.js';

const DESCRIPTION = 'at least 8 characters';

eachDialect((dialect) => {
  let s: TestServer;
  let adminToken: string;
  const ids: Record<string, string> = {};
  const api = (method: string, path: string, body?: unknown, token = adminToken) => s.request(method, path, { token, body });
  const login = (user: string, password: string) => s.request('POST', '/identity/v3/auth/tokens', { body: passwordAuth(user, password, 'team') });
  const envOf = (user: string, password: string) => ({ ...s.openrcEnv(), OS_USERNAME: user, OS_PASSWORD: password, OS_PROJECT_NAME: 'team' });
  const changeOwn = async (user: string, from: string, to: string) => {
    const token = login(user, from).then((r) => r.headers.get('x-subject-token')!);
    return api('POST', `/identity/v3/users/${ids[user]}/password`, { user: { original_password: from, password: to } }, await token);
  };

  before(async () => {
    s = await startTestServer(dialect, {
      BERTH_LOCKOUT_FAILURE_ATTEMPTS: '5', BERTH_LOCKOUT_DURATION: '3600', BERTH_UNIQUE_LAST_PASSWORD_COUNT: '2',
      BERTH_MINIMUM_PASSWORD_AGE: '1', BERTH_PASSWORD_EXPIRES_DAYS: '30',
      BERTH_PASSWORD_REGEX: '.{8,}', BERTH_PASSWORD_REGEX_DESCRIPTION: DESCRIPTION,
    });
    adminToken = await s.adminToken();
    const project = await api('POST', '/identity/v3/projects', { project: { name: 'team', domain_id: 'default' } });
    assert.equal(project.status, 201, project.text);
    const member = (await api('GET', '/identity/v3/roles?name=member')).json.roles[0].id as string;
    for (const name of ['alice', 'bob']) {
      const u = await api('POST', '/identity/v3/users', { user: { name, password: `${name}-pass-0`, domain_id: 'default' } });
      assert.equal(u.status, 201, u.text);
      ids[name] = u.json.user.id;
      assert.equal((await api('PUT', `/identity/v3/projects/${project.json.project.id}/users/${ids[name]}/roles/${member}`)).status, 204);
    }
  });
  after(async () => {
    await s?.stop();
  });

  it('a password that does not match the pattern is a 400 on create, update and change', async () => {
    const want = `The password does not meet the requirements: ${DESCRIPTION}.`;
    const created = await api('POST', '/identity/v3/users', { user: { name: 'short', password: 'short', domain_id: 'default' } });
    assert.equal(created.status, 400);
    assert.equal(created.json.error.message, want);
    assert.equal((await api('GET', '/identity/v3/users?name=short')).json.users.length, 0);
    const updated = await api('PATCH', `/identity/v3/users/${ids.bob}`, { user: { password: 'short' } });
    assert.equal(updated.status, 400);
    assert.equal(updated.json.error.message, want);
    const changed = await changeOwn('bob', 'bob-pass-0', 'short');
    assert.equal(changed.status, 400);
    assert.equal(changed.json.error.message, want);
  });

  it('users show when their password expires', async () => {
    const u = (await api('GET', `/identity/v3/users/${ids.bob}`)).json.user;
    const days = (Date.parse(`${u.password_expires_at}Z`) - Date.now()) / 86_400_000;
    assert.ok(days > 29 && days <= 30, `password_expires_at ${u.password_expires_at}`);
  });

  it('openstack user password set: not to a recent password, then not again before the minimum age', async () => {
    const same = await changeOwn('bob', 'bob-pass-0', 'bob-pass-0');
    assert.equal(same.status, 400);
    assert.equal(same.json.error.message,
      'The new password cannot be identical to a previous password. The total number which includes the new password must be unique is 2.');
    const ok = await runCli(['user', 'password', 'set', '--original-password', 'bob-pass-0', '--password', 'bob-pass-1'], envOf('bob', 'bob-pass-0'));
    assert.equal(ok.code, 0, ok.stderr);
    const young = await runCli(['user', 'password', 'set', '--original-password', 'bob-pass-1', '--password', 'bob-pass-2'], envOf('bob', 'bob-pass-1'));
    assert.notEqual(young.code, 0);
    assert.match(young.stderr, /You cannot change your password at this time due to the minimum password age\. .*must be used for 1 day\(s\)/);
    // An administrator's reset is bound by neither rule, and lifts the minimum age.
    assert.equal((await api('PATCH', `/identity/v3/users/${ids.bob}`, { user: { password: 'bob-pass-1' } })).status, 200);
    assert.equal((await changeOwn('bob', 'bob-pass-1', 'bob-pass-1')).status, 400, 'the current password is one of the last two');
    assert.equal((await changeOwn('bob', 'bob-pass-1', 'bob-pass-3')).status, 204);
    assert.equal((await login('bob', 'bob-pass-3')).status, 201);
  });

  it('openstack token issue: five wrong passwords lock the account, even for the right one, until re-enabled', async () => {
    assert.equal((await login('alice', 'alice-pass-0')).status, 201);
    for (let i = 0; i < 5; i++) {
      const r = await runCli(['token', 'issue'], envOf('alice', 'wrong-password'));
      assert.notEqual(r.code, 0);
      assert.doesNotMatch(r.stderr, /locked/, `attempt ${i + 1}`);
    }
    const locked = await runCli(['token', 'issue'], envOf('alice', 'alice-pass-0'));
    assert.notEqual(locked.code, 0);
    assert.match(locked.stderr, new RegExp(`The account is locked for user: ${ids.alice}\\.`));
    const direct = await login('alice', 'alice-pass-0');
    assert.equal(direct.status, 401);
    assert.equal(direct.json.error.message, `The account is locked for user: ${ids.alice}.`);
    assert.equal((await login('bob', 'bob-pass-3')).status, 201, 'other users are not locked');
    assert.equal((await api('PATCH', `/identity/v3/users/${ids.alice}`, { user: { enabled: true } })).status, 200);
    assert.equal((await login('alice', 'alice-pass-0')).status, 201);
  });
});
