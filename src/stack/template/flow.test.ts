import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  dependencyGraph, evaluateConditions, isEnabled, parseTemplate, resolveParameters, resolveValue, validateTemplate,
  type ResourceRegistry,
} from './index.js';

const registry: ResourceRegistry = (type) => (type === 'OS::Zun::Container'
  ? { properties: { image: { type: 'string', required: true }, command: { type: 'list' }, environment: { type: 'map' } }, attributes: ['addresses'] }
  : undefined);

const TEXT = `
heat_template_version: rocky
parameters:
  image: {type: string, default: busybox}
  replicas: {type: number, default: 1, constraints: [{range: {min: 1, max: 3}}]}
  env: {type: string, default: dev, constraints: [{allowed_values: [dev, prod]}]}
conditions:
  prod: {equals: [{get_param: env}, prod]}
resources:
  db:
    type: OS::Zun::Container
    properties:
      image: {get_param: image}
      environment: {NAME: {get_param: OS::stack_name}}
  web:
    type: OS::Zun::Container
    properties:
      image: {get_param: image}
      command:
        list_concat:
          - [sh, -c]
          - - str_replace:
                template: wait DB && serve
                params: {DB: {get_attr: [db, addresses, 0]}}
  backup:
    type: OS::Zun::Container
    condition: prod
    depends_on: [db]
    properties: {image: {if: [prod, {get_param: image}, unused]}}
outputs:
  db_ip: {value: {get_attr: [db, addresses, 0]}}
  backup: {value: {get_resource: backup}, condition: prod}
`;

for (const env of ['dev', 'prod']) {
  test(`flow: parse, validate, parameters, conditions, graph and resolve a stack in ${env}`, () => {
    const t = parseTemplate(TEXT);
    validateTemplate(t, registry);
    const params = resolveParameters(t, { env }, { parameter_defaults: { image: 'alpine' } });
    assert.deepEqual(params, { image: 'alpine', replicas: 1, env });
    const conditions = evaluateConditions(t, params, { 'OS::stack_name': 'demo' });
    assert.deepEqual(conditions, { prod: env === 'prod' });
    const graph = dependencyGraph(t, conditions);
    assert.deepEqual(graph.levels, env === 'prod' ? [['db'], ['web', 'backup']] : [['db'], ['web']]);
    const ctx = {
      params, conditions, pseudo: { 'OS::stack_name': 'demo', 'OS::stack_id': 'id', 'OS::project_id': 'p' },
      resourceId: (name: string) => `${name}-id`,
      attribute: (name: string, attr: string) => (name === 'db' && attr === 'addresses' ? ['10.0.0.5'] : null),
    };
    assert.deepEqual(resolveValue(t, t.resources.db.properties, ctx), { image: 'alpine', environment: { NAME: 'demo' } });
    assert.deepEqual(resolveValue(t, t.resources.web.properties, ctx), { image: 'alpine', command: ['sh', '-c', 'wait 10.0.0.5 && serve'] });
    assert.equal(isEnabled('outputs', 'backup', t.outputs.backup.condition, conditions), env === 'prod');
    assert.equal(resolveValue(t, t.outputs.db_ip.value, ctx), '10.0.0.5');
  });
}

test('flow: a parameter outside its constraint stops before anything is made', () => {
  const t = parseTemplate(TEXT);
  assert.throws(() => resolveParameters(t, { replicas: '5' }), { message: "Parameter 'replicas' is invalid: 5 is out of range (min: 1, max: 3)" });
  assert.throws(() => resolveParameters(t, { env: 'qa' }), { message: 'Parameter \'env\' is invalid: "qa" is not an allowed value ["dev", "prod"]' });
});
