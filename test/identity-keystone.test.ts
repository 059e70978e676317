/**
 * Where Berth's identity follows Keystone as tempest holds it to (issue 13): name limits, extra
 * attributes on users and projects, the default policy (project listing, one's own domain, password
 * change) and project tags with their listing filters, over HTTP and with the stock `openstack` CLI, on
 * each database.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cliJson, eachDialect, runCli, startTestServer, type TestServer } from './helpers.js';

const V3 = '/identity/v3';

eachDialect((dialect) => {
  let s: TestServer;
  let adminToken: string;
  let aliceToken: string;
  let admin: Record<string, string>;
  let alice: Record<string, string>;
  let teamA: string;
  const api = (method: string, path: string, body?: unknown, token = adminToken) => s.request(method, path, { token, body });

  before(async () => {
    s = await startTestServer(dialect);
    adminToken = await s.adminToken();
    admin = s.openrcEnv();
    alice = { ...admin, OS_USERNAME: 'alice', OS_PASSWORD: 's3cret', OS_PROJECT_NAME: 'team-a' };
    teamA = (await api('POST', `${V3}/projects`, { project: { name: 'team-a' } })).json.project.id;
    const user = (await api('POST', `${V3}/users`, { user: { name: 'alice', password: 's3cret' } })).json.user.id;
    const member = (await api('GET', `${V3}/roles?name=member`)).json.roles[0].id;
    assert.equal((await api('PUT', `${V3}/projects/${teamA}/users/${user}/roles/${member}`)).status, 204);
    aliceToken = await s.token('alice', 's3cret', 'team-a');
  });
  after(async () => {
    await s?.stop();
  });

  it('names: 64 characters for projects and domains, 255 for users; more is a 400', async () => {
    for (const kind of ['project', 'domain']) {
      assert.equal((await api('POST', `${V3}/${kind}s`, { [kind]: { name: 'n'.repeat(64) } })).status, 201, kind);
      const r = await api('POST', `${V3}/${kind}s`, { [kind]: { name: 'm'.repeat(65) } });
      assert.equal(r.status, 400, `${kind}: ${r.text}`);
    }
    assert.equal((await api('POST', `${V3}/users`, { user: { name: 'u'.repeat(255) } })).status, 201);
  });

  it('extra attributes on users and projects are stored and echoed on create, update, show and list', async () => {
    const u = await api('POST', `${V3}/users`, { user: { name: 'extra-user', project_id: teamA, note: { a: 1 } } });
    assert.equal(u.status, 201, u.text);
    assert.equal(u.json.user.project_id, teamA);
    const id = u.json.user.id;
    const updated = await api('PATCH', `${V3}/users/${id}`, { user: { note: 'changed', colour: 'blue' } });
    assert.deepEqual([updated.json.user.project_id, updated.json.user.note, updated.json.user.colour], [teamA, 'changed', 'blue']);
    const shown = (await api('GET', `${V3}/users/${id}`)).json.user;
    assert.deepEqual([shown.project_id, shown.note, shown.colour, shown.name], [teamA, 'changed', 'blue', 'extra-user']);
    // An extra never hides a real attribute, and nothing is stored under the real attributes' names.
    assert.equal((await api('PATCH', `${V3}/users/${id}`, { user: { links: 'x', options: 'y' } })).json.user.links.self.endsWith(`/users/${id}`), true);

    const p = await api('POST', `${V3}/projects`, { project: { name: 'extra-project', owner: 'ops' } });
    assert.equal(p.json.project.owner, 'ops');
    await api('PATCH', `${V3}/projects/${p.json.project.id}`, { project: { cost_centre: 42 } });
    const listed = (await api('GET', `${V3}/projects?name=extra-project`)).json.projects[0];
    assert.deepEqual([listed.owner, listed.cost_centre], ['ops', 42]);
  });

  it('a member may read its own domain and its project, not list every project', async () => {
    const d = await api('GET', `${V3}/domains/default`, undefined, aliceToken);
    assert.equal(d.status, 200, d.text);
    const other = (await api('POST', `${V3}/domains`, { domain: { name: 'elsewhere' } })).json.domain.id;
    assert.equal((await api('GET', `${V3}/domains/${other}`, undefined, aliceToken)).status, 403);
    const list = await api('GET', `${V3}/projects`, undefined, aliceToken);
    assert.equal(list.status, 403);
    assert.equal(list.json.error.message, 'You are not authorized to perform the requested action: identity:list_projects.');
    const shown = await cliJson(['domain', 'show', 'default'], alice);
    assert.equal(shown.name, 'Default');
    const mine = await cliJson(['project', 'list', '--my-projects'], alice);
    assert.deepEqual(mine.map((p: { Name: string }) => p.Name), ['team-a']);
    // The CLI, refused the whole list, falls back to the user's own projects, as it does with Keystone.
    const fallback = await cliJson(['project', 'list'], alice);
    assert.deepEqual(fallback.map((p: { Name: string }) => p.Name), ['team-a']);
  });

  it('openstack user password set: with the original password only', async () => {
    const env = { ...admin, OS_USERNAME: 'carol', OS_PASSWORD: 'c-1', OS_PROJECT_NAME: 'team-a' };
    const carol = (await api('POST', `${V3}/users`, { user: { name: 'carol', password: 'c-1' } })).json.user.id;
    const member = (await api('GET', `${V3}/roles?name=member`)).json.roles[0].id;
    await api('PUT', `${V3}/projects/${teamA}/users/${carol}/roles/${member}`);
    const wrong = await runCli(['user', 'password', 'set', '--original-password', 'nope', '--password', 'c-2'], env);
    assert.notEqual(wrong.code, 0);
    const ok = await runCli(['user', 'password', 'set', '--original-password', 'c-1', '--password', 'c-2'], env);
    assert.equal(ok.code, 0, ok.stderr);
    await s.token('carol', 'c-2', 'team-a');
  });

  it('groups with the CLI: create, add user, contains, list by user, remove, delete', async () => {
    const run = async (args: string[]) => {
      const r = await runCli(args, admin);
      assert.equal(r.code, 0, `openstack ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    const g = await cliJson(['group', 'create', '--description', 'the ops team', 'ops'], admin);
    assert.equal(g.name, 'ops');
    assert.equal(g.domain_id, 'default');
    assert.equal((await runCli(['group', 'create', 'ops'], admin)).code === 0, false, 'a duplicate name is refused');
    await run(['group', 'add', 'user', 'ops', 'alice']);
    assert.match(await run(['group', 'contains', 'user', 'ops', 'alice']), /alice in group ops/);
    assert.deepEqual((await cliJson(['group', 'list', '--user', 'alice'], admin)).map((x: { Name: string }) => x.Name), ['ops']);
    assert.deepEqual((await cliJson(['user', 'list', '--group', 'ops'], admin)).map((x: { Name: string }) => x.Name), ['alice']);
    await run(['group', 'set', '--name', 'ops-team', 'ops']);
    await run(['group', 'remove', 'user', 'ops-team', 'alice']);
    const out = await runCli(['group', 'contains', 'user', 'ops-team', 'alice'], admin);
    assert.match(out.stdout + out.stderr, /alice not in group ops-team/);
    // Leaving a group revokes the user's tokens, as Keystone does: log in again.
    aliceToken = await s.token('alice', 's3cret', 'team-a');
    // A member is refused group administration, and lists its own groups only.
    const me = (await api('GET', `${V3}/users?name=alice`)).json.users[0].id;
    assert.equal((await api('GET', `${V3}/groups`, undefined, aliceToken)).status, 403);
    assert.equal((await api('GET', `${V3}/users/${me}/groups`, undefined, aliceToken)).status, 200);
    await run(['group', 'delete', 'ops-team']);
    assert.deepEqual(await cliJson(['group', 'list'], admin), []);
  });

  describe('project tags', () => {
    let tagged: string;
    before(async () => {
      tagged = (await api('POST', `${V3}/projects`, { project: { name: 'tagged', tags: ['a', 'b'] } })).json.project.id;
    });

    it('/projects/{id}/tags: list, replace, add, check, remove one, remove all', async () => {
      const path = `${V3}/projects/${tagged}/tags`;
      assert.deepEqual((await api('GET', path)).json.tags, ['a', 'b']);
      const put = await api('PUT', path, { tags: ['x', 'y', 'x'] });
      assert.equal(put.status, 200, put.text);
      assert.deepEqual(put.json.tags, ['x', 'y']);
      const add = await api('PUT', `${path}/z`, {});
      assert.equal(add.status, 201);
      assert.equal(add.headers.get('location'), `${s.url}${path}/z`);
      assert.equal((await api('PUT', `${path}/z`, {})).status, 201, 'adding a tag twice keeps one');
      assert.equal((await api('GET', `${path}/z`)).status, 204);
      assert.equal((await api('HEAD', `${path}/z`)).status, 204);
      assert.equal((await api('DELETE', `${path}/x`)).status, 204);
      assert.equal((await api('GET', `${path}/x`)).status, 404);
      assert.deepEqual((await api('GET', `${V3}/projects/${tagged}`)).json.project.tags, ['y', 'z']);
      assert.equal((await api('DELETE', path)).status, 204);
      assert.deepEqual((await api('GET', path)).json.tags, []);
      assert.equal((await api('GET', path, undefined, aliceToken)).status, 403, "another project's tags");
      assert.equal((await api('PUT', `${V3}/projects/${teamA}/tags/mine`, {}, aliceToken)).status, 403, 'tags are set by admins');
    });

    it('tags, tags-any, not-tags and not-tags-any filter the project list', async () => {
      const mk = async (name: string, tags: string[]) => api('POST', `${V3}/projects`, { project: { name, tags } });
      await mk('f-ab', ['fa', 'fb']);
      await mk('f-a', ['fa']);
      await mk('f-c', ['fc']);
      const names = async (q: string) =>
        ((await api('GET', `${V3}/projects?${q}`)).json.projects as { name: string }[]).map((p) => p.name).filter((n) => n.startsWith('f-')).sort();
      assert.deepEqual(await names('tags=fa,fb'), ['f-ab']);
      assert.deepEqual(await names('tags-any=fb,fc'), ['f-ab', 'f-c']);
      assert.deepEqual(await names('not-tags=fa,fb'), ['f-a', 'f-c']);
      assert.deepEqual(await names('not-tags-any=fa'), ['f-c']);
      assert.deepEqual(await names('tags=fa&not-tags-any=fb'), ['f-a']);
    });

    it('openstack project set --tag / --remove-tag / --clear-tags, and project list --tags', async () => {
      const run = async (args: string[]) => {
        const r = await runCli(args, admin);
        assert.equal(r.code, 0, `openstack ${args.join(' ')}: ${r.stderr}`);
      };
      await run(['project', 'create', 'cli-tagged']);
      await run(['project', 'set', '--tag', 'blue', '--tag', 'green', 'cli-tagged']);
      assert.deepEqual((await cliJson(['project', 'show', 'cli-tagged'], admin)).tags.sort(), ['blue', 'green']);
      const listed = await cliJson(['project', 'list', '--tags', 'blue'], admin);
      assert.deepEqual(listed.map((p: { Name: string }) => p.Name), ['cli-tagged']);
      await run(['project', 'set', '--remove-tag', 'blue', 'cli-tagged']);
      assert.deepEqual((await cliJson(['project', 'show', 'cli-tagged'], admin)).tags, ['green']);
      await run(['project', 'set', '--clear-tags', 'cli-tagged']);
      assert.deepEqual((await cliJson(['project', 'show', 'cli-tagged'], admin)).tags, []);
    });
  });
});
