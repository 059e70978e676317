import { test } from 'node:test';
import assert from 'node:assert/strict';
import { typeTemplate } from './type-template.js';
import type { ResourceTypeSchema } from '../template/index.js';

const schema: ResourceTypeSchema = {
  properties: {
    value: { type: 'string', default: 'x', description: 'The value.' },
    count: { type: 'integer', range: { min: 0, max: 5 } },
    flags: { type: 'map' },
  },
  attributes: ['output'],
};

test('type template: HOT', () => {
  const t = typeTemplate('OS::Heat::Thing', schema, 'hot');
  assert.equal(t.heat_template_version, '2016-10-14');
  assert.deepEqual(t.resources, { Thing: { type: 'OS::Heat::Thing', properties: { value: { get_param: 'value' }, count: { get_param: 'count' }, flags: { get_param: 'flags' } } } });
  const params = t.parameters as Record<string, Record<string, unknown>>;
  assert.deepEqual(params.value, { type: 'string', description: 'The value.', default: 'x' });
  assert.deepEqual(params.count, { type: 'number', description: '', constraints: [{ range: { min: 0, max: 5 } }] });
  assert.equal(params.flags.type, 'json');
  assert.deepEqual((t.outputs as Record<string, unknown>).output, { description: 'output', value: { get_attr: ['Thing', 'output'] } });
});

test('type template: CFN', () => {
  const t = typeTemplate('OS::Heat::Thing', schema, 'cfn');
  assert.equal(t.AWSTemplateFormatVersion, '2010-09-09');
  assert.deepEqual((t.Resources as Record<string, { Properties: unknown }>).Thing.Properties, { value: { Ref: 'value' }, count: { Ref: 'count' }, flags: { Ref: 'flags' } });
  assert.deepEqual((t.Parameters as Record<string, unknown>).count, { Type: 'Number', Description: '', MinValue: 0, MaxValue: 5 });
  assert.deepEqual((t.Outputs as Record<string, unknown>).show, { Description: 'show', Value: { 'Fn::GetAtt': ['Thing', 'show'] } });
});
