/** @module validate, resource types and template versions: what the service offers, for any template. */
import { Type } from '@sinclair/typebox';
import type { App } from '../app-type.js';
import { BerthError } from '../../core/errors.js';
import { resourceTypes, schemaOf, typeNames } from '../../stack/resources/index.js';
import { templateFunctions, VERSION_ALIASES, VERSION_DATES } from '../../stack/template/index.js';
import { typeTemplate } from '../../stack/resources/type-template.js';
import type { PropertySchema } from '../../stack/template/index.js';
import { stackRequestOf } from './body.js';
import { allow, callerOf, type StackHttpDeps } from './deps.js';
import { FunctionsQuery, ResourceTypesQuery, TypeTemplateQuery, Validate } from './schemas.js';

function propertyView(p: PropertySchema): Record<string, unknown> {
  const constraints: unknown[] = [];
  if (p.allowedValues) constraints.push({ allowed_values: p.allowedValues });
  if (p.range) constraints.push({ range: p.range });
  return {
    type: p.type, description: p.description ?? '', required: p.required === true, update_allowed: p.updateAllowed === true,
    immutable: false, ...(p.default !== undefined ? { default: p.default } : {}), ...(constraints.length ? { constraints } : {}),
  };
}

export function catalogRoutes(app: App, deps: StackHttpDeps): void {
  app.post('/validate', { schema: { body: Validate } }, async (req) => {
    allow(deps, req, 'validate_template');
    const b = req.body;
    const r = stackRequestOf(b);
    const p = deps.stacks.check(callerOf(deps, req), r.template, r.parameters, r.environment, r.files);
    const parameters: Record<string, unknown> = {};
    for (const d of Object.values(p.template.parameters)) {
      parameters[d.name] = {
        Type: { string: 'String', number: 'Number', boolean: 'Boolean', json: 'Json', comma_delimited_list: 'CommaDelimitedList' }[d.type],
        Description: d.description ?? '', Label: d.label ?? d.name, NoEcho: d.hidden ? 'true' : 'false',
        ...(d.default !== undefined ? { Default: d.default } : {}),
        ...(p.params[d.name] !== undefined ? { Value: p.params[d.name] } : {}),
      };
    }
    return { Description: p.template.description ?? 'No description', Parameters: parameters, ...(p.template.parameterGroups.length ? { ParameterGroups: p.template.parameterGroups } : {}), Environment: { parameters: r.environment.parameters ?? {}, parameter_defaults: r.environment.parameter_defaults ?? {}, resource_registry: { resources: {} }, event_sinks: [], encrypted_param_names: [] } };
  });

  app.get('/resource_types', { schema: { querystring: ResourceTypesQuery } }, async (req) => {
    allow(deps, req, 'list_resource_types');
    const names = typeNames().filter((n) => !req.query.name || n.includes(req.query.name));
    if (req.query.with_description) return { resource_types: names.map((n) => ({ resource_type: n, description: resourceTypes[n]?.description ?? 'A group of identical resources.' })) };
    return { resource_types: names };
  });

  app.get('/resource_types/:type', { schema: { params: Type.Object({ type: Type.String() }) } }, async (req) => {
    allow(deps, req, 'resource_schema');
    const schema = schemaOf(req.params.type);
    if (!schema) throw new BerthError('not_found', `The Resource Type (${req.params.type}) could not be found.`);
    return {
      resource_type: req.params.type,
      properties: Object.fromEntries(Object.entries(schema.properties).map(([k, p]) => [k, propertyView(p)])),
      attributes: Object.fromEntries([...schema.attributes, 'show'].map((a) => [a, { description: a, type: a === 'show' ? 'map' : 'string' }])),
      support_status: { status: 'SUPPORTED', version: null, message: null, previous_status: null },
      description: resourceTypes[req.params.type]?.description ?? '',
    };
  });

  app.get('/resource_types/:type/template', { schema: { params: Type.Object({ type: Type.String() }), querystring: TypeTemplateQuery } }, async (req) => {
    allow(deps, req, 'generate_template');
    const schema = schemaOf(req.params.type);
    if (!schema) throw new BerthError('not_found', `The Resource Type (${req.params.type}) could not be found.`);
    const kind = req.query.template_type ?? 'cfn';
    if (kind !== 'hot' && kind !== 'cfn') throw new BerthError('bad_request', `Template type is not supported: Invalid template type "${kind}", valid types are: cfn, hot.`);
    return typeTemplate(req.params.type, schema, kind);
  });

  app.get('/template_versions/:version/functions', { schema: { params: Type.Object({ version: Type.String() }), querystring: FunctionsQuery } }, async (req) => {
    allow(deps, req, 'list_template_functions');
    const functions = templateFunctions(req.params.version, req.query.with_condition_func === true);
    if (!functions) throw new BerthError('not_found', `Template with version ${req.params.version} not found`);
    return { template_functions: functions };
  });

  app.get('/template_versions', async (req) => {
    allow(deps, req, 'list_template_versions');
    const aliases = VERSION_ALIASES as Record<string, string>;
    return {
      template_versions: [...VERSION_DATES].sort().map((d) => ({
        version: `heat_template_version.${d}`, type: 'hot',
        aliases: Object.entries(aliases).filter(([, v]) => v === d).map(([k]) => `heat_template_version.${k}`),
      })),
    };
  });
}
