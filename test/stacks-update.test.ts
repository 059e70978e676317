/**
 * Stacks over the orchestration API against a real Docker engine, on each database: update (cpu changed
 * in place, command changed → replaced), a ResourceGroup scaled 5 → 2, the Docker plugin's container
 * (and its refused endpoint and privileged mode), a create over quota failing with the quota's message,
 * and deletes that leave no container behind.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { waitFor } from './helpers.js';
import {
  addUser, eachEngineDialect, engineContainers, engineSkipReason, startEngineServer, stopEngineServer, zunAs,
  type EngineServer, type TestUser, type Zun,
} from './containers-fixture.js';

const skip = await engineSkipReason();
const HEAT = '/orchestration/v1';

const container = (props: Record<string, unknown>) => ({ type: 'OS::Zun::Container', properties: { image: 'busybox', command: 'sleep 3600', cpu: 0.1, memory: 32, ...props } });
const hot = (resources: Record<string, unknown>, outputs: Record<string, unknown> = {}) => ({ heat_template_version: '2018-08-31', resources, outputs });

eachEngineDialect(skip, (dialect) => {
  let s: EngineServer;
  let user: TestUser;
  let zun: Zun;

  const heat = (method: string, path: string, body?: unknown) => s.request(method, `${HEAT}${path}`, { token: user.token, body });
  const settle = async (name: string) => {
    let last: any;
    await waitFor(`stack ${name} to settle`, async () => {
      const r = await heat('GET', `/stacks/${name}`);
      last = r.json?.stack;
      return r.status === 200 && !String(last?.stack_status).endsWith('IN_PROGRESS');
    }, 120_000, 200);
    return last;
  };
  const create = async (name: string, template: unknown, extra: Record<string, unknown> = {}) => {
    const r = await heat('POST', '/stacks', { stack_name: name, template, ...extra });
    assert.equal(r.status, 201, r.text);
    return settle(name);
  };
  const resources = async (name: string, depth = 0) => {
    const r = await heat('GET', `/stacks/${name}/resources?nested_depth=${depth}`);
    assert.equal(r.status, 200, r.text);
    return Object.fromEntries(r.json.resources.map((x: any) => [x.resource_name, x]));
  };
  const containerNames = async () => ((await zun('GET', '/containers')).json.containers as any[]).map((c) => c.name).sort();

  before(async () => {
    s = await startEngineServer(dialect, 'stackup');
    user = await addUser(s, await s.adminToken(), { user: 'stacker', project: 'stackers', role: 'member' });
    zun = zunAs(s, user.token);
  });
  after(() => stopEngineServer(s));

  it('update: cpu changes in place, a changed command replaces the container', async () => {
    const v1 = hot({ back: container({ name: 'back' }), front: { ...container({ name: 'front' }), depends_on: 'back' } });
    assert.equal((await create('app', v1)).stack_status, 'CREATE_COMPLETE');
    const before1 = await resources('app');
    const v2 = hot({ back: container({ name: 'back', command: 'sleep 7200' }), front: { ...container({ name: 'front', cpu: 0.2 }), depends_on: 'back' } });
    const r = await heat('PUT', '/stacks/app', { template: v2 });
    assert.equal(r.status, 202, r.text);
    const shown = await settle('app');
    assert.equal(shown.stack_status, 'UPDATE_COMPLETE', shown.stack_status_reason);
    const after1 = await resources('app');
    assert.equal(after1.front.physical_resource_id, before1.front.physical_resource_id, 'front updated in place');
    assert.notEqual(after1.back.physical_resource_id, before1.back.physical_resource_id, 'back replaced');
    const front = await zun('GET', `/containers/${after1.front.physical_resource_id}`);
    assert.equal(front.json.cpu, 0.2);
    assert.equal((await zun('GET', `/containers/${before1.back.physical_resource_id}`)).status, 404);
    const back = await zun('GET', `/containers/${after1.back.physical_resource_id}`);
    assert.deepEqual(back.json.command, ['sleep', '7200']);
    assert.deepEqual(await containerNames(), ['back', 'front']);
  });

  it('a ResourceGroup of 5 containers scales to 2 (the highest indexes removed)', async () => {
    const group = (count: number) => hot({
      grp: { type: 'OS::Heat::ResourceGroup', properties: { count, resource_def: container({ name: 'g-%index%' }) } },
    }, { names: { value: { get_attr: ['grp', 'name'] } } });
    const created = await create('grp', group(5));
    assert.equal(created.stack_status, 'CREATE_COMPLETE', created.stack_status_reason);
    assert.deepEqual(created.outputs[0].output_value, ['g-0', 'g-1', 'g-2', 'g-3', 'g-4']);
    assert.equal(Object.keys(await resources('grp')).length, 1, 'members are nested');
    assert.equal(Object.keys(await resources('grp', 1)).length, 6);
    const r = await heat('PATCH', '/stacks/grp', { template: group(2) });
    assert.equal(r.status, 202, r.text);
    const shown = await settle('grp');
    assert.equal(shown.stack_status, 'UPDATE_COMPLETE', shown.stack_status_reason);
    assert.deepEqual(shown.outputs[0].output_value, ['g-0', 'g-1']);
    assert.deepEqual((await containerNames()).filter((n) => n.startsWith('g-')), ['g-0', 'g-1']);
  });

  it('DockerInc::Docker::Container runs on this cloud; another endpoint and privileged mode are refused', async () => {
    const dk = (props: Record<string, unknown>) => hot({ c: { type: 'DockerInc::Docker::Container', properties: { image: 'busybox', cmd: ['sleep', '3600'], name: 'dk', ...props } } },
      { ip: { value: { get_attr: ['c', 'network_ip'] } } });
    const foreign = await heat('POST', '/stacks', { stack_name: 'dk-bad', template: dk({ docker_endpoint: 'tcp://10.1.2.3:2375' }) });
    assert.equal(foreign.status, 400, foreign.text);
    assert.match(foreign.json.error.message, /docker_endpoint/);
    const privileged = await heat('POST', '/stacks', { stack_name: 'dk-priv', template: dk({ privileged: true }) });
    assert.equal(privileged.status, 403, privileged.text);
    const created = await create('dk', dk({}));
    assert.equal(created.stack_status, 'CREATE_COMPLETE', created.stack_status_reason);
    const c = (await zun('GET', '/containers/dk')).json;
    assert.equal(c.status, 'Running');
    assert.equal((await heat('GET', '/stacks?stack_name=dk-bad')).json.stacks.length, 0);
  });

  it('a create over quota fails with the quota\'s message', async () => {
    const admin = await s.adminToken();
    const q = await s.request('PUT', `/container/v1/quotas/${user.projectId}`, { token: admin, body: { containers: 6 } });
    assert.equal(q.status, 200, q.text);
    const failed = await create('big', hot({ a: container({}), b: container({}) }));
    assert.equal(failed.stack_status, 'CREATE_FAILED');
    assert.match(failed.stack_status_reason, /Quota exceeded/);
    await s.request('PUT', `/container/v1/quotas/${user.projectId}`, { token: admin, body: { containers: -1 } });
  });

  it('a failed create with rollback enabled removes what it made', async () => {
    const template = hot({ c: container({ name: 'rb' }), boom: { type: 'OS::Heat::TestResource', depends_on: 'c', properties: { fail: true, value: 'on purpose' } } });
    const r = await heat('POST', '/stacks', { stack_name: 'rb', template, disable_rollback: false });
    assert.equal(r.status, 201, r.text);
    let shown: any;
    await waitFor('the rollback to end', async () => {
      shown = (await heat('GET', '/stacks/rb')).json?.stack;
      return ['ROLLBACK_COMPLETE', 'ROLLBACK_FAILED'].includes(shown?.stack_status);
    }, 120_000, 200);
    assert.equal(shown.stack_status, 'ROLLBACK_COMPLETE', shown.stack_status_reason);
    assert.deepEqual(await resources('rb'), {});
    assert.equal((await zun('GET', '/containers/rb')).status, 404);
    const events = (await heat('GET', '/stacks/rb/events')).json.events.map((e: any) => `${e.resource_name} ${e.resource_status}`);
    for (const want of ['boom CREATE_FAILED', 'rb CREATE_FAILED', 'rb ROLLBACK_IN_PROGRESS', 'c DELETE_COMPLETE', 'rb ROLLBACK_COMPLETE']) assert.ok(events.includes(want), `${want} in ${events.join(', ')}`);
  });

  it('deleting every stack leaves no container in Berth or the engine', async () => {
    for (const name of ['app', 'grp', 'dk', 'big', 'rb']) assert.equal((await heat('DELETE', `/stacks/${name}`)).status, 204, name);
    await waitFor('every stack to be gone', async () => (await heat('GET', '/stacks')).json.stacks.length === 0, 120_000, 200);
    assert.deepEqual(await containerNames(), []);
    assert.deepEqual(await engineContainers(`berth.cloud=${s.cloudId}`), []);
  });
}, { timeout: 600_000 });
