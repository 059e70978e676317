import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../core/errors.js';
import { checkTemplate, prepareStack } from './prepare.js';
import type { Asker } from './resources/types.js';

const member: Asker = {
  admin: false, dockerEndpoints: ['tcp://127.0.0.1:8375'],
  authorize(rule) {
    if (rule === 'container:create:privileged') throw new BerthError('policy_denied', `Policy doesn't allow ${rule} to be performed.`);
  },
};
const hot = (resources: Record<string, unknown>, parameters: Record<string, unknown> = {}) => ({ heat_template_version: '2018-08-31', parameters, resources });
const input = (template: Record<string, unknown>, parameters: Record<string, unknown> = {}) => ({ template, parameters, environment: {}, pseudo: {} });
const dk = (props: Record<string, unknown>) => hot({ c: { type: 'DockerInc::Docker::Container', properties: { image: 'busybox', ...props } } });

test('what a stack request may not ask for is refused before anything is stored', () => {
  // [what, template, message]
  const rows: [string, Record<string, unknown>, RegExp][] = [
    ['another Docker endpoint', dk({ docker_endpoint: 'tcp://10.0.0.9:2375' }), /docker_endpoint tcp:\/\/10\.0\.0\.9:2375 is not this cloud's/],
    ['privileged, not an admin', dk({ privileged: true }), /container:create:privileged/],
    ['links of the plugin', dk({ links: { db: 'db' } }), /links is not supported/],
    ['a group of an unknown type', hot({ g: { type: 'OS::Heat::ResourceGroup', properties: { resource_def: { type: 'OS::Nova::Server' } } } }), /OS::Nova::Server\) could not be found/],
    ['a Zun container with networks', hot({ z: { type: 'OS::Zun::Container', properties: { image: 'busybox', networks: [{ network: 'x' }] } } }), /networks are not supported/],
    ['an unknown resource type', hot({ x: { type: 'OS::Nova::Nothing' } }), /OS::Nova::Nothing/],
  ];
  for (const [what, template, message] of rows) assert.throws(() => prepareStack(input(template), member), message, what);
});

test('our own endpoint, given or left out, and a condition-free group pass', () => {
  for (const t of [dk({}), dk({ docker_endpoint: 'tcp://127.0.0.1:8375' }),
    hot({ g: { type: 'OS::Heat::ResourceGroup', properties: { count: 2, resource_def: { type: 'OS::Heat::Value', properties: { value: 'v-%index%' } } } } })]) {
    const p = prepareStack(input(t), member);
    assert.deepEqual(p.graph.levels, [Object.keys(t.resources as object)]);
  }
});

test('validate accepts a template whose parameters have no value yet; create needs them', () => {
  const t = hot({ v: { type: 'OS::Heat::Value', properties: { value: { get_param: 'size' } } } }, { size: { type: 'number' } });
  assert.equal(checkTemplate(input(t), member).template.parameters.size.type, 'number');
  assert.throws(() => prepareStack(input(t), member), /size/);
  assert.equal(prepareStack(input(t, { size: '3' }), member).params.size, 3);
});
