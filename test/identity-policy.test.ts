/**
 * Who may do what on the identity API (admin, member, reader, and an operator's policy file), how
 * secrets are kept (scrypt password hashes, SHA-256 token hashes, nothing secret in the log), and what
 * concurrent writers leave behind, on each database.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { eachDialect, memoryLog, passwordAuth, startTestServer, type HttpAnswer, type RequestOptions, type TestServer } from './helpers.js';

const V3 = '/identity/v3';

/** A call only an admin may make: `rule` names the policy rule in the 403 others get. */
interface Row {
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  rule: string;
  /** What the admin gets; undefined: not tried as admin (it would need a secret or break later rows). */
  admin?: number;
}

const adminOnly: Row[] = [
  { method: 'POST', path: `${V3}/projects`, body: { project: { name: 'made-by-{who}' } }, rule: 'identity:create_project', admin: 201 },
  { method: 'GET', path: `${V3}/projects/{adminProject}`, rule: 'identity:get_project', admin: 200 },
  { method: 'PATCH', path: `${V3}/projects/{teamA}`, body: { project: { description: 'changed' } }, rule: 'identity:update_project', admin: 200 },
  { method: 'DELETE', path: `${V3}/projects/{scratchProject}`, rule: 'identity:delete_project', admin: 204 },
  { method: 'GET', path: `${V3}/users`, rule: 'identity:list_users', admin: 200 },
  { method: 'POST', path: `${V3}/users`, body: { user: { name: 'made-by-{who}' } }, rule: 'identity:create_user', admin: 201 },
  { method: 'GET', path: `${V3}/users/{adminUser}`, rule: 'identity:get_user', admin: 200 },
  { method: 'PATCH', path: `${V3}/users/{adminUser}`, body: { user: { description: 'changed' } }, rule: 'identity:update_user', admin: 200 },
  { method: 'PATCH', path: `${V3}/users/{self}`, body: { user: { enabled: false } }, rule: 'identity:update_user' },
  { method: 'DELETE', path: `${V3}/users/{scratchUser}`, rule: 'identity:delete_user', admin: 204 },
  { method: 'GET', path: `${V3}/users/{adminUser}/projects`, rule: 'identity:list_user_projects', admin: 200 },
  { method: 'GET', path: `${V3}/roles`, rule: 'identity:list_roles', admin: 200 },
  { method: 'POST', path: `${V3}/roles`, body: { role: { name: 'made-by-{who}' } }, rule: 'identity:create_role', admin: 201 },
  { method: 'GET', path: `${V3}/roles/{memberRole}`, rule: 'identity:get_role', admin: 200 },
  { method: 'PATCH', path: `${V3}/roles/{memberRole}`, body: { role: { description: 'changed' } }, rule: 'identity:update_role', admin: 200 },
  { method: 'DELETE', path: `${V3}/roles/{scratchRole}`, rule: 'identity:delete_role', admin: 204 },
  { method: 'GET', path: `${V3}/role_assignments`, rule: 'identity:list_role_assignments', admin: 200 },
  { method: 'PUT', path: `${V3}/projects/{teamA}/users/{self}/roles/{adminRole}`, rule: 'identity:create_grant' },
  { method: 'PUT', path: `${V3}/projects/{teamA}/users/{alice}/roles/{readerRole}`, rule: 'identity:create_grant', admin: 204 },
  { method: 'GET', path: `${V3}/projects/{teamA}/users/{alice}/roles/{memberRole}`, rule: 'identity:check_grant', admin: 204 },
  { method: 'HEAD', path: `${V3}/projects/{teamA}/users/{alice}/roles/{memberRole}`, rule: 'identity:check_grant', admin: 204 },
  { method: 'GET', path: `${V3}/projects/{teamA}/users/{alice}/roles`, rule: 'identity:list_grants', admin: 200 },
  { method: 'DELETE', path: `${V3}/projects/{teamA}/users/{alice}/roles/{readerRole}`, rule: 'identity:revoke_grant', admin: 204 },
  { method: 'GET', path: `${V3}/domains`, rule: 'identity:list_domains', admin: 200 },
  { method: 'POST', path: `${V3}/domains`, body: { domain: { name: 'made-by-{who}' } }, rule: 'identity:create_domain', admin: 201 },
  { method: 'GET', path: `${V3}/domains/{scratchDomain}`, rule: 'identity:get_domain', admin: 200 },
  { method: 'GET', path: `${V3}/projects`, rule: 'identity:list_projects', admin: 200 },
  { method: 'PUT', path: `${V3}/projects/{teamA}/tags/t-{who}`, body: {}, rule: 'identity:create_project_tag', admin: 201 },
  { method: 'DELETE', path: `${V3}/projects/{teamA}/tags/t-{who}`, rule: 'identity:delete_project_tag', admin: 204 },
  { method: 'PUT', path: `${V3}/projects/{teamA}/tags`, body: { tags: ['x'] }, rule: 'identity:update_project_tags', admin: 200 },
  { method: 'DELETE', path: `${V3}/projects/{teamA}/tags`, rule: 'identity:delete_project_tags', admin: 204 },
  { method: 'PATCH', path: `${V3}/domains/default`, body: { domain: { description: 'changed' } }, rule: 'identity:update_domain', admin: 200 },
  { method: 'DELETE', path: `${V3}/domains/{scratchDomain}`, rule: 'identity:delete_domain', admin: 204 },
  { method: 'PUT', path: `${V3}/domains/default/users/{alice}/roles/{readerRole}`, rule: 'identity:create_grant', admin: 204 },
  { method: 'DELETE', path: `${V3}/domains/default/users/{alice}/roles/{readerRole}`, rule: 'identity:revoke_grant', admin: 204 },
  // Admins may add catalog entries; Berth's own ({serviceId}, {endpointId}, RegionOne) stay protected (403).
  ...Object.entries({
    service: { type: 'x-policy-test' },
    endpoint: { service_id: '{serviceId}', interface: 'internal', url: 'http://127.0.0.1:9/x' },
    region: { description: 'policy test' },
  }).flatMap(([k, made]): Row[] => [
    { method: 'GET', path: `${V3}/${k}s`, rule: `identity:list_${k}s`, admin: 200 },
    { method: 'GET', path: `${V3}/${k}s/{${k}Id}`, rule: `identity:get_${k}`, admin: 200 },
    { method: 'POST', path: `${V3}/${k}s`, body: { [k]: made }, rule: `identity:create_${k}`, admin: 201 },
    { method: 'PATCH', path: `${V3}/${k}s/{${k}Id}`, body: { [k]: { description: 'changed' } }, rule: `identity:update_${k}`, admin: 403 },
    { method: 'DELETE', path: `${V3}/${k}s/{${k}Id}`, rule: `identity:delete_${k}`, admin: 403 },
  ]),
  { method: 'GET', path: `${V3}/auth/tokens`, headers: { 'X-Subject-Token': '{adminToken}' }, rule: 'identity:validate_token', admin: 200 },
  { method: 'HEAD', path: `${V3}/auth/tokens`, headers: { 'X-Subject-Token': '{adminToken}' }, rule: 'identity:validate_token', admin: 200 },
  { method: 'DELETE', path: `${V3}/auth/tokens`, headers: { 'X-Subject-Token': '{adminToken}' }, rule: 'identity:revoke_token' },
];

/** Counts answers by status, e.g. {201: 1, 409: 49}. */
const tally = (rs: HttpAnswer[]) => rs.reduce<Record<number, number>>((m, r) => ({ ...m, [r.status]: (m[r.status] ?? 0) + 1 }), {});

eachDialect((dialect) => {
  describe('roles and rules', () => {
    let s: TestServer;
    const f: Record<string, string> = {};
    const fill = (t: string) => t.replace(/\{(\w+)\}/g, (m, k: string) => f[k] ?? m);
    const fillDeep = (v: unknown): unknown =>
      typeof v === 'string' ? fill(v) : Array.isArray(v) ? v.map(fillDeep) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fillDeep(x)])) : v;
    const call = async (method: string, path: string, opts: RequestOptions = {}) => {
      const r = await s.request(method, path, opts);
      assert.ok(r.status < 500, `${method} ${path}: ${r.status} ${r.text}`);
      return r;
    };
    const admin = (method: string, path: string, body?: unknown) => call(method, path, { token: f.adminToken, body });

    before(async () => {
      s = await startTestServer(dialect);
      f.adminToken = await s.adminToken();
      const me = (await call('GET', `${V3}/auth/tokens`, { token: f.adminToken, headers: { 'X-Subject-Token': f.adminToken } })).json.token;
      f.adminUser = me.user.id;
      f.adminProject = me.project.id;
      for (const r of (await admin('GET', `${V3}/roles`)).json.roles) f[`${r.name}Role`] = r.id;
      for (const k of ['service', 'endpoint']) f[`${k}Id`] = (await admin('GET', `${V3}/${k}s`)).json[`${k}s`][0].id;
      f.regionId = 'RegionOne';
      f.teamA = (await admin('POST', `${V3}/projects`, { project: { name: 'team-a' } })).json.project.id;
      f.scratchProject = (await admin('POST', `${V3}/projects`, { project: { name: 'scratch' } })).json.project.id;
      f.scratchUser = (await admin('POST', `${V3}/users`, { user: { name: 'scratch' } })).json.user.id;
      f.scratchRole = (await admin('POST', `${V3}/roles`, { role: { name: 'scratch' } })).json.role.id;
      f.scratchDomain = (await admin('POST', `${V3}/domains`, { domain: { name: 'scratch', enabled: false } })).json.domain.id;
      for (const [name, role] of [['alice', 'member'], ['rita', 'reader']]) {
        f[name] = (await admin('POST', `${V3}/users`, { user: { name, password: `${name}-pw`, default_project_id: f.teamA } })).json.user.id;
        assert.equal((await admin('PUT', `${V3}/projects/${f.teamA}/users/${f[name]}/roles/${f[`${role}Role`]}`)).status, 204);
        f[`${name}Token`] = await s.token(name, `${name}-pw`, 'team-a');
      }
    });
    after(async () => {
      await s?.stop();
    });

    for (const who of ['alice', 'rita'] as const) {
      it(`${who === 'alice' ? 'a member' : 'a reader'} is refused every admin call, with the rule's name`, async () => {
        f.who = who;
        f.self = f[who];
        for (const row of adminOnly) {
          const what = `${row.method} ${row.path} as ${who}`;
          const r = await call(row.method, fill(row.path), { token: f[`${who}Token`], body: fillDeep(row.body), headers: fillDeep(row.headers) as Record<string, string> });
          assert.equal(r.status, 403, `${what}: ${r.text}`);
          if (row.method !== 'HEAD') {
            assert.deepEqual(r.json, { error: { code: 403, title: 'Forbidden', message: `You are not authorized to perform the requested action: ${row.rule}.` } }, what);
          }
        }
        // Nothing the refused calls named was changed.
        assert.equal((await admin('GET', `${V3}/projects/${f.scratchProject}`)).status, 200);
        assert.equal((await admin('GET', `${V3}/users/${f.scratchUser}`)).json.user.enabled, true);
        assert.equal((await admin('GET', `${V3}/users/${f[who]}`)).json.user.enabled, true);
        assert.equal((await admin('GET', `${V3}/projects/${f.teamA}`)).json.project.description, '');
        assert.equal((await call('GET', `${V3}/auth/tokens`, { token: f.adminToken, headers: { 'X-Subject-Token': f.adminToken } })).status, 200);
      });
    }

    it('the admin may make every one of those calls', async () => {
      f.who = 'admin';
      for (const row of adminOnly) {
        if (row.admin === undefined) continue;
        const r = await call(row.method, fill(row.path), { token: f.adminToken, body: fillDeep(row.body), headers: fillDeep(row.headers) as Record<string, string> });
        assert.equal(r.status, row.admin, `${row.method} ${row.path} as admin: ${r.text}`);
      }
    });

    it('a member or reader reads its own project and user, lists its projects and validates its own token', async () => {
      // Revoking alice's reader grant above revoked her tokens on team-a (as Keystone does): log in again.
      for (const who of ['alice', 'rita']) f[`${who}Token`] = await s.token(who, `${who}-pw`, 'team-a');
      for (const who of ['alice', 'rita']) {
        const token = f[`${who}Token`];
        const as = (method: string, path: string, headers?: Record<string, string>) => call(method, path, { token, headers });
        const project = await as('GET', `${V3}/projects/${f.teamA}`);
        assert.equal(project.status, 200);
        assert.equal(project.json.project.name, 'team-a');
        const user = await as('GET', `${V3}/users/${f[who]}`);
        assert.equal(user.status, 200);
        assert.equal(user.json.user.name, who);
        const listed = await as('GET', `${V3}/users/${f[who]}/projects`);
        assert.deepEqual(listed.json.projects.map((p: any) => p.id), [f.teamA]);
        const auth = await as('GET', `${V3}/auth/projects`);
        assert.deepEqual(auth.json.projects.map((p: any) => p.id), [f.teamA]);
        // Keystone's defaults: the domain of its project, and its project's tags (the whole project list
        // is an admin's; `openstack project list --my-projects` lists its own).
        const domain = await as('GET', `${V3}/domains/default`);
        assert.equal(domain.status, 200);
        assert.equal(domain.json.domain.name, 'Default');
        assert.equal((await as('GET', `${V3}/projects/${f.teamA}/tags`)).status, 200);
        assert.equal((await as('GET', `${V3}/projects/${f.adminProject}/tags`)).status, 403);
        assert.equal((await as('GET', `${V3}/auth/catalog`)).status, 200);
        assert.equal((await as('GET', `${V3}/auth/tokens`, { 'X-Subject-Token': token })).status, 200);
        assert.equal((await as('HEAD', `${V3}/auth/tokens`, { 'X-Subject-Token': token })).status, 200);
      }
    });

    it('a password change needs the original password, whoever asks (as in Keystone)', async () => {
      const wrong = await call('POST', `${V3}/users/${f.rita}/password`, { token: f.aliceToken, body: { user: { password: 'x', original_password: 'nope' } } });
      assert.equal(wrong.status, 401);
      const ok = await call('POST', `${V3}/users/${f.rita}/password`, { token: f.adminToken, body: { user: { password: 'rita-pw2', original_password: 'rita-pw' } } });
      assert.equal(ok.status, 204, ok.text);
      assert.equal((await call('POST', `${V3}/auth/tokens`, { body: passwordAuth('rita', 'rita-pw', 'team-a') })).status, 401);
      await s.token('rita', 'rita-pw2', 'team-a');
    });

    it('a member changes its own password: its tokens are revoked and the new password works', async () => {
      const wrong = await call('POST', `${V3}/users/${f.alice}/password`, { token: f.aliceToken, body: { user: { password: 'new-pw', original_password: 'nope' } } });
      assert.equal(wrong.status, 401);
      const ok = await call('POST', `${V3}/users/${f.alice}/password`, { token: f.aliceToken, body: { user: { password: 'new-pw', original_password: 'alice-pw' } } });
      assert.equal(ok.status, 204, ok.text);
      assert.equal((await call('GET', `${V3}/auth/projects`, { token: f.aliceToken })).status, 401);
      assert.equal((await call('POST', `${V3}/auth/tokens`, { body: passwordAuth('alice', 'alice-pw', 'team-a') })).status, 401);
      f.aliceToken = await s.token('alice', 'new-pw', 'team-a');
      // A token revokes itself.
      assert.equal((await call('DELETE', `${V3}/auth/tokens`, { token: f.aliceToken, headers: { 'X-Subject-Token': f.aliceToken } })).status, 204);
      assert.equal((await call('GET', `${V3}/auth/projects`, { token: f.aliceToken })).status, 401);
    });
  });

  it('an operator policy file overrides a rule', async () => {
    const policyFile = join(mkdtempSync(join(tmpdir(), 'berth-policy-')), 'policy.yaml');
    writeFileSync(policyFile, [
      '# Members may list every project.',
      '"identity:list_projects": "@"',
      '"identity:list_roles": "role:member or role:admin"',
      '',
    ].join('\n'));
    const p = await startTestServer(dialect, { BERTH_POLICY_FILE: policyFile });
    try {
      const adminToken = await p.adminToken();
      const admin = (method: string, path: string, body?: unknown) => p.request(method, path, { token: adminToken, body });
      const team = (await admin('POST', `${V3}/projects`, { project: { name: 'team-b' } })).json.project.id;
      const user = (await admin('POST', `${V3}/users`, { user: { name: 'bob', password: 'bob-pw' } })).json.user.id;
      const member = (await admin('GET', `${V3}/roles?name=member`)).json.roles[0].id;
      assert.equal((await admin('PUT', `${V3}/projects/${team}/users/${user}/roles/${member}`)).status, 204);
      const bob = await p.token('bob', 'bob-pw', 'team-b');
      const list = await p.request('GET', `${V3}/projects`, { token: bob });
      assert.equal(list.status, 200);
      assert.deepEqual(list.json.projects.map((x: any) => x.name).sort(), ['admin', 'service', 'team-b']);
      assert.equal((await p.request('GET', `${V3}/roles`, { token: bob })).status, 200);
      // Rules the file does not mention keep their defaults.
      const create = await p.request('POST', `${V3}/projects`, { token: bob, body: { project: { name: 'nope' } } });
      assert.equal(create.status, 403);
      assert.equal(create.json.error.message, 'You are not authorized to perform the requested action: identity:create_project.');
    } finally {
      await p.stop();
      rmSync(dirname(policyFile), { recursive: true, force: true });
    }
  });

  it('passwords are stored only as scrypt hashes, tokens only as SHA-256 hashes', async () => {
    const s = await startTestServer(dialect);
    try {
      const password = `pw-${Date.now()}-secret`;
      const adminToken = await s.adminToken();
      const id = (await s.request('POST', `${V3}/users`, { token: adminToken, body: { user: { name: 'carol', password, default_project_id: null } } })).json.user.id;
      const project = (await s.request('GET', `${V3}/projects?name=admin`, { token: adminToken })).json.projects[0].id;
      const member = (await s.request('GET', `${V3}/roles?name=member`, { token: adminToken })).json.roles[0].id;
      await s.request('PUT', `${V3}/projects/${project}/users/${id}/roles/${member}`, { token: adminToken });
      const token = await s.token('carol', password, 'admin');

      const db = s.server.db.kysely;
      const users = await db.selectFrom('users').selectAll().execute();
      for (const u of users) assert.match(u.password_hash ?? '', /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/, u.name);
      const tokens = await db.selectFrom('tokens').selectAll().execute();
      assert.ok(tokens.some((t) => t.hash === createHash('sha256').update(token).digest('hex')), "the token's SHA-256 is stored");
      assert.ok(tokens.some((t) => t.hash === createHash('sha256').update(adminToken).digest('hex')));
      for (const t of tokens) assert.match(t.hash, /^[0-9a-f]{64}$/);

      // No table holds a raw secret anywhere, in any column.
      const secrets = [password, s.adminPassword, token, adminToken];
      const tables = (await db.introspection.getTables()).map((t) => t.name);
      assert.ok(tables.includes('users') && tables.includes('tokens'));
      for (const table of tables) {
        const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
        const text = JSON.stringify(rows.rows);
        for (const secret of secrets) assert.ok(!text.includes(secret), `table ${table} holds a secret`);
      }
      if (dialect.name === 'sqlite') {
        // The database files themselves, including the write-ahead log.
        for (const suffix of ['', '-wal']) {
          let bytes: Buffer;
          try {
            bytes = readFileSync(join(s.dataDir, `berth.db${suffix}`));
          } catch {
            continue;
          }
          for (const secret of secrets) assert.equal(bytes.indexOf(secret), -1, `berth.db${suffix} holds a secret`);
        }
      }
    } finally {
      await s.stop();
    }
  });

  it('at level info, request lines are written for client and server errors only', async () => {
    const capture = memoryLog('info');
    const s = await startTestServer(dialect, {}, { log: capture.log });
    try {
      const adminToken = await s.adminToken();
      assert.equal((await s.request('GET', `${V3}/projects`, { token: adminToken })).status, 200);
      const denied = await s.request('GET', `${V3}/projects`, { token: 'not-a-token' });
      assert.equal(denied.status, 401);
      assert.equal((await s.request('GET', `${V3}/no-such-thing`, { token: adminToken })).status, 404);
      const lines = capture.text().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      const requests = lines.filter((l) => l.msg === 'request');
      assert.deepEqual(requests.map((l) => [l.level, l.status]), [[30, 401], [30, 404]]);
      assert.equal(requests[0].reqId, denied.headers.get('x-openstack-request-id'));
    } finally {
      await s.stop();
    }
  });

  it('no password or token reaches the log, and every request line carries its request id', async () => {
    const capture = memoryLog('debug');
    const s = await startTestServer(dialect, {}, { log: capture.log });
    try {
      const password = 'correct-horse-battery-staple';
      const newPassword = 'tr0ub4dor-and-3';
      const adminToken = await s.adminToken();
      const api = (method: string, path: string, opts: RequestOptions = {}) => s.request(method, path, { token: adminToken, ...opts });
      const created = await api('POST', `${V3}/users`, { body: { user: { name: 'dave', password } } });
      assert.equal(created.status, 201);
      const id = created.json.user.id;
      const project = (await api('GET', `${V3}/projects?name=admin`)).json.projects[0].id;
      const member = (await api('GET', `${V3}/roles?name=member`)).json.roles[0].id;
      await api('PUT', `${V3}/projects/${project}/users/${id}/roles/${member}`);
      const token = await s.token('dave', password, 'admin');
      const failed = await s.request('POST', `${V3}/auth/tokens`, { body: passwordAuth('dave', `${password}-wrong`, 'admin') });
      assert.equal(failed.status, 401);
      const validated = await api('GET', `${V3}/auth/tokens`, { headers: { 'X-Subject-Token': token } });
      assert.equal(validated.status, 200);
      assert.equal((await s.request('POST', `${V3}/users/${id}/password`, { token, body: { user: { password: newPassword, original_password: password } } })).status, 204);
      const rescoped = await s.request('POST', `${V3}/auth/tokens`, { body: { auth: { identity: { methods: ['token'], token: { id: adminToken } }, scope: { project: { id: project } } } } });
      assert.equal(rescoped.status, 201);
      const rescopedToken = rescoped.headers.get('x-subject-token')!;
      await api('PATCH', `${V3}/users/${id}`, { body: { user: { password: `${newPassword}-2` } } });
      await s.request('GET', `${V3}/projects`, { token: 'not-a-real-token-but-secret-looking' });
      await api('DELETE', `${V3}/auth/tokens`, { headers: { 'X-Subject-Token': rescopedToken } });

      const text = capture.text();
      const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      const requests = lines.filter((l) => l.msg === 'request');
      assert.ok(requests.length >= 10, `request lines were logged (${requests.length})`);
      for (const l of requests) assert.match(String(l.reqId), /^req-[0-9a-f-]{36}$/);
      const reqId = validated.headers.get('x-openstack-request-id');
      assert.ok(requests.some((l) => l.reqId === reqId), 'the response header names the request id of its log line');
      for (const secret of [password, newPassword, `${newPassword}-2`, `${password}-wrong`, s.adminPassword, adminToken, token, rescopedToken, 'not-a-real-token-but-secret-looking']) {
        assert.ok(!text.includes(secret), `the log holds a secret: ${secret.slice(0, 6)}…`);
      }
    } finally {
      await s.stop();
    }
  });

  describe('concurrent writers', () => {
    it('two admins removing each other at once leave exactly one admin, every time', async () => {
      const s = await startTestServer(dialect);
      try {
        const db = s.server.db.kysely;
        const enabledAdmins = async () => (await db.selectFrom('assignments')
          .innerJoin('roles', 'roles.id', 'assignments.role_id')
          .innerJoin('users', 'users.id', 'assignments.user_id')
          .select('assignments.user_id')
          .where('roles.name', '=', 'admin').where('users.enabled', '=', 1)
          .execute()).map((r) => r.user_id);
        let token = await s.adminToken();
        const me = (await s.request('GET', `${V3}/auth/tokens`, { token, headers: { 'X-Subject-Token': token } })).json.token;
        const project = me.project.id;
        const adminRole = (await s.request('GET', `${V3}/roles?name=admin`, { token })).json.roles[0].id;
        // Leave the bootstrap admin one admin grant, so each round is one grant against one grant.
        assert.equal((await s.request('DELETE', `${V3}/domains/default/users/${me.user.id}/roles/${adminRole}`, { token })).status, 204);
        let current = me.user.id as string;
        for (let round = 0; round < 10; round++) {
          const name = `admin-${round}`;
          const other = (await s.request('POST', `${V3}/users`, { token, body: { user: { name, password: `${name}-pw` } } })).json.user.id as string;
          assert.equal((await s.request('PUT', `${V3}/projects/${project}/users/${other}/roles/${adminRole}`, { token })).status, 204);
          const otherToken = await s.token(name, `${name}-pw`, 'admin');
          assert.deepEqual((await enabledAdmins()).sort(), [current, other].sort());

          const [a, b] = await Promise.all([
            s.request('DELETE', `${V3}/projects/${project}/users/${other}/roles/${adminRole}`, { token }),
            s.request('DELETE', `${V3}/projects/${project}/users/${current}/roles/${adminRole}`, { token: otherToken }),
          ]);
          const statuses = [a.status, b.status];
          assert.equal(statuses.filter((x) => x === 204).length, 1, `round ${round}: one removal wins (${statuses.join(',')}; ${a.text} ${b.text})`);
          for (const r of [a, b]) if (r.status !== 204) assert.ok(r.status === 403 || r.status === 401, `round ${round}: the loser is refused: ${r.status} ${r.text}`);
          const left = await enabledAdmins();
          assert.equal(left.length, 1, `round ${round}: admins left: ${left.join(',')}`);
          if (left[0] === other) {
            current = other;
            token = otherToken;
          } else {
            assert.equal(left[0], current);
          }
          assert.equal((await s.request('GET', `${V3}/projects`, { token })).status, 200, `round ${round}: the survivor is still admin`);
        }
      } finally {
        await s.stop();
      }
    });

    it('50 concurrent creates of one project name: one 201, the rest 409', async () => {
      const s = await startTestServer(dialect);
      try {
        const token = await s.adminToken();
        for (const [kind, body] of [
          ['projects', { project: { name: 'same' } }],
          ['users', { user: { name: 'same' } }],
          ['roles', { role: { name: 'same' } }],
          ['domains', { domain: { name: 'same' } }],
        ] as const) {
          const rs = await Promise.all(Array.from({ length: 50 }, () => s.request('POST', `${V3}/${kind}`, { token, body })));
          assert.deepEqual(tally(rs), { 201: 1, 409: 49 }, `${kind}: ${rs.find((r) => r.status !== 201 && r.status !== 409)?.text}`);
          for (const r of rs) if (r.status === 409) assert.equal(r.json.error.code, 409);
          const listed = (await s.request('GET', `${V3}/${kind}?name=same`, { token })).json[kind];
          assert.equal(listed.length, 1, `${kind}: one row stored`);
        }
        // Renames racing to one name: one wins, the rest conflict.
        const ids: string[] = [];
        for (let i = 0; i < 10; i++) ids.push((await s.request('POST', `${V3}/projects`, { token, body: { project: { name: `p${i}` } } })).json.project.id);
        const renames = await Promise.all(ids.map((id) => s.request('PATCH', `${V3}/projects/${id}`, { token, body: { project: { name: 'renamed' } } })));
        assert.deepEqual(tally(renames), { 200: 1, 409: 9 });
      } finally {
        await s.stop();
      }
    });
  });
}, { timeout: 300_000 });
