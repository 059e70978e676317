/**
 * The orchestration service driven by the stock `openstack stack ...` CLI (python3-heatclient) against a
 * real Docker engine, on each database: validate, create --wait of a two-container template with
 * depends_on and outputs, show/list/output show/resource list/event list, refused templates (nothing
 * made), another project's view, update (cpu changed in place, command changed → replaced), a
 * ResourceGroup of 5 scaled to 2, the Docker plugin's container, and delete --wait of all three stacks
 * leaving no container in Berth or in the engine.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { runCli } from './helpers.js';
import {
  addUser, eachEngineDialect, engineContainers, engineSkipReason, startEngineServer, stopEngineServer, zunAs,
  type EngineServer, type Zun,
} from './containers-fixture.js';

const skip = await engineSkipReason();

const APP = `heat_template_version: 2018-08-31
description: Two containers, the front one after the back one.
parameters:
  app_name:
    type: string
    description: Name of the front container.
resources:
  back:
    type: OS::Zun::Container
    properties:
      image: busybox
      command: sleep 3600
      cpu: 0.1
      memory: 32
  front:
    type: OS::Zun::Container
    depends_on: back
    properties:
      name: { get_param: app_name }
      image: busybox
      command: sleep 3600
      cpu: 0.1
      memory: 32
      environment:
        BACK: { get_resource: back }
outputs:
  front_name:
    description: The front container's name.
    value: { get_attr: [front, name] }
  back_id:
    value: { get_resource: back }
`;

/** app.yaml with back's cpu changed (updated in place) and front's command changed (replaced). */
const APP_V2 = APP.replace('      cpu: 0.1\n      memory: 32\n  front:', '      cpu: 0.2\n      memory: 32\n  front:')
  .replace('image: busybox\n      command: sleep 3600\n      cpu: 0.1\n      memory: 32\n      environment', 'image: busybox\n      command: sleep 3601\n      cpu: 0.1\n      memory: 32\n      environment');

const GROUP = `heat_template_version: 2018-08-31
parameters:
  count:
    type: number
    default: 5
resources:
  group:
    type: OS::Heat::ResourceGroup
    properties:
      count: { get_param: count }
      resource_def:
        type: OS::Zun::Container
        properties:
          name: g-%index%
          image: busybox
          command: sleep 3600
          cpu: 0.1
          memory: 16
`;

const DOCKER_PLUGIN = `heat_template_version: 2018-08-31
resources:
  web:
    type: DockerInc::Docker::Container
    properties:
      name: dk-web
      image: busybox
      cmd: [sleep, '3600']
      cpu_shares: 102
      memory: 16777216
outputs:
  ip:
    value: { get_attr: [web, network_ip] }
`;

const BAD: Record<string, [string, RegExp]> = {
  'invalid-yaml.yaml': ['heat_template_version: 2018-08-31\nresources: [unclosed\n', /ERROR|Error parsing/],
  'unknown-type.yaml': ['heat_template_version: 2018-08-31\nresources:\n  x:\n    type: OS::Nova::Nothing\n', /ERROR: .*OS::Nova::Nothing/],
  'cycle.yaml': ['heat_template_version: 2018-08-31\nresources:\n  a:\n    type: OS::Heat::None\n    depends_on: b\n  b:\n    type: OS::Heat::None\n    depends_on: a\n', /ERROR: .*[Cc]ircular|ERROR: .*cycle/],
  'missing-param.yaml': ['heat_template_version: 2018-08-31\nparameters:\n  size:\n    type: number\nresources:\n  v:\n    type: OS::Heat::Value\n    properties:\n      value: { get_param: size }\n', /ERROR: .*size/],
};

eachEngineDialect(skip, (dialect) => {
  let s: EngineServer;
  let env: Record<string, string>;
  let zun: Zun;
  let work: string;
  let stackId = '';

  const cli = (args: string[], e = env) => runCli(args, e, 180_000);
  const ok = async (args: string[], e = env) => {
    const r = await cli(args, e);
    assert.equal(r.code, 0, `openstack ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
    return r;
  };
  const json = async (args: string[], e = env) => JSON.parse((await ok([...args, '-f', 'json'], e)).stdout);

  before(async () => {
    s = await startEngineServer(dialect, 'stacks');
    env = s.openrcEnv();
    zun = zunAs(s, await s.adminToken());
    work = mkdtempSync(join(tmpdir(), 'berth-stacks-'));
    writeFileSync(join(work, 'app.yaml'), APP);
    writeFileSync(join(work, 'app-v2.yaml'), APP_V2);
    writeFileSync(join(work, 'group.yaml'), GROUP);
    writeFileSync(join(work, 'docker-plugin.yaml'), DOCKER_PLUGIN);
    for (const [file, [text]] of Object.entries(BAD)) writeFileSync(join(work, file), text);
  });
  after(async () => {
    await stopEngineServer(s);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('orchestration template validate -t app.yaml', async () => {
    const r = await ok(['orchestration', 'template', 'validate', '-t', join(work, 'app.yaml'), '-f', 'json']);
    const v = JSON.parse(r.stdout);
    assert.equal(v.Description, 'Two containers, the front one after the back one.');
    assert.ok(v.Parameters.app_name, r.stdout);
  });

  it('stack create -t app.yaml --parameter app_name=front --wait app', async () => {
    await ok(['stack', 'create', '-t', join(work, 'app.yaml'), '--parameter', 'app_name=front', '--wait', 'app']);
    const shown = await json(['stack', 'show', 'app']);
    assert.equal(shown.stack_status, 'CREATE_COMPLETE', JSON.stringify(shown));
    stackId = shown.id;
    const list = await json(['stack', 'list']);
    assert.deepEqual(list.map((x: any) => [x['Stack Name'], x['Stack Status']]), [['app', 'CREATE_COMPLETE']]);
    const out = await json(['stack', 'output', 'show', 'app', 'front_name']);
    assert.equal(out.output_value, 'front');
    const resources = await json(['stack', 'resource', 'list', 'app']);
    assert.deepEqual(resources.map((x: any) => [x.resource_name, x.resource_status]).sort(), [['back', 'CREATE_COMPLETE'], ['front', 'CREATE_COMPLETE']]);
    const events = await json(['stack', 'event', 'list', 'app']);
    const order = events.map((e: any) => `${e.resource_name} ${e.resource_status}`);
    assert.ok(order.indexOf('back CREATE_COMPLETE') < order.indexOf('front CREATE_IN_PROGRESS'), `front waits for back: ${order.join(', ')}`);
    assert.ok(order.includes('app CREATE_COMPLETE'), order.join(', '));
    // The containers run, labelled with the stack; the front one knows the back one's id.
    const back = resources.find((x: any) => x.resource_name === 'back').physical_resource_id;
    const front = await zun('GET', '/containers/front');
    assert.equal(front.status, 200, front.text);
    assert.equal(front.json.status, 'Running');
    assert.equal(front.json.environment.BACK, back);
    assert.equal(front.json.labels['berth.stack-id'], stackId);
    assert.equal((await engineContainers(`berth.stack-id=${stackId}`)).length, 2);
  });

  it('refuses invalid YAML, an unknown type, a cycle and a missing parameter with ERROR: and makes nothing', async () => {
    await Promise.all(Object.entries(BAD).map(async ([file, [, want]]) => {
      const r = await cli(['stack', 'create', '-t', join(work, file), `bad-${file.replace('.yaml', '')}`]);
      assert.notEqual(r.code, 0, `${file}: ${r.stdout}`);
      assert.match(r.stderr, want, file);
      assert.doesNotMatch(r.stderr, /Traceback|HTTP 500/, file);
    }));
    const list = await json(['stack', 'list']);
    assert.deepEqual(list.map((x: any) => x['Stack Name']), ['app']);
  });

  it('another project sees no stack of this one', async () => {
    const other = await addUser(s, await s.adminToken(), { user: `stk-${dialect.name}`, project: `stk-other-${dialect.name}`, role: 'member' });
    assert.deepEqual(await json(['stack', 'list'], other.env), []);
    const show = await cli(['stack', 'show', 'app'], other.env);
    assert.notEqual(show.code, 0);
    assert.match(show.stderr, /not found|could not be found/i);
    const byId = await s.request('GET', `/orchestration/v1/${other.projectId}/stacks/app/${stackId}`, { token: other.token });
    assert.equal(byId.status, 404, byId.text);
    assert.equal(byId.json.error.type, 'EntityNotFound');
  });

  const running = async () => {
    const r = await zun('GET', '/containers');
    assert.equal(r.status, 200, r.text);
    for (const c of r.json.containers) seen.add(c.uuid);
    return r.json.containers as any[];
  };
  const seen = new Set<string>();

  it('stack update -t app-v2.yaml --wait app: cpu changed in place, command changed replaced', async () => {
    const before = await json(['stack', 'resource', 'list', 'app']);
    const idOf = (list: any[], name: string) => list.find((x: any) => x.resource_name === name).physical_resource_id;
    await ok(['stack', 'update', '-t', join(work, 'app-v2.yaml'), '--parameter', 'app_name=front', '--wait', 'app']);
    const shown = await json(['stack', 'show', 'app']);
    assert.equal(shown.stack_status, 'UPDATE_COMPLETE', JSON.stringify(shown));
    const after = await json(['stack', 'resource', 'list', 'app']);
    assert.equal(idOf(after, 'back'), idOf(before, 'back'), 'back is updated in place');
    assert.notEqual(idOf(after, 'front'), idOf(before, 'front'), 'front is replaced');
    const back = await zun('GET', `/containers/${idOf(after, 'back')}`);
    assert.equal(back.status, 200, back.text);
    assert.equal(back.json.cpu, 0.2);
    const front = await zun('GET', `/containers/${idOf(after, 'front')}`);
    assert.equal(front.status, 200, front.text);
    assert.equal(front.json.status, 'Running');
    assert.deepEqual(front.json.command, ['sleep', '3601']);
    assert.equal((await zun('GET', `/containers/${idOf(before, 'front')}`)).status, 404, 'the old front is gone');
    assert.equal((await running()).length, 2);
  });

  it('stack create -t group.yaml --wait grp makes 5 containers; update count=2 removes 3', async () => {
    const members = async () => (await running()).filter((c) => c.name.startsWith('g-'));
    await ok(['stack', 'create', '-t', join(work, 'group.yaml'), '--wait', '--poll', '1', 'grp']);
    assert.equal((await json(['stack', 'show', 'grp'])).stack_status, 'CREATE_COMPLETE');
    const five = await members();
    assert.deepEqual(five.map((c) => c.name).sort(), ['g-0', 'g-1', 'g-2', 'g-3', 'g-4']);
    assert.ok(five.every((c) => c.status === 'Running'), JSON.stringify(five.map((c) => c.status)));
    await ok(['stack', 'update', '-t', join(work, 'group.yaml'), '--parameter', 'count=2', '--wait', 'grp']);
    assert.equal((await json(['stack', 'show', 'grp'])).stack_status, 'UPDATE_COMPLETE');
    const two = await members();
    assert.deepEqual(two.map((c) => c.name).sort(), ['g-0', 'g-1']);
    assert.deepEqual(two.map((c) => c.uuid).sort(), five.filter((c) => ['g-0', 'g-1'].includes(c.name)).map((c) => c.uuid).sort(), 'the kept members are the same containers');
  });

  it('stack create -t docker-plugin.yaml --wait dk runs a DockerInc::Docker::Container', async () => {
    await ok(['stack', 'create', '-t', join(work, 'docker-plugin.yaml'), '--wait', '--poll', '1', 'dk']);
    assert.equal((await json(['stack', 'show', 'dk'])).stack_status, 'CREATE_COMPLETE');
    const res = await json(['stack', 'resource', 'show', 'dk', 'web']);
    assert.equal(res.resource_type, 'DockerInc::Docker::Container');
    assert.equal(res.resource_status, 'CREATE_COMPLETE');
    const c = await zun('GET', `/containers/${res.physical_resource_id}`);
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.name, 'dk-web');
    assert.equal(c.json.status, 'Running');
    assert.deepEqual(c.json.command, ['sleep', '3600']);
    assert.equal(res.attributes.info.uuid, res.physical_resource_id, JSON.stringify(res.attributes));
    assert.equal(res.attributes.info.status, 'Running');
    assert.ok('network_ip' in res.attributes, JSON.stringify(res.attributes));
  });

  it('stack delete --yes --wait app grp dk leaves no container in Berth or in the engine', async () => {
    const ids = await Promise.all(['app', 'grp', 'dk'].map(async (n) => (await json(['stack', 'show', n])).id as string));
    await ok(['stack', 'delete', '--yes', '--wait', 'app', 'grp', 'dk']);
    const list = await json(['stack', 'list']);
    assert.deepEqual(list, []);
    assert.deepEqual(await running(), []);
    for (const id of [stackId, ...ids]) assert.deepEqual(await engineContainers(`berth.stack-id=${id}`), [], id);
    for (const uuid of seen) assert.deepEqual(await engineContainers(`berth.container-uuid=${uuid}`), [], uuid);
  });
}, { timeout: 600_000 });
