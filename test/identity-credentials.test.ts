/**
 * Keystone's credentials API (issue 13), with the stock `openstack` CLI and over HTTP, on each database:
 * the blob is stored sealed (never as sent), ec2 credentials take their id from the access key, users
 * see and manage only their own.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, it } from 'node:test';
import { cliJson, eachDialect, passwordAuth, runCli, startTestServer, type TestServer } from './helpers.js';

const V3 = '/identity/v3';

eachDialect((dialect) => {
  let s: TestServer;
  let adminToken: string;
  let admin: Record<string, string>;
  const api = (method: string, path: string, body?: unknown, token = adminToken) => s.request(method, path, { token, body });

  before(async () => {
    s = await startTestServer(dialect);
    adminToken = await s.adminToken();
    admin = s.openrcEnv();
  });
  after(async () => {
    await s?.stop();
  });

  it('openstack credential create/list/show/set/delete', async () => {
    await cliJson(['user', 'create', '--password', 'cred-pass', 'creduser'], admin);
    const made = await cliJson(['credential', 'create', '--type', 'totp', 'creduser', 'seed-s3cret-value'], admin);
    assert.equal(made.blob, 'seed-s3cret-value');
    assert.equal(made.type, 'totp');
    const listed = await cliJson(['credential', 'list', '--user', 'creduser'], admin);
    assert.deepEqual(listed.map((c: { ID: string }) => c.ID), [made.id]);
    const set = await runCli(['credential', 'set', '--user', 'creduser', '--type', 'totp', '--data', 'new-seed-value', made.id], admin);
    assert.equal(set.code, 0, set.stderr);
    assert.equal((await cliJson(['credential', 'show', made.id], admin)).blob, 'new-seed-value');
    const del = await runCli(['credential', 'delete', made.id], admin);
    assert.equal(del.code, 0, del.stderr);
    assert.notEqual((await runCli(['credential', 'show', made.id], admin)).code, 0);
  });

  it('ec2 credentials: id from the access key, a project required, blob a JSON object with access; the blob is not stored in clear', async () => {
    const me = (await api('GET', `${V3}/users?name=admin`)).json.users[0].id;
    const project = (await api('GET', `${V3}/projects?name=admin`)).json.projects[0].id;
    const blob = JSON.stringify({ access: 'AKIA-test', secret: 'very-secret-ec2-key' });
    assert.equal((await api('POST', `${V3}/credentials`, { credential: { user_id: me, type: 'ec2', blob } })).status, 400, 'no project');
    assert.equal((await api('POST', `${V3}/credentials`, { credential: { user_id: me, type: 'ec2', project_id: project, blob: 'not json' } })).status, 400);
    assert.equal((await api('POST', `${V3}/credentials`, { credential: { user_id: me, type: 'ec2', project_id: project } })).status, 400, 'no blob');
    assert.equal((await api('POST', `${V3}/credentials`, { credential: { user_id: 'nope', type: 'totp', blob: 'x' } })).status, 400);
    const made = await api('POST', `${V3}/credentials`, { credential: { user_id: me, type: 'ec2', project_id: project, blob } });
    assert.equal(made.status, 201, made.text);
    assert.equal(made.json.credential.id, createHash('sha256').update('AKIA-test').digest('hex'));
    assert.equal(made.json.credential.blob, blob);
    assert.equal((await api('POST', `${V3}/credentials`, { credential: { user_id: me, type: 'ec2', project_id: project, blob } })).status, 409);
    const other = (await api('POST', `${V3}/projects`, { project: { name: 'cred-other' } })).json.project.id;
    const moved = await api('PATCH', `${V3}/credentials/${made.json.credential.id}`, { credential: { project_id: other } });
    assert.equal(moved.json.credential.project_id, other);
    assert.equal(moved.json.credential.blob, blob);
    assert.equal((await api('PATCH', `${V3}/credentials/${made.json.credential.id}`, { credential: { project_id: null } })).status, 400);
    // Deleting its project deletes the credential.
    assert.equal((await api('DELETE', `${V3}/projects/${other}`)).status, 204);
    assert.equal((await api('GET', `${V3}/credentials/${made.json.credential.id}`)).status, 404);
  });

  it('a user sees and manages only their own credentials', async () => {
    const project = (await api('POST', `${V3}/projects`, { project: { name: 'cred-own' } })).json.project.id;
    const ids: Record<string, string> = {};
    for (const name of ['cu1', 'cu2']) {
      ids[name] = (await api('POST', `${V3}/users`, { user: { name, password: `${name}-pass` } })).json.user.id;
      const member = (await api('GET', `${V3}/roles?name=member`)).json.roles[0].id;
      await api('PUT', `${V3}/projects/${project}/users/${ids[name]}/roles/${member}`);
    }
    const token = async (name: string) => (await s.request('POST', `${V3}/auth/tokens?nocatalog`, { body: passwordAuth(name, `${name}-pass`, 'cred-own') })).headers.get('x-subject-token') ?? '';
    const t1 = await token('cu1');
    const t2 = await token('cu2');
    const mine = await api('POST', `${V3}/credentials`, { credential: { user_id: ids.cu1, type: 'totp', blob: 'cu1-seed' } }, t1);
    assert.equal(mine.status, 201, mine.text);
    assert.equal((await api('POST', `${V3}/credentials`, { credential: { user_id: ids.cu1, type: 'totp', blob: 'x' } }, t2)).status, 403);
    assert.equal((await api('GET', `${V3}/credentials/${mine.json.credential.id}`, undefined, t2)).status, 403);
    assert.equal((await api('DELETE', `${V3}/credentials/${mine.json.credential.id}`, undefined, t2)).status, 403);
    assert.deepEqual((await api('GET', `${V3}/credentials`, undefined, t2)).json.credentials, []);
    assert.deepEqual((await api('GET', `${V3}/credentials`, undefined, t1)).json.credentials.map((c: { id: string }) => c.id), [mine.json.credential.id]);
    assert.equal((await api('DELETE', `${V3}/credentials/${mine.json.credential.id}`, undefined, t1)).status, 204);
  });
});
