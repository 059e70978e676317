/**
 * Who sees and changes which image, on each database: others' private images are a 404 on every route,
 * public and community images are visible (community ones listed only when asked for), only an admin
 * makes an image public, and a shared image reaches a member project once it accepts: the owner adds
 * members, each member sets its own status and sees only its own membership.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { eachDialect, startTestServer, type TestServer } from './helpers.js';
import { addUser, type TestUser } from './containers-fixture.js';
import { assertGlanceError, glanceAs, patch, upload, type Glance } from './images-fixture.js';

eachDialect((dialect) => {
  let s: TestServer;
  let admin: Glance;
  let alice: TestUser;
  let bob: TestUser;
  let a: Glance;
  let b: Glance;
  before(async () => {
    s = await startTestServer(dialect);
    const token = await s.adminToken();
    admin = glanceAs(s, token);
    alice = await addUser(s, token, { user: 'ia-alice', project: 'ia-team-a', role: 'member' });
    bob = await addUser(s, token, { user: 'ia-bob', project: 'ia-team-b', role: 'member' });
    a = glanceAs(s, alice.token);
    b = glanceAs(s, bob.token);
  });
  after(async () => s?.stop());

  const create = async (g: Glance, body: Record<string, unknown>) => {
    const r = await g('POST', '/images', { body: { container_format: 'bare', disk_format: 'raw', ...body } });
    assert.equal(r.status, 201, r.text);
    await upload(g, r.json.id, `data of ${String(body.name)}`);
    return r.json.id as string;
  };
  const listed = async (g: Glance, q = '') => (await g('GET', `/images?${q}`)).json.images.map((i: any) => i.name).sort();

  it('others\' private images are a 404 on every route and missing from lists', async () => {
    const id = await create(a, { name: 'secret', visibility: 'private' });
    const routes: [string, string, unknown?][] = [['GET', ''], ['GET', '/file'], ['DELETE', ''], ['PUT', '/tags/x'], ['DELETE', '/tags/x'],
      ['POST', '/actions/deactivate'], ['POST', '/actions/reactivate'], ['GET', '/members'], ['POST', '/members', { member: bob.projectId }]];
    for (const [method, path, body] of routes) assertGlanceError(await b(method, `/images/${id}${path}`, { body }), 404, /No image found/, `${method} ${path}`);
    assertGlanceError(await patch(b, id, [{ op: 'replace', path: '/name', value: 'mine' }]), 404);
    assertGlanceError(await upload(b, id, 'x'), 404);
    assert.ok(!(await listed(b, 'visibility=all')).includes('secret'));
    assert.ok((await listed(a)).includes('secret'));
    assert.equal((await admin('GET', `/images/${id}`)).status, 200, 'an admin sees every image');
    assert.ok((await listed(admin)).includes('secret'));
  });

  it('public and community images: visible to all, community listed only when asked; publicizing is for admins', async () => {
    assertGlanceError(await a('POST', '/images', { body: { name: 'pub', visibility: 'public' } }), 403, /image:publicize_image/);
    const pub = await create(admin, { name: 'pub', visibility: 'public' });
    const com = await create(a, { name: 'com', visibility: 'community' });
    assert.equal((await b('GET', `/images/${pub}/file`)).text, 'data of pub');
    assert.equal((await b('GET', `/images/${com}`)).json.name, 'com');
    assert.ok((await listed(b)).includes('pub'));
    assert.ok(!(await listed(b)).includes('com'), 'community images of others are not in the default list');
    assert.deepEqual(await listed(b, 'visibility=community'), ['com']);
    assert.ok((await listed(a)).includes('com'), 'the owner lists its community images');
    assertGlanceError(await patch(b, pub, [{ op: 'replace', path: '/name', value: 'x' }]), 403, /image:modify_image/, 'visible but not ours: 403');
    assertGlanceError(await b('DELETE', `/images/${com}`), 403, /image:delete_image/);
    assertGlanceError(await b('POST', `/images/${pub}/actions/deactivate`), 403, /image:deactivate/);
  });

  it('members: the owner shares, the member accepts, lists and downloads; nobody else changes a membership', async () => {
    const id = await create(a, { name: 'shared-1', visibility: 'shared' });
    const priv = await create(a, { name: 'private-1', visibility: 'private' });
    assertGlanceError(await a('POST', `/images/${priv}/members`, { body: { member: bob.projectId } }), 403, /only shared images have members/);
    assertGlanceError(await b('GET', `/images/${id}`), 404, /No image found/, 'not a member yet');
    const added = await a('POST', `/images/${id}/members`, { body: { member: bob.projectId } });
    assert.equal(added.status, 200, added.text);
    assert.deepEqual([added.json.member_id, added.json.image_id, added.json.status, added.json.schema], [bob.projectId, id, 'pending', '/v2/schemas/member']);
    assertGlanceError(await a('POST', `/images/${id}/members`, { body: { member: bob.projectId } }), 409, /duplicated/);
    for (const [body, message] of [[{}, /Member to be added not specified/], [{ member: '' }, /can't be empty/], [{ member: 5 }, /Expected a member/]] as const)
      assertGlanceError(await a('POST', `/images/${id}/members`, { body }), 400, message);

    assert.equal((await b('GET', `/images/${id}`)).json.name, 'shared-1', 'a pending member sees the image');
    assert.ok(!(await listed(b)).includes('shared-1'), 'but does not list it until it accepts');
    assert.ok((await listed(b, 'member_status=pending')).includes('shared-1'));
    assertGlanceError(await a('PUT', `/images/${id}/members/${bob.projectId}`, { body: { status: 'accepted' } }), 403, /image:modify_member/, 'the owner may not accept for the member');
    assertGlanceError(await b('PUT', `/images/${id}/members/${bob.projectId}`, { body: { status: 'yes' } }), 400, /Status must be one of/);
    assertGlanceError(await b('PUT', `/images/${id}/members/${bob.projectId}`, { body: {} }), 400, /Status not specified/);
    const accepted = await b('PUT', `/images/${id}/members/${bob.projectId}`, { body: { status: 'accepted' } });
    assert.equal(accepted.json.status, 'accepted', accepted.text);
    assert.ok((await listed(b)).includes('shared-1'));
    assert.ok(!(await listed(b, 'member_status=rejected')).includes('shared-1'));
    assert.equal((await b('GET', `/images/${id}/file`)).text, 'data of shared-1');
    assertGlanceError(await patch(b, id, [{ op: 'replace', path: '/name', value: 'x' }]), 403, /image:modify_image/);
    assertGlanceError(await b('POST', `/images/${id}/members`, { body: { member: alice.projectId } }), 403, /image:add_member/);

    const carol = await addUser(s, await s.adminToken(), { user: 'ia-carol', project: 'ia-team-c', role: 'member' });
    await a('POST', `/images/${id}/members`, { body: { member: carol.projectId } });
    assert.deepEqual((await a('GET', `/images/${id}/members`)).json.members.map((m: any) => m.member_id).sort(), [bob.projectId, carol.projectId].sort());
    const own = await b('GET', `/images/${id}/members`);
    assert.deepEqual(own.json.members.map((m: any) => [m.member_id, m.status]), [[bob.projectId, 'accepted']], 'a member sees only its own membership');
    assert.equal(own.json.schema, '/v2/schemas/members');
    assertGlanceError(await b('GET', `/images/${id}/members/${carol.projectId}`), 404, /not found in the member list/);
    assertGlanceError(await b('PUT', `/images/${id}/members/${carol.projectId}`, { body: { status: 'rejected' } }), 404);
    assertGlanceError(await b('DELETE', `/images/${id}/members/${bob.projectId}`), 403, /image:delete_member/);
    assertGlanceError(await a('GET', `/images/${id}/members/nobody`), 404, /nobody not found/);

    assert.equal((await a('DELETE', `/images/${id}/members/${bob.projectId}`)).status, 204);
    assertGlanceError(await b('GET', `/images/${id}`), 404, /No image found/, 'no longer a member');
    assert.equal((await a('DELETE', `/images/${id}`)).status, 204);
    assertGlanceError(await a('GET', `/images/${id}/members/${carol.projectId}`), 404);
  });
});
