/**
 * @module The template a resource type generates (GET /resource_types/{type}/template), as Heat builds
 * it: one parameter per property, one resource of the type whose properties are those parameters, one
 * output per attribute. HOT (template_type=hot) or CFN (the default, as in Heat). Pure.
 */
import type { PropertySchema, ResourceTypeSchema } from '../template/index.js';

export type TemplateType = 'hot' | 'cfn';

const HOT_TYPES: Record<string, string> = { string: 'string', integer: 'number', number: 'number', boolean: 'boolean', map: 'json', list: 'comma_delimited_list' };
const CFN_TYPES: Record<string, string> = { string: 'String', integer: 'Number', number: 'Number', boolean: 'Boolean', map: 'Json', list: 'CommaDelimitedList' };

function parameterOf(p: PropertySchema, kind: TemplateType): Record<string, unknown> {
  const constraints: Record<string, unknown>[] = [];
  if (p.allowedValues) constraints.push({ allowed_values: p.allowedValues });
  if (p.range) constraints.push({ range: p.range });
  const def = p.default === undefined ? {} : { default: p.default };
  if (kind === 'cfn') {
    return {
      Type: CFN_TYPES[p.type] ?? 'String', Description: p.description ?? '', ...(p.default === undefined ? {} : { Default: p.default }),
      ...(p.allowedValues ? { AllowedValues: p.allowedValues } : {}),
      ...(p.range?.min !== undefined ? { MinValue: p.range.min } : {}), ...(p.range?.max !== undefined ? { MaxValue: p.range.max } : {}),
    };
  }
  return { type: HOT_TYPES[p.type] ?? 'string', description: p.description ?? '', ...def, ...(constraints.length ? { constraints } : {}) };
}

export function typeTemplate(typeName: string, schema: ResourceTypeSchema, kind: TemplateType): Record<string, unknown> {
  const resource = typeName.split('::').pop() ?? typeName;
  const props = Object.entries(schema.properties);
  const attrs = [...schema.attributes, 'show'];
  if (kind === 'cfn') {
    return {
      AWSTemplateFormatVersion: '2010-09-09',
      Description: `Initial template of ${resource}`,
      Parameters: Object.fromEntries(props.map(([k, p]) => [k, parameterOf(p, kind)])),
      Resources: { [resource]: { Type: typeName, Properties: Object.fromEntries(props.map(([k]) => [k, { Ref: k }])) } },
      Outputs: Object.fromEntries(attrs.map((a) => [a, { Description: a, Value: { 'Fn::GetAtt': [resource, a] } }])),
    };
  }
  return {
    heat_template_version: '2016-10-14',
    description: `Initial template of ${resource}`,
    parameters: Object.fromEntries(props.map(([k, p]) => [k, parameterOf(p, kind)])),
    resources: { [resource]: { type: typeName, properties: Object.fromEntries(props.map(([k]) => [k, { get_param: k }])) } },
    outputs: Object.fromEntries(attrs.map((a) => [a, { description: a, value: { get_attr: [resource, a] } }])),
  };
}
