import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTemplate, TemplateError, validateTemplate, type ResourceRegistry, type ResourceTypeSchema } from './index.js';

const CONTAINER: ResourceTypeSchema = {
  properties: {
    image: { type: 'string', required: true },
    command: { type: 'list', schema: { type: 'string' } },
    cpu: { type: 'number', range: { min: 0.1, max: 8 } },
    memory: { type: 'integer' },
    interactive: { type: 'boolean' },
    environment: { type: 'map' },
    restart: { type: 'string', allowedValues: ['no', 'always'] },
    mounts: { type: 'list', schema: { type: 'map', schema: { source: { type: 'string', required: true }, size: { type: 'integer' } } } },
  },
  attributes: ['addresses', 'name'],
};
const GROUP: ResourceTypeSchema = { properties: { count: { type: 'integer' }, resource_def: { type: 'map', required: true } }, attributes: ['refs'], group: true };
const registry: ResourceRegistry = (type) => ({ 'OS::Zun::Container': CONTAINER, 'OS::Heat::ResourceGroup': GROUP })[type];

const T = (body: Record<string, unknown>, version = '2018-08-31') => parseTemplate({ heat_template_version: version, ...body });
const box = (properties: Record<string, unknown> = {}, more: Record<string, unknown> = {}) =>
  ({ type: 'OS::Zun::Container', properties: { image: 'busybox', ...properties }, ...more });

test('validate: a template using every part passes', () => {
  validateTemplate(T({
    parameters: { img: { type: 'string', default: 'busybox' }, n: { type: 'number', default: 1 } },
    conditions: { many: { equals: [{ get_param: 'n' }, 2] }, few: { not: 'many' } },
    resources: {
      db: box({ cpu: '0.5', memory: '512', interactive: 'True', environment: { A: 'b' }, restart: 'always', command: ['sh', { get_param: 'img' }] }),
      web: box({ image: { get_param: 'img' }, command: { str_split: [' ', { get_attr: ['db', 'addresses', 0] }] }, mounts: [{ source: 'v', size: 1 }] },
        { depends_on: ['db'], condition: 'many', metadata: { ref: { get_resource: 'db' } } }),
      grp: { type: 'OS::Heat::ResourceGroup', properties: { count: { get_param: 'n' }, resource_def: { type: 'OS::Zun::Container' } } },
      other: box({ image: { if: ['few', 'a', { get_attr: ['db', 'show'] }] } }, { condition: { and: ['few', { not: 'many' }] } }),
    },
    outputs: {
      ips: { value: { get_attr: ['grp', 'anything_a_member_has'] } },
      name: { value: { get_attr: ['web', 'name'] }, condition: 'many' },
      stack: { value: { get_param: 'OS::stack_name' } },
    },
  }), registry);
});

const refusals: { name: string; body: Record<string, unknown>; message: string; version?: string }[] = [
  { name: 'an unknown resource type', body: { resources: { a: { type: 'OS::Nova::Server' } } }, message: 'The Resource Type (OS::Nova::Server) could not be found.' },
  { name: 'an unknown property', body: { resources: { web: box({ imagee: 'x' }) } }, message: 'Property error: resources.web.properties: Unknown Property imagee' },
  { name: 'a missing required property', body: { resources: { web: { type: 'OS::Zun::Container', properties: { cpu: 1 } } } },
    message: 'Property error: resources.web.properties: Property image not assigned' },
  { name: 'a missing required property of a member map', body: { resources: { web: box({ mounts: [{ size: 1 }] }) } },
    message: 'Property error: resources.web.properties.mounts[0]: Property source not assigned' },
  { name: 'a string for an integer', body: { resources: { web: box({ memory: 'lots' }) } }, message: "Property error: resources.web.properties.memory: Value 'lots' is not an integer" },
  { name: 'a fraction for an integer', body: { resources: { web: box({ memory: 1.5 }) } }, message: "Property error: resources.web.properties.memory: Value '1.5' is not an integer" },
  { name: 'a string for a number', body: { resources: { web: box({ cpu: 'fast' }) } }, message: "Property error: resources.web.properties.cpu: could not convert string to float: 'fast'" },
  { name: 'a map for a string', body: { resources: { web: box({ image: { a: 1, b: 2 } }) } }, message: 'Property error: resources.web.properties.image: Value must be a string; got {"a": 1, "b": 2}' },
  { name: 'a word for a boolean', body: { resources: { web: box({ interactive: 'Maybe' }) } }, message: 'Property error: resources.web.properties.interactive: "maybe" is not a valid boolean' },
  { name: 'a list for a map', body: { resources: { web: box({ environment: ['A=b'] }) } }, message: 'Property error: resources.web.properties.environment: "["A=b"]" is not a map' },
  { name: 'a string for a list', body: { resources: { web: box({ command: 'sh' }) } }, message: 'Property error: resources.web.properties.command: ""sh"" is not a list' },
  { name: 'a member of a list of the wrong type', body: { resources: { web: box({ command: ['sh', ['x']] }) } },
    message: 'Property error: resources.web.properties.command[1]: Value must be a string; got ["x"]' },
  { name: 'a value not allowed', body: { resources: { web: box({ restart: 'sometimes' }) } }, message: 'Property error: resources.web.properties.restart: "sometimes" is not an allowed value ["no", "always"]' },
  { name: 'a number out of range', body: { resources: { web: box({ cpu: 9 }) } }, message: 'Property error: resources.web.properties.cpu: 9 is out of range (min: 0.1, max: 8)' },
  { name: 'get_resource of an unknown resource', body: { resources: { web: box({ image: { get_resource: 'nope' } }) } },
    message: 'The specified reference "nope" (in resources.web.properties.image) is incorrect.' },
  { name: 'get_attr of an unknown resource', body: { resources: { web: box() }, outputs: { o: { value: { get_attr: ['nope', 'name'] } } } },
    message: 'The specified reference "nope" (in outputs.o.value) is incorrect.' },
  { name: 'get_attr of an unknown attribute', body: { resources: { web: box(), b: box({ image: { get_attr: ['web', 'ip'] } }) } },
    message: 'The Referenced Attribute (web ip) is incorrect.' },
  { name: 'get_param of an unknown parameter', body: { resources: { web: box({ image: { get_param: 'img' } }) } },
    message: 'resources.web.properties.image.get_param: The Parameter (img) was not provided.' },
  { name: 'depends_on an unknown resource', body: { resources: { web: box({}, { depends_on: 'db' }) } },
    message: 'The specified reference "db" (in resources.web.depends_on) is incorrect.' },
  { name: 'an unknown condition on a resource', body: { resources: { web: box({}, { condition: 'big' }) } }, message: 'resources.web.condition: Invalid condition "big"' },
  { name: 'an unknown condition on an output', body: { resources: {}, outputs: { o: { value: 1, condition: 'big' } } }, message: 'outputs.o.condition: Invalid condition "big"' },
  { name: 'an unknown condition in if', body: { resources: { web: box({ image: { if: ['big', 'a', 'b'] } }) } },
    message: 'resources.web.properties.image.if: Invalid condition "big"' },
  { name: 'an unknown condition inside a condition', body: { conditions: { a: { not: 'b' } }, resources: {} }, message: 'conditions.a.not: Invalid condition "b"' },
  { name: 'a function the version lacks', version: '2016-04-08', body: { resources: { web: box({ command: { repeat: { for_each: {}, template: 'x' } }, image: { if: [true, 'a', 'b'] } }) } },
    message: 'resources.web.properties.image.if: The function "if" is not supported in this version of HOT (2016-04-08)' },
  { name: 'yaql', body: { resources: { web: box({ image: { yaql: { expression: '$.data', data: 1 } } }) } },
    message: 'resources.web.properties.image.yaql: Unknown function "yaql": Berth does not support it' },
  { name: 'a removed CloudFormation function', version: '2015-10-15', body: { resources: { web: box({ image: { 'Fn::Select': [0, ['a']] } }) } },
    message: 'resources.web.properties.image.Fn::Select: The function "Fn::Select" is not supported in this version of HOT (2015-10-15)' },
  { name: 'a cycle', body: { resources: { a: box({ image: { get_attr: ['b', 'name'] } }), b: box({}, { depends_on: 'a' }) } },
    message: 'Circular Dependency Found: a -> b -> a' },
  { name: 'a cycle through either branch of an if', body: { conditions: { c: true },
    resources: { a: box({ image: { if: ['c', 'x', { get_attr: ['b', 'name'] }] } }), b: box({}, { depends_on: 'a' }) } },
    message: 'Circular Dependency Found: a -> b -> a' },
];
for (const c of refusals) {
  test(`validate refuses: ${c.name}`, () => {
    assert.throws(() => validateTemplate(T(c.body, c.version), registry), (e: unknown) => {
      assert.ok(e instanceof TemplateError);
      assert.equal(e.message, c.message);
      return true;
    });
  });
}

/** A template of `n` containers, each reading a parameter and the one before it. */
export function bigTemplate(n: number): string {
  const lines = ['heat_template_version: 2018-08-31', 'parameters:', '  img: {type: string, default: busybox}', 'resources:'];
  for (let i = 0; i < n; i++) {
    lines.push(`  c${i}:`, '    type: OS::Zun::Container', '    properties:', '      image: {get_param: img}');
    if (i > 0) lines.push(`      command: [sh, -c, {str_replace: {template: "ping $h", params: {$h: {get_attr: [c${i - 1}, name]}}}}]`);
  }
  lines.push('outputs:', `  last: {value: {get_attr: [c${n - 1}, addresses]}}`);
  return lines.join('\n');
}

test('validate: 1,000 resources parse and validate', () => {
  const t = parseTemplate(bigTemplate(1000));
  validateTemplate(t, registry);
  assert.equal(Object.keys(t.resources).length, 1000);
});
