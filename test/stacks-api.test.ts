/**
 * The orchestration API beyond stacks of containers, on each database (no engine needed): Heat's
 * response headers (plain application/json, Location of a created stack), resource list filters, mark
 * unhealthy (CHECK_FAILED, then replaced by the next update), signals refused, template functions,
 * the template a resource type generates, and software configs and deployments kept per project.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { eachDialect, startTestServer, waitFor, type TestServer } from './helpers.js';
import { addUser, type TestUser } from './containers-fixture.js';

const HEAT = '/orchestration/v1';

const testTemplate = (value: string) => ({
  heat_template_version: '2016-04-08',
  resources: { test: { type: 'OS::Heat::TestResource', properties: { value } } },
  outputs: { out: { value: { get_attr: ['test', 'output'] } } },
});

eachDialect((dialect) => {
  let s: TestServer;
  let user: TestUser;
  let other: TestUser;

  const heatAs = (token: string) => (method: string, path: string, body?: unknown) => s.request(method, `${HEAT}${path}`, { token, body });
  let heat: ReturnType<typeof heatAs>;
  const settle = async (name: string) => {
    let last: any;
    await waitFor(`stack ${name} to settle`, async () => {
      const r = await heat('GET', `/stacks/${name}`);
      last = r.json?.stack;
      return r.status === 200 && !String(last?.stack_status).endsWith('IN_PROGRESS');
    }, 30_000, 50);
    return last;
  };

  before(async () => {
    s = await startTestServer(dialect);
    const admin = await s.adminToken();
    user = await addUser(s, admin, { user: 'heater', project: 'heaters', role: 'member' });
    other = await addUser(s, admin, { user: 'outsider', project: 'outsiders', role: 'member' });
    heat = heatAs(user.token);
  });
  after(() => s.stop());

  it('answers plain application/json and gives a created stack its Location', async () => {
    const r = await heat('POST', '/stacks', { stack_name: 'loc', template: testTemplate('a') });
    assert.equal(r.status, 201, r.text);
    assert.match(r.headers.get('location') ?? '', new RegExp(`/orchestration/v1/${user.projectId}/stacks/loc/${r.json.stack.id}$`));
    assert.equal(r.headers.get('content-type'), 'application/json');
    assert.equal((await settle('loc')).stack_status, 'CREATE_COMPLETE');
    const missing = await heat('GET', '/stacks/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('content-type'), 'application/json');
    assert.equal(missing.json.error.type, 'EntityNotFound');
    // A URL the router refuses before any orchestration route sees it is still answered in Heat's format.
    const bad = await heat('GET', '/stacks/%E0%A4%A');
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.json.code, 400);
    assert.equal(typeof bad.json.error.message, 'string');
  });

  it('filters resources by type, status and name', async () => {
    const base = `/stacks/loc/${(await settle('loc')).id}/resources`;
    const names = async (q: string) => ((await heat('GET', `${base}?${q}`)).json.resources as any[]).map((x) => x.resource_name);
    assert.deepEqual(await names('type=OS::Nova::Server'), []);
    assert.deepEqual(await names('type=OS::Heat::TestResource'), ['test']);
    assert.deepEqual(await names('status=COMPLETE'), ['test']);
    assert.deepEqual(await names('status=CREATE_FAILED'), []);
    assert.deepEqual(await names('name=test&action=CREATE'), ['test']);
  });

  it('marks a resource unhealthy; the next update replaces it; signals are refused', async () => {
    const stack = await settle('loc');
    const res = `/stacks/loc/${stack.id}/resources/test`;
    const before1 = (await heat('GET', res)).json.resource;
    assert.equal((await heat('PATCH', res, { mark_unhealthy: true, resource_status_reason: 'gone bad' })).status, 200);
    const marked = (await heat('GET', res)).json.resource;
    assert.equal(marked.resource_status, 'CHECK_FAILED');
    assert.equal(marked.resource_status_reason, 'gone bad');
    const events = (await heat('GET', `/stacks/loc/${stack.id}/events?resource_action=CHECK`)).json.events as any[];
    assert.deepEqual(events.map((e) => e.resource_status), ['CHECK_FAILED']);
    assert.equal((await heat('PATCH', res, { mark_unhealthy: 'maybe' })).status, 400);
    assert.equal((await heat('PATCH', res, { resource_status_reason: 'x' })).status, 400);
    assert.equal((await heat('PATCH', `/stacks/loc/${stack.id}/resources/nope`, { mark_unhealthy: true })).status, 404);
    const signal = await heat('POST', `${res}/signal`);
    assert.equal(signal.status, 400);
    assert.equal(signal.json.error.message, 'signal is not supported for resource.');
    assert.equal((await heat('PATCH', `/stacks/loc/${stack.id}`, { parameters: {} })).status, 202);
    assert.equal((await settle('loc')).stack_status, 'UPDATE_COMPLETE');
    const after1 = (await heat('GET', res)).json.resource;
    assert.equal(after1.resource_status, 'CREATE_COMPLETE');
    assert.notEqual(after1.physical_resource_id, before1.physical_resource_id, 'replaced');
    assert.equal((await heat('PATCH', res, { mark_unhealthy: false })).status, 200);
    assert.equal((await heat('GET', res)).json.resource.resource_status, 'CREATE_COMPLETE', 'healthy stays as it was');
  });

  it('includes sent files with get_file, and refuses a template naming a file not sent', async () => {
    const template = { ...testTemplate('x'), resources: { test: { type: 'OS::Heat::TestResource', properties: { value: { get_file: 'msg.txt' } } } } };
    const r = await heat('POST', '/stacks', { stack_name: 'withfile', template, files: { 'msg.txt': 'from a file' } });
    assert.equal(r.status, 201, r.text);
    const shown = await settle('withfile');
    assert.equal(shown.stack_status, 'CREATE_COMPLETE', shown.stack_status_reason);
    assert.deepEqual(shown.outputs.map((o: any) => o.output_value), ['from a file']);
    const refused = await heat('POST', '/stacks', { stack_name: 'nofile', template });
    assert.equal(refused.status, 400);
    assert.match(refused.json.error.message, /No content found in the "files" section for get_file path: msg.txt/);
    assert.equal((await heat('GET', '/stacks/nofile')).status, 404, 'nothing made');
    const validate = await heat('POST', '/validate', { template, files: { 'msg.txt': 'x' } });
    assert.equal(validate.status, 200, validate.text);
  });

  it('lists a template version\'s functions and generates a resource type\'s template', async () => {
    const f = await heat('GET', '/template_versions/heat_template_version.2016-04-08/functions');
    assert.equal(f.status, 200, f.text);
    const byName = Object.fromEntries((f.json.template_functions as any[]).map((x) => [x.functions, x.description]));
    assert.equal(byName.get_file, 'A function for including a file inline.');
    assert.equal(byName.if, undefined);
    const c = await heat('GET', '/template_versions/heat_template_version.2016-10-14/functions?with_condition_func=true');
    assert.ok((c.json.template_functions as any[]).some((x) => x.functions === 'equals'));
    assert.equal((await heat('GET', '/template_versions/heat_template_version.1999-01-01/functions')).status, 404);
    const t = await heat('GET', '/resource_types/OS::Heat::TestResource/template?template_type=hot');
    assert.equal(t.status, 200, t.text);
    assert.equal(t.json.resources.TestResource.type, 'OS::Heat::TestResource');
    assert.deepEqual(t.json.resources.TestResource.properties.value, { get_param: 'value' });
    assert.match(t.json.heat_template_version, /^20\d\d-\d\d-\d\d$/);
    const cfn = await heat('GET', '/resource_types/OS::Heat::TestResource/template');
    assert.equal(cfn.json.AWSTemplateFormatVersion, '2010-09-09');
    assert.equal((await heat('GET', '/resource_types/OS::Heat::TestResource/template?template_type=xml')).status, 400);
    assert.equal((await heat('GET', '/resource_types/OS::No::Such/template')).status, 404);
  });

  it('stores software configs and deployments per project', async () => {
    const cfg = await heat('POST', '/software_configs', { name: 'hello', group: 'script', config: '#!/bin/sh\necho hi', inputs: [{ name: 'who' }] });
    assert.equal(cfg.status, 200, cfg.text);
    const c = cfg.json.software_config;
    assert.deepEqual({ name: c.name, group: c.group, config: c.config, inputs: c.inputs, outputs: c.outputs, options: c.options },
      { name: 'hello', group: 'script', config: '#!/bin/sh\necho hi', inputs: [{ name: 'who' }], outputs: [], options: {} });
    assert.equal((await heat('GET', `/software_configs/${c.id}`)).json.software_config.config, '#!/bin/sh\necho hi');
    assert.equal((await heat('POST', '/software_configs', { config: 5 })).status, 400);
    const dep = await heat('POST', '/software_deployments', { config_id: c.id, server_id: 'srv-1', action: 'ACTION0', input_values: { who: 'me' } });
    assert.equal(dep.status, 200, dep.text);
    const d = dep.json.software_deployment;
    assert.deepEqual([d.action, d.status, d.server_id, d.input_values], ['ACTION0', 'COMPLETE', 'srv-1', { who: 'me' }]);
    assert.equal((await heat('POST', '/software_deployments', { config_id: 'nope', server_id: 'srv-1' })).status, 404);
    const meta = await heat('GET', '/software_deployments/metadata/srv-1');
    assert.deepEqual((meta.json.metadata as any[]).map((m) => [m.id, m.group]), [[c.id, 'script']]);
    const up = await heat('PUT', `/software_deployments/${d.id}`, { action: 'ACTION1', status: 'IN_PROGRESS', status_reason: 'working' });
    assert.deepEqual([up.json.software_deployment.action, up.json.software_deployment.status, up.json.software_deployment.status_reason], ['ACTION1', 'IN_PROGRESS', 'working']);
    const failed = await heat('PUT', `/software_deployments/${d.id}`, { output_values: { deploy_status_code: 2 } });
    assert.equal(failed.json.software_deployment.status, 'FAILED');
    const done = await heat('PUT', `/software_deployments/${d.id}`, { output_values: { deploy_stdout: 'hi', deploy_status_code: 0 } });
    assert.deepEqual([done.json.software_deployment.status, done.json.software_deployment.status_reason], ['COMPLETE', 'Outputs received']);
    assert.deepEqual(((await heat('GET', '/software_configs')).json.software_configs as any[]).map((x) => x.id), [c.id]);
    assert.deepEqual(((await heat('GET', '/software_deployments?server_id=srv-1')).json.software_deployments as any[]).map((x) => x.id), [d.id]);
    assert.deepEqual((await heat('GET', '/software_deployments?server_id=srv-2')).json.software_deployments, []);

    // Another project sees none of it.
    const outsider = heatAs(other.token);
    assert.deepEqual((await outsider('GET', '/software_configs')).json.software_configs, []);
    assert.equal((await outsider('GET', `/software_configs/${c.id}`)).status, 404);
    assert.equal((await outsider('DELETE', `/software_deployments/${d.id}`)).status, 404);
    assert.deepEqual((await outsider('GET', '/software_deployments/metadata/srv-1')).json.metadata, []);

    const inUse = await heat('DELETE', `/software_configs/${c.id}`);
    assert.equal(inUse.status, 409, inUse.text);
    assert.equal((await heat('DELETE', `/software_deployments/${d.id}`)).status, 204);
    assert.equal((await heat('DELETE', `/software_configs/${c.id}`)).status, 204);
    assert.equal((await heat('GET', `/software_configs/${c.id}`)).status, 404);
  });
});
