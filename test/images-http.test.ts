/**
 * The image service over HTTP on each database: version documents and the catalog entry, create and
 * show, listing (filters, exact base attributes, both sort syntaxes, paging through `next`), JSON-patch
 * updates, tags, delete, deactivate/reactivate, Glance's error formats, and every kind of bad input
 * answered with a 4xx.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { eachDialect, startTestServer, type TestServer } from './helpers.js';
import { addUser, type TestUser } from './containers-fixture.js';
import { assertGlanceError, GLANCE, glanceAs, patch, upload, type Glance } from './images-fixture.js';

const UNKNOWN = '00000000-0000-4000-8000-000000000000';

eachDialect((dialect) => {
  let s: TestServer;
  let admin: Glance;
  let alice: TestUser;
  let reader: TestUser;
  let g: Glance;
  before(async () => {
    s = await startTestServer(dialect);
    const token = await s.adminToken();
    admin = glanceAs(s, token);
    alice = await addUser(s, token, { user: 'ih-alice', project: 'ih-team', role: 'member' });
    reader = await addUser(s, token, { user: 'ih-reader', project: 'ih-team', role: 'reader' });
    g = glanceAs(s, alice.token);
  });
  after(async () => s?.stop());

  const create = async (body: Record<string, unknown>, as = g) => {
    const r = await as('POST', '/images', { body });
    assert.equal(r.status, 201, r.text);
    return r.json;
  };

  it('version documents (300 at the root) and the catalog entry of type image', async () => {
    const root = await s.request('GET', '/image');
    assert.equal(root.status, 300);
    assert.equal(root.json.versions.find((v: any) => v.status === 'CURRENT').links[0].href, `${s.url}/image/v2/`);
    assert.equal((await s.request('GET', '/image/versions')).status, 200);
    const login = await s.request('POST', '/identity/v3/auth/tokens', { body: { auth: { identity: { methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password: s.adminPassword } } }, scope: { project: { name: 'admin', domain: { id: 'default' } } } } } });
    const entry = login.json.token.catalog.find((c: any) => c.type === 'image');
    assert.equal(entry.name, 'glance');
    assert.deepEqual(entry.endpoints.map((e: any) => [e.interface, e.url]).sort(), [['admin', `${s.url}/image`], ['internal', `${s.url}/image`], ['public', `${s.url}/image`]]);
  });

  it('create: Glance defaults, custom properties at the top level, Location; show and the schemas', async () => {
    const r = await g('POST', '/images', { body: { name: 'c1', container_format: 'bare', disk_format: 'raw', tags: ['x', 'x', 'y'], os_distro: 'busybox', min_ram: 64 } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers.get('location'), `/v2/images/${r.json.id}`);
    assert.match(r.json.id, /^[0-9a-f-]{36}$/);
    for (const [k, v] of Object.entries({ name: 'c1', status: 'queued', visibility: 'shared', protected: false, owner: alice.projectId, size: null,
      checksum: null, os_distro: 'busybox', min_ram: 64, min_disk: 0, os_hidden: false, schema: '/v2/schemas/image', file: `/v2/images/${r.json.id}/file` }))
      assert.deepEqual(r.json[k], v, k);
    assert.deepEqual(r.json.tags, ['x', 'y']);
    assert.match(r.json.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual((await g('GET', `/images/${r.json.id}`)).json, r.json);
    const id = '3e0b1c7a-0000-4000-8000-00000000c0de';
    assert.equal((await create({ id, name: 'fixed' })).id, id);
    assertGlanceError(await g('POST', '/images', { body: { id } }), 409, /already exists/);
    const schema = await g('GET', '/schemas/image');
    assert.equal(schema.json.name, 'image');
    assert.deepEqual(schema.json.additionalProperties, { type: 'string' });
    assert.ok(schema.json.properties.container_format.enum.includes('docker'));
    for (const name of ['images', 'member', 'members']) assert.equal((await g('GET', `/schemas/${name}`)).json.name, name);
  });

  it('list: filters, sort=key:dir and sort_key/sort_dir, paging through next', async () => {
    const made = [];
    for (const [i, name] of ['l-a', 'l-b', 'l-c', 'l-d', 'l-e', 'l-f', 'l-g'].entries()) {
      made.push(await create({ name, container_format: i % 2 ? 'bare' : 'ovf', disk_format: 'raw', tags: i < 3 ? ['listed', `n${i}`] : ['listed'], ...(i === 4 ? { flavor: 'tiny' } : {}) }));
    }
    await upload(g, made[6].id, 'data');
    const names = async (q: string) => {
      const r = await g('GET', `/images?tag=listed&${q}`);
      assert.equal(r.status, 200, r.text);
      return r.json.images.map((i: any) => i.name);
    };
    assert.deepEqual(await names(''), ['l-g', 'l-f', 'l-e', 'l-d', 'l-c', 'l-b', 'l-a'], 'newest first by default');
    assert.deepEqual(await names('sort=name:asc'), ['l-a', 'l-b', 'l-c', 'l-d', 'l-e', 'l-f', 'l-g']);
    assert.deepEqual(await names('sort_key=container_format&sort_key=name&sort_dir=asc'), ['l-b', 'l-d', 'l-f', 'l-a', 'l-c', 'l-e', 'l-g']);
    assert.deepEqual(await names('sort=status:asc,name:desc&limit=2'), ['l-g', 'l-f']);
    assert.deepEqual(await names('name=l-c'), ['l-c']);
    assert.deepEqual(await names('status=active'), ['l-g']);
    assert.deepEqual(await names('container_format=bare&sort=name:asc'), ['l-b', 'l-d', 'l-f']);
    assert.deepEqual(await names('tag=n1'), ['l-b']);
    assert.deepEqual(await names('tag=n1&tag=n2'), [], 'several tags must all be there');
    assert.deepEqual(await names('flavor=tiny'), ['l-e'], 'a custom property filter');
    assert.deepEqual(await names(`owner=${alice.projectId}&visibility=shared&size_min=1`), ['l-g']);
    assert.deepEqual(await names('size=4'), ['l-g'], 'an exact size');
    assert.deepEqual(await names('size=5'), []);
    assert.deepEqual(await names(`id=${made[2].id}&min_ram=0&min_disk=0`), ['l-c']);
    const g7 = (await g('GET', `/images/${made[6].id}`)).json;
    assert.deepEqual(await names(`checksum=${g7.checksum}&os_hash_value=${g7.os_hash_value}`), ['l-g']);
    assert.deepEqual(await names('name=in:l-c,l-a,"l-x,y"&sort=name:asc'), ['l-a', 'l-c'], 'the in: operator');
    assert.deepEqual(await names(`id=in:${made[1].id},${made[0].id}&container_format=in:bare,ovf&sort=name:asc`), ['l-a', 'l-b']);
    assert.deepEqual(await names('created_at=lt:2000-01-01T00:00:00Z'), []);
    assert.deepEqual(await names(`created_at=eq:${made[0].created_at}&updated_at=gte:2000-01-01T00:00:00Z&name=l-a`), ['l-a'], 'eq: the whole second shown');

    const seen: string[] = [];
    let next: string | undefined = `${GLANCE}/images?tag=listed&sort=name:asc&limit=3`;
    const firsts = new Set<string>();
    while (next) {
      const r = await s.request('GET', next.startsWith('/v2') ? `/image${next}` : next, { token: alice.token });
      assert.equal(r.status, 200, r.text);
      seen.push(...r.json.images.map((i: any) => i.name));
      firsts.add(r.json.first);
      assert.equal(r.json.schema, '/v2/schemas/images');
      next = r.json.next;
    }
    assert.deepEqual(seen, ['l-a', 'l-b', 'l-c', 'l-d', 'l-e', 'l-f', 'l-g']);
    assert.deepEqual([...firsts], ['/v2/images?tag=listed&sort=name%3Aasc&limit=3'], '`first` is the query without the marker');

    for (const [q, message] of [['limit=x', /limit param must be an integer/], ['limit=-1', /positive/], ['sort_key=owner', /Invalid sort key/],
      ['sort_dir=sideways', /Invalid sort direction/], ['sort=name&sort_key=name', /cannot be combined/], ['member_status=maybe', /Invalid status/],
      ['visibility=secret', /Invalid visibility/], ['marker=nope', /Invalid marker/], [`marker=${UNKNOWN}`, /Invalid marker/], ['os_hidden=1', /os_hidden/],
      ['changes-since=2016-01-01', /no longer available/], ['size=big', /Invalid value for size/], ['min_ram=-1', /Invalid value for min_ram/],
      ['created_at=since:2016-01-01T00:00:00Z', /Invalid operator/], ['updated_at=gt:soon', /Invalid time/]] as const)
      assertGlanceError(await g('GET', `/images?${q}`), 400, message, q);
  });

  it('PATCH: replace, add and remove as Glance does; what may not change is a 403, 409 or 415', async () => {
    const img = await create({ name: 'p1', container_format: 'bare', disk_format: 'raw', os_distro: 'busybox' });
    const r = await patch(g, img.id, [{ op: 'replace', path: '/name', value: 'p2' }, { op: 'add', path: '/os_version', value: '1.36' },
      { op: 'remove', path: '/os_distro' }, { op: 'replace', path: '/tags', value: ['t'] }, { op: 'replace', path: '/min_disk', value: 2 },
      { op: 'replace', path: '/protected', value: true }]);
    assert.equal(r.status, 200, r.text);
    for (const [k, v] of Object.entries({ name: 'p2', os_version: '1.36', tags: ['t'], min_disk: 2, protected: true })) assert.deepEqual(r.json[k], v, k);
    assert.equal(r.json.os_distro, undefined);
    const draft4 = await g('PATCH', `/images/${img.id}`, { body: JSON.stringify([{ replace: '/name', value: 'p3' }]), headers: { 'Content-Type': 'application/openstack-images-v2.0-json-patch' } });
    assert.equal(draft4.json.name, 'p3', draft4.text);
    for (const field of ['id', 'status', 'checksum', 'size', 'virtual_size', 'created_at', 'updated_at', 'os_hash_value', 'file', 'self'])
      assertGlanceError(await patch(g, img.id, [{ op: 'replace', path: `/${field}`, value: 'x' }]), 403, new RegExp(`Attribute '${field}' is read-only`), field);
    assertGlanceError(await patch(g, img.id, [{ op: 'replace', path: '/owner', value: 'someone' }]), 403, /Owner can't be updated by non admin/);
    assertGlanceError(await patch(g, img.id, [{ op: 'remove', path: '/name' }]), 403, /may not be removed/);
    assertGlanceError(await patch(g, img.id, [{ op: 'replace', path: '/nope', value: 'v' }]), 409, /Property nope does not exist/);
    assertGlanceError(await patch(g, img.id, [{ op: 'replace', path: '/visibility', value: 'public' }]), 403, /image:publicize_image/);
    assertGlanceError(await patch(g, img.id, [{ op: 'replace', path: '/disk_format', value: 'floppy' }]), 400, /disk_format/);
    assertGlanceError(await patch(g, img.id, [{ op: 'replace', path: '/min_ram', value: -5 }]), 400, /negative/);
    assertGlanceError(await patch(g, img.id, { op: 'add' }), 400, /JSON array/);
    assertGlanceError(await g('PATCH', `/images/${img.id}`, { body: '[{', headers: { 'Content-Type': 'application/openstack-images-v2.1-json-patch' } }), 400, /Malformed JSON/);
    const wrongType = await g('PATCH', `/images/${img.id}`, { body: [{ op: 'replace', path: '/name', value: 'x' }] });
    assertGlanceError(wrongType, 415, /Image PATCH expects Content-Type one of/);
    assert.match(wrongType.headers.get('accept-patch') ?? '', /openstack-images-v2.1-json-patch/);
    assertGlanceError(await patch(glanceAs(s, reader.token), img.id, [{ op: 'replace', path: '/name', value: 'r' }]), 403, /image:modify_image/);
    assert.equal((await g('GET', `/images/${img.id}`)).json.name, 'p3', 'refused patches changed nothing');
    await upload(g, img.id, 'abc');
    assertGlanceError(await patch(g, img.id, [{ op: 'replace', path: '/container_format', value: 'ovf' }]), 403, /can be only replaced for a queued image/);
    const publicized = await patch(admin, img.id, [{ op: 'replace', path: '/visibility', value: 'public' }]);
    assert.equal(publicized.json.visibility, 'public', publicized.text);
  });

  it('tags, delete (protected: 403), deactivate and reactivate', async () => {
    const img = await create({ name: 'd1', container_format: 'bare', disk_format: 'raw', protected: true });
    assert.equal((await g('PUT', `/images/${img.id}/tags/blue`)).status, 204);
    assert.equal((await g('PUT', `/images/${img.id}/tags/blue`)).status, 204, 'adding a tag twice is no error');
    assert.deepEqual((await g('GET', `/images/${img.id}`)).json.tags, ['blue']);
    assert.equal((await g('DELETE', `/images/${img.id}/tags/blue`)).status, 204);
    assertGlanceError(await g('DELETE', `/images/${img.id}/tags/blue`), 404, /Tag blue not found/);
    assertGlanceError(await g('PUT', `/images/${img.id}/tags/${'t'.repeat(256)}`), 400, /255/);

    assertGlanceError(await g('POST', `/images/${img.id}/actions/deactivate`), 403, /Not allowed to deactivate image in status 'queued'/);
    await upload(g, img.id, 'payload');
    assert.equal((await g('POST', `/images/${img.id}/actions/deactivate`)).status, 204);
    assert.equal((await g('GET', `/images/${img.id}`)).json.status, 'deactivated');
    assertGlanceError(await g('GET', `/images/${img.id}/file`), 403, /has been deactivated/);
    assert.equal((await admin('GET', `/images/${img.id}/file`)).text, 'payload', 'an admin still downloads a deactivated image');
    assert.equal((await g('POST', `/images/${img.id}/actions/reactivate`)).status, 204);
    assert.equal((await g('GET', `/images/${img.id}/file`)).text, 'payload');
    assertGlanceError(await glanceAs(s, reader.token)('POST', `/images/${img.id}/actions/deactivate`), 403, /image:deactivate/);

    assertGlanceError(await g('DELETE', `/images/${img.id}`), 403, /is protected and cannot be deleted/);
    assertGlanceError(await glanceAs(s, reader.token)('DELETE', `/images/${img.id}`), 403, /image:delete_image/);
    await patch(g, img.id, [{ op: 'replace', path: '/protected', value: false }]);
    assert.equal((await g('DELETE', `/images/${img.id}`)).status, 204);
    assertGlanceError(await g('GET', `/images/${img.id}`), 404, new RegExp(`No image found with ID ${img.id}`));
  });

  it('unknown images are a 404 on every route; bad bodies a 400; no token a 401', async () => {
    for (const id of [UNKNOWN, 'not-a-uuid']) {
      for (const [method, path] of [['GET', ''], ['DELETE', ''], ['GET', '/file'], ['POST', '/actions/deactivate'], ['PUT', '/tags/x'], ['GET', '/members']] as const)
        assertGlanceError(await g(method, `/images/${id}${path}`), 404, /No image found/, `${method} ${path}`);
      assertGlanceError(await patch(g, id, [{ op: 'replace', path: '/name', value: 'x' }]), 404);
      assertGlanceError(await upload(g, id, 'x'), 404);
    }
    assertGlanceError(await g('POST', `/images/${UNKNOWN}/actions/explode`), 404);
    assertGlanceError(await g('GET', '/images/'), 404, /empty ID/, 'an empty image id is not the list');
    for (const [body, status, message] of [[{ container_format: 'tarball' }, 400, /container_format/], [{ visibility: 'everyone' }, 400, /Visibility/],
      [{ status: 'active' }, 403, /read-only/], [{ location: 'x' }, 403, /reserved/], [{ os_distro: 7 }, 400, /not a string/], [[1], 400, /JSON object/],
      [{ owner: 'someone-else' }, 403, /not permitted to create images owned by 'someone-else'/], [{ visibility: 'public' }, 403, /image:publicize_image/]] as const)
      assertGlanceError(await g('POST', '/images', { body }), status, message, JSON.stringify(body));
    assertGlanceError(await glanceAs(s, reader.token)('POST', '/images', { body: {} }), 403, /image:add_image/);
    assertGlanceError(await g('POST', '/images', { body: '{"name":', headers: { 'Content-Type': 'application/json' } }), 400, /Malformed JSON/);
    assertGlanceError(await glanceAs(s, 'not-a-token')('GET', '/images'), 401);
  });

  it('errors in the format the client asks for: JSON, HTML (any type) or plain text', async () => {
    const path = `${GLANCE}/images/${UNKNOWN}`;
    const html = await s.request('GET', path, { token: alice.token, headers: { Accept: '*/*' } });
    assert.match(html.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(html.text, new RegExp(`404 Not Found: No image found with ID ${UNKNOWN}`));
    const plain = await s.request('GET', path, { token: alice.token, headers: { Accept: 'text/plain' } });
    assert.match(plain.text, /^404 Not Found\n\nNo image found/);
    const none = await s.request('GET', path, { token: alice.token, headers: { Accept: '' } });
    assert.equal(none.json.title, 'Not Found', 'an empty Accept (openstacksdk uploads) gets JSON');
  });
});
