/**
 * The orchestration service driven by the stock `openstack stack ...` CLI (python3-heatclient) against a
 * real Docker engine, on each database: validate, create --wait of a two-container template with
 * depends_on and outputs, show/list/output show/resource list/event list, refused templates (nothing
 * made), another project's view, and delete --wait leaving no container in Berth or in the engine.
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
    await ok(['stack', 'create', '-t', join(work, 'app.yaml'), '--parameter', 'app_name=front', '--wait', '--poll', '1', 'app']);
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

  it('stack delete --yes --wait app leaves no container in Berth or in the engine', async () => {
    await ok(['stack', 'delete', '--yes', '--wait', 'app']);
    const list = await json(['stack', 'list']);
    assert.deepEqual(list, []);
    const containers = await zun('GET', '/containers');
    assert.deepEqual(containers.json.containers, []);
    assert.deepEqual(await engineContainers(`berth.stack-id=${stackId}`), []);
  });
}, { timeout: 600_000 });
