/**
 * The admin-editable catalog (issue 13), with the stock `openstack` CLI and over HTTP, on each database:
 * regions, services and endpoints admins register show in tokens and `catalog list`; Berth's own entries
 * cannot be deleted; bad references are 400/404 in Keystone's error format; a project's endpoint filter
 * limits its token catalog.
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

  before(async () => {
    s = await startTestServer(dialect);
    adminToken = await s.adminToken();
    admin = s.openrcEnv();
  });
  after(async () => {
    await s?.stop();
  });

  it('openstack region/service/endpoint create, endpoint list, catalog list shows the new service', async () => {
    const region = await cliJson(['region', 'create', '--description', 'far away', 'RegionTwo'], admin);
    assert.equal(region.region, 'RegionTwo');
    const svc = await cliJson(['service', 'create', '--name', 'ext-glance', '--description', 'an external image service', 'image-ext'], admin);
    assert.equal(svc.type, 'image-ext');
    const ep = await cliJson(['endpoint', 'create', '--region', 'RegionTwo', svc.id, 'public', 'http://127.0.0.1:9/glance'], admin);
    assert.equal(ep.url, 'http://127.0.0.1:9/glance');
    const listed = await cliJson(['endpoint', 'list', '--service', svc.id], admin);
    assert.deepEqual(listed.map((e: { ID: string }) => e.ID), [ep.id]);
    const catalog = await cliJson(['catalog', 'list'], admin);
    const entry = catalog.find((c: { Name: string }) => c.Name === 'ext-glance');
    assert.ok(entry, JSON.stringify(catalog));
    assert.match(JSON.stringify(entry.Endpoints), /127\.0\.0\.1:9\/glance/);
    assert.ok(catalog.find((c: { Type: string }) => c.Type === 'identity'), 'Berth\'s own services stay');
    // In use: the region holds an endpoint.
    assert.notEqual((await runCli(['region', 'delete', 'RegionTwo'], admin)).code, 0);
    assert.equal((await runCli(['endpoint', 'delete', ep.id], admin)).code, 0);
    assert.equal((await runCli(['service', 'delete', svc.id], admin)).code, 0);
    assert.equal((await runCli(['region', 'delete', 'RegionTwo'], admin)).code, 0);
    assert.equal((await cliJson(['catalog', 'list'], admin)).find((c: { Name: string }) => c.Name === 'ext-glance'), undefined);
  });

  it('Berth\'s own services, endpoints and region cannot be deleted: 403 with a message', async () => {
    const identity = (await api('GET', `${V3}/services?type=identity`)).json.services[0];
    const del = await api('DELETE', `${V3}/services/${identity.id}`);
    assert.equal(del.status, 403);
    assert.match(del.json.error.message, /Berth serves itself/);
    const cli = await runCli(['service', 'delete', identity.id], admin);
    assert.notEqual(cli.code, 0);
    const own = (await api('GET', `${V3}/endpoints?service_id=${identity.id}&interface=public`)).json.endpoints;
    assert.equal(own.length, 1);
    assert.equal((await api('DELETE', `${V3}/endpoints/${own[0].id}`)).status, 403);
    assert.equal((await api('DELETE', `${V3}/regions/${own[0].region_id}`)).status, 403);
    assert.equal((await api('GET', `${V3}/services/${identity.id}`)).status, 200);
  });

  it('bad input: unknown service or region, bad interface, string booleans; nothing half-made', async () => {
    const svc = (await api('POST', `${V3}/services`, { service: { type: 'bad-input', name: 'bi' } })).json.service;
    const before = (await api('GET', `${V3}/endpoints`)).json.endpoints.length;
    const unknownService = await api('POST', `${V3}/endpoints`, { endpoint: { service_id: 'nope', interface: 'public', url: 'http://127.0.0.1:1' } });
    assert.equal(unknownService.status, 400);
    assert.equal(unknownService.json.error.code, 400);
    assert.match(unknownService.json.error.message, /service/);
    const unknownRegion = await api('POST', `${V3}/endpoints`, { endpoint: { service_id: svc.id, region_id: 'Nowhere', interface: 'public', url: 'http://127.0.0.1:1' } });
    assert.equal(unknownRegion.status, 400);
    assert.equal((await api('POST', `${V3}/endpoints`, { endpoint: { service_id: svc.id, interface: 'sideways', url: 'http://127.0.0.1:1' } })).status, 400);
    assert.equal((await api('POST', `${V3}/endpoints`, { endpoint: { service_id: svc.id, interface: 'public', url: 'http://127.0.0.1:1', enabled: 'True' } })).status, 400);
    assert.equal((await api('POST', `${V3}/regions`, { region: { parent_region_id: 'Nowhere' } })).status, 400);
    assert.equal((await api('GET', `${V3}/endpoints`)).json.endpoints.length, before);
    const missing = await api('GET', `${V3}/regions/Nowhere`);
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error.title, 'Not Found');
    assert.equal((await api('DELETE', `${V3}/services/nope`)).status, 404);
  });

  it('a project with an endpoint filter sees only those endpoints in its token catalog', async () => {
    const project = (await api('POST', `${V3}/projects`, { project: { name: 'filtered' } })).json.project.id;
    const user = (await api('POST', `${V3}/users`, { user: { name: 'filtered-user', password: 'filtered-pass' } })).json.user.id;
    const member = (await api('GET', `${V3}/roles?name=member`)).json.roles[0].id;
    await api('PUT', `${V3}/projects/${project}/users/${user}/roles/${member}`);
    const catalogOf = async () => {
      const t = await s.request('POST', `${V3}/auth/tokens`, { body: passwordAuth('filtered-user', 'filtered-pass', 'filtered') });
      assert.equal(t.status, 201, t.text);
      return t.json.token.catalog as { type: string; endpoints: { id: string }[] }[];
    };
    assert.ok((await catalogOf()).length >= 5);
    const identity = (await api('GET', `${V3}/services?type=identity`)).json.services[0].id;
    const pub = (await api('GET', `${V3}/endpoints?service_id=${identity}&interface=public`)).json.endpoints[0].id;
    assert.equal((await api('PUT', `${V3}/OS-EP-FILTER/projects/${project}/endpoints/${pub}`)).status, 204);
    const filtered = await catalogOf();
    assert.deepEqual(filtered.map((c) => [c.type, c.endpoints.map((e) => e.id)]), [['identity', [pub]]]);
    // An endpoint group adds every endpoint matching its filters.
    const group = await api('POST', `${V3}/OS-EP-FILTER/endpoint_groups`, { endpoint_group: { name: 'internal', filters: { interface: 'internal' } } });
    assert.equal(group.status, 201, group.text);
    assert.equal((await api('PUT', `${V3}/OS-EP-FILTER/endpoint_groups/${group.json.endpoint_group.id}/projects/${project}`)).status, 204);
    const widened = await catalogOf();
    assert.ok(widened.length >= 5);
    assert.equal(widened.find((c) => c.type === 'identity')?.endpoints.length, 2);
    assert.equal((await api('DELETE', `${V3}/OS-EP-FILTER/projects/${project}/endpoints/${pub}`)).status, 204);
    assert.equal((await api('DELETE', `${V3}/OS-EP-FILTER/endpoint_groups/${group.json.endpoint_group.id}`)).status, 204);
    assert.ok((await catalogOf()).length >= 5, 'no filter left: the whole catalog');
  });
});
