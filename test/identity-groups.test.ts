/**
 * Group role assignments (issue 13): grants to groups on projects and domains, effective in tokens and
 * in `GET /v3/role_assignments?effective`, and OS-INHERIT's inherited grants, over HTTP and with the stock `openstack` CLI, on each database.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { cliJson, eachDialect, passwordAuth, runCli, startTestServer, type TestServer } from './helpers.js';

const V3 = '/identity/v3';

eachDialect((dialect) => {
  let s: TestServer;
  let adminToken: string;
  let admin: Record<string, string>;
  let project: string;
  let domain: string;
  let member: string;
  let reader: string;
  const api = (method: string, path: string, body?: unknown, token = adminToken) => s.request(method, path, { token, body });
  const scopedStatus = async (user: string, password: string, projectName: string) =>
    (await s.request('POST', `${V3}/auth/tokens?nocatalog`, { body: passwordAuth(user, password, projectName) })).status;

  before(async () => {
    s = await startTestServer(dialect);
    adminToken = await s.adminToken();
    admin = s.openrcEnv();
    project = (await api('POST', `${V3}/projects`, { project: { name: 'grp-proj' } })).json.project.id;
    domain = (await api('GET', `${V3}/domains?name=Default`)).json.domains[0].id;
    member = (await api('GET', `${V3}/roles?name=member`)).json.roles[0].id;
    reader = (await api('GET', `${V3}/roles?name=reader`)).json.roles[0].id;
  });
  after(async () => {
    await s?.stop();
  });

  it('PUT/HEAD/GET/DELETE and list of group grants on projects and domains; members get the roles in tokens', async () => {
    const group = (await api('POST', `${V3}/groups`, { group: { name: 'devs' } })).json.group.id;
    const bob = (await api('POST', `${V3}/users`, { user: { name: 'bob', password: 'b0b-pass' } })).json.user.id;
    assert.equal((await api('PUT', `${V3}/groups/${group}/users/${bob}`)).status, 204);
    assert.equal(await scopedStatus('bob', 'b0b-pass', 'grp-proj'), 401, 'no role yet');

    const grant = `${V3}/projects/${project}/groups/${group}/roles/${member}`;
    assert.equal((await api('HEAD', grant)).status, 404);
    const put = await api('PUT', grant);
    assert.equal(put.status, 204, put.text);
    assert.equal((await api('HEAD', grant)).status, 204);
    assert.equal((await api('GET', grant)).status, 204);
    assert.deepEqual((await api('GET', `${V3}/projects/${project}/groups/${group}/roles`)).json.roles.map((r: { name: string }) => r.name), ['member']);
    assert.deepEqual((await api('GET', `${V3}/projects/${project}/users/${bob}/roles`)).json.roles, [], 'the user has no direct grant');
    assert.equal((await api('PUT', `${V3}/projects/${project}/groups/nope/roles/${member}`)).status, 404);

    const t = await s.request('POST', `${V3}/auth/tokens`, { body: passwordAuth('bob', 'b0b-pass', 'grp-proj') });
    assert.equal(t.status, 201, t.text);
    assert.deepEqual(t.json.token.roles.map((r: { name: string }) => r.name), ['member']);
    const bobToken = t.headers.get('x-subject-token') ?? '';
    const mine = (await api('GET', `${V3}/auth/projects`, undefined, bobToken)).json.projects.map((p: { name: string }) => p.name);
    assert.deepEqual(mine, ['grp-proj']);

    const dgrant = `${V3}/domains/${domain}/groups/${group}/roles/${reader}`;
    assert.equal((await api('PUT', dgrant)).status, 204);
    assert.equal((await api('HEAD', dgrant)).status, 204);
    assert.deepEqual((await api('GET', `${V3}/domains/${domain}/groups/${group}/roles`)).json.roles.map((r: { name: string }) => r.name), ['reader']);
    assert.equal((await api('DELETE', dgrant)).status, 204);
    assert.equal((await api('DELETE', dgrant)).status, 404);

    // Role assignments: the group's own, and effective (expanded to its members).
    const listed = (await api('GET', `${V3}/role_assignments?group.id=${group}`)).json.role_assignments;
    assert.equal(listed.length, 1);
    assert.deepEqual([listed[0].group.id, listed[0].scope.project.id, listed[0].role.id], [group, project, member]);
    assert.equal(listed[0].user, undefined);
    assert.equal((await api('GET', `${V3}/role_assignments?user.id=${bob}`)).json.role_assignments.length, 0, 'not effective: no group rows for a user');
    const eff = (await api('GET', `${V3}/role_assignments?effective&user.id=${bob}&include_names`)).json.role_assignments;
    assert.equal(eff.length, 1);
    assert.equal(eff[0].user.id, bob);
    assert.equal(eff[0].user.name, 'bob');
    assert.equal(eff[0].group, undefined);
    assert.deepEqual([eff[0].scope.project.name, eff[0].role.name], ['grp-proj', 'member']);
    assert.ok(eff[0].links.membership.endsWith(`/groups/${group}/users/${bob}`));
    assert.ok(eff[0].links.assignment.endsWith(`/projects/${project}/groups/${group}/roles/${member}`));
    const byProject = (await api('GET', `${V3}/role_assignments?effective&scope.project.id=${project}`)).json.role_assignments;
    assert.ok(byProject.some((a: { user?: { id: string } }) => a.user?.id === bob));
    assert.equal((await api('GET', `${V3}/role_assignments?effective&group.id=${group}`)).status, 400);

    // Revoking the grant takes the role away; leaving the group does too.
    assert.equal((await api('DELETE', grant)).status, 204);
    assert.equal((await api('GET', grant)).status, 404);
    assert.equal((await s.request('GET', `${V3}/auth/projects`, { token: bobToken })).status, 401, 'the scoped token of a member who lost every role there is revoked');
    assert.equal(await scopedStatus('bob', 'b0b-pass', 'grp-proj'), 401);
    assert.equal((await api('PUT', grant)).status, 204);
    assert.equal(await scopedStatus('bob', 'b0b-pass', 'grp-proj'), 201);
    assert.equal((await api('DELETE', `${V3}/groups/${group}/users/${bob}`)).status, 204);
    assert.equal(await scopedStatus('bob', 'b0b-pass', 'grp-proj'), 401);
    // Deleting a group takes its grants with it.
    assert.equal((await api('DELETE', `${V3}/groups/${group}`)).status, 204);
    assert.equal((await api('GET', `${V3}/role_assignments?scope.project.id=${project}`)).json.role_assignments.length, 0);
  });

  it('openstack role add --group, role assignment list --effective --user, role remove --group', async () => {
    const run = async (args: string[]) => {
      const r = await runCli(args, admin);
      assert.equal(r.code, 0, `openstack ${args.join(' ')}: ${r.stderr}`);
    };
    await run(['group', 'create', 'ops']);
    await run(['user', 'create', '--password', 'c4rol-pass', 'carol']);
    await run(['group', 'add', 'user', 'ops', 'carol']);
    await run(['role', 'add', '--group', 'ops', '--project', 'grp-proj', 'member']);
    const groupRows = await cliJson(['role', 'assignment', 'list', '--group', 'ops', '--names'], admin);
    assert.deepEqual(groupRows.map((r: Record<string, string>) => [r.Role, r.Group, r.Project]), [['member', 'ops@Default', 'grp-proj@Default']]);
    const eff = await cliJson(['role', 'assignment', 'list', '--effective', '--user', 'carol', '--names'], admin);
    assert.deepEqual(eff.map((r: Record<string, string>) => [r.Role, r.User, r.Project]), [['member', 'carol@Default', 'grp-proj@Default']]);
    const carol = { ...admin, OS_USERNAME: 'carol', OS_PASSWORD: 'c4rol-pass', OS_PROJECT_NAME: 'grp-proj' };
    const issued = await cliJson(['token', 'issue'], carol);
    assert.equal(issued.project_id, project);
    await run(['role', 'remove', '--group', 'ops', '--project', 'grp-proj', 'member']);
    assert.deepEqual(await cliJson(['role', 'assignment', 'list', '--effective', '--user', 'carol'], admin), []);
  });
  it('OS-INHERIT: inherited grants from a domain and a parent project apply to the projects beneath, in tokens and effective lists', async () => {
    const parent = (await api('POST', `${V3}/projects`, { project: { name: 'inh-parent' } })).json.project.id;
    const child = (await api('POST', `${V3}/projects`, { project: { name: 'inh-child', parent_id: parent } })).json.project.id;
    const dave = (await api('POST', `${V3}/users`, { user: { name: 'dave', password: 'd4ve-pass' } })).json.user.id;
    const path = `${V3}/OS-INHERIT/projects/${parent}/users/${dave}/roles/${member}/inherited_to_projects`;
    assert.equal((await api('HEAD', path)).status, 404);
    assert.equal((await api('PUT', path)).status, 204);
    assert.equal((await api('HEAD', path)).status, 204);
    assert.equal((await api('GET', path)).status, 204);
    const listed = (await api('GET', `${V3}/OS-INHERIT/projects/${parent}/users/${dave}/roles/inherited_to_projects`)).json.roles;
    assert.deepEqual(listed.map((r: { name: string }) => r.name), ['member']);
    assert.equal(await scopedStatus('dave', 'd4ve-pass', 'inh-child'), 201, 'inherited on the child');
    assert.equal(await scopedStatus('dave', 'd4ve-pass', 'inh-parent'), 401, 'not on the target itself');

    const stored = (await api('GET', `${V3}/role_assignments?user.id=${dave}`)).json.role_assignments;
    assert.equal(stored.length, 1);
    assert.equal(stored[0].scope['OS-INHERIT:inherited_to'], 'projects');
    assert.equal(stored[0].scope.project.id, parent);
    const eff = (await api('GET', `${V3}/role_assignments?effective&user.id=${dave}`)).json.role_assignments;
    assert.deepEqual(eff.map((a: { scope: { project: { id: string } } }) => a.scope.project.id), [child]);
    assert.ok(eff[0].links.assignment.endsWith(`/OS-INHERIT/projects/${parent}/users/${dave}/roles/${member}/inherited_to_projects`));
    assert.equal((await api('DELETE', path)).status, 204);
    assert.equal((await api('DELETE', path)).status, 404);
    assert.equal(await scopedStatus('dave', 'd4ve-pass', 'inh-child'), 401);

    // From the domain, through a group.
    const group = (await api('POST', `${V3}/groups`, { group: { name: 'inh-group' } })).json.group.id;
    assert.equal((await api('PUT', `${V3}/groups/${group}/users/${dave}`)).status, 204);
    const dpath = `${V3}/OS-INHERIT/domains/${domain}/groups/${group}/roles/${reader}/inherited_to_projects`;
    assert.equal((await api('PUT', dpath)).status, 204);
    const t = await s.request('POST', `${V3}/auth/tokens?nocatalog`, { body: passwordAuth('dave', 'd4ve-pass', 'inh-parent') });
    assert.equal(t.status, 201, t.text);
    assert.deepEqual(t.json.token.roles.map((r: { name: string }) => r.name), ['reader']);
    const effChild = (await api('GET', `${V3}/role_assignments?effective&user.id=${dave}&scope.project.id=${child}`)).json.role_assignments;
    assert.equal(effChild.length, 1);
    assert.ok(effChild[0].links.membership.endsWith(`/groups/${group}/users/${dave}`));
    const onlyInherited = (await api('GET', `${V3}/role_assignments?scope.OS-INHERIT:inherited_to=projects&group.id=${group}`)).json.role_assignments;
    assert.deepEqual(onlyInherited.map((a: { scope: { domain: { id: string } } }) => a.scope.domain.id), [domain]);
    assert.equal((await api('DELETE', dpath)).status, 204);
  });

  it('openstack role add --inherited (user on a domain, group on a project)', async () => {
    const run = async (args: string[]) => {
      const r = await runCli(args, admin);
      assert.equal(r.code, 0, `openstack ${args.join(' ')}: ${r.stderr}`);
    };
    await run(['project', 'create', 'cli-parent']);
    await run(['project', 'create', '--parent', 'cli-parent', 'cli-child']);
    await run(['user', 'create', '--password', 'erin-pass', 'erin']);
    await run(['role', 'add', '--inherited', '--user', 'erin', '--domain', 'Default', 'reader']);
    const rows = await cliJson(['role', 'assignment', 'list', '--user', 'erin', '--names'], admin);
    assert.deepEqual(rows.map((r: Record<string, unknown>) => [r.Role, r.Domain, r.Inherited]), [['reader', 'Default', true]]);
    const erin = { ...admin, OS_USERNAME: 'erin', OS_PASSWORD: 'erin-pass', OS_PROJECT_NAME: 'cli-child' };
    assert.ok((await cliJson(['token', 'issue'], erin)).project_id);
    await run(['role', 'remove', '--inherited', '--user', 'erin', '--domain', 'Default', 'reader']);
    const failed = await runCli(['token', 'issue'], erin);
    assert.notEqual(failed.code, 0);

    await run(['group', 'create', 'cli-inh']);
    await run(['group', 'add', 'user', 'cli-inh', 'erin']);
    await run(['role', 'add', '--inherited', '--group', 'cli-inh', '--project', 'cli-parent', 'member']);
    const eff = await cliJson(['role', 'assignment', 'list', '--effective', '--user', 'erin', '--names'], admin);
    assert.deepEqual(eff.map((r: Record<string, string>) => [r.Role, r.Project]), [['member', 'cli-child@Default']]);
    assert.ok((await cliJson(['token', 'issue'], erin)).project_id);
    await run(['role', 'remove', '--inherited', '--group', 'cli-inh', '--project', 'cli-parent', 'member']);
  });
});
