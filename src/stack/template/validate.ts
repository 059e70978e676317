/**
 * @module validateTemplate: a parsed template against the resource types Berth offers. Everything that
 * can be known before parameters have values: types, properties, references, conditions, cycles.
 */
import { graphOf } from './graph.js';
import { fail, TemplateError } from './errors.js';
import { PSEUDO_PARAMETERS } from './get-param.js';
import { checkProperties } from './properties.js';
import type { ResourceRegistry, ResourceTypeSchema, Template } from './types.js';
import { has, isDict, soleKey } from './util.js';
import { functionKind } from './versions.js';
import { referencedResource, walkCalls, type CallVisitor } from './walk.js';

export function validateTemplate(t: Template, registry: ResourceRegistry): void {
  const types = new Map<string, ResourceTypeSchema>();
  for (const r of Object.values(t.resources)) {
    let schema = types.get(r.type);
    if (schema === undefined) {
      schema = registry(r.type);
      if (schema === undefined) throw new TemplateError(`The Resource Type (${r.type}) could not be found.`);
      types.set(r.type, schema);
    }
    const path = `resources.${r.name}`;
    if (!isCallValue(r.properties, t.versionDate)) checkProperties(r.properties, schema.properties, `${path}.properties`, t.versionDate);
    for (const d of r.dependsOn) {
      if (!has(t.resources, d)) throw new TemplateError(`The specified reference "${d}" (in ${path}.depends_on) is incorrect.`);
    }
    checkCondition(t, r.condition, `${path}.condition`);
    const visit = referenceChecker(t, (name) => types.get(t.resources[name].type) ?? registry(t.resources[name].type));
    walkCalls(r.properties, t.versionDate, `${path}.properties`, visit);
    for (const [key, value] of [['metadata', r.metadata], ['update_policy', r.updatePolicy], ['external_id', r.externalId]] as const) {
      if (value !== undefined) walkCalls(value, t.versionDate, `${path}.${key}`, visit);
    }
  }
  for (const [name, def] of Object.entries(t.conditions)) checkConditionDefinition(t, name, def);
  const lookup = (name: string) => registry(t.resources[name].type);
  for (const o of Object.values(t.outputs)) {
    checkCondition(t, o.condition, `outputs.${o.name}.condition`);
    walkCalls(o.value, t.versionDate, `outputs.${o.name}.value`, referenceChecker(t, lookup));
  }
  // Without parameter values conditions are unknown: every resource and both branches of every `if` count.
  const assumed: Record<string, boolean> = {};
  for (const name of Object.keys(t.conditions)) assumed[name] = true;
  for (const r of Object.values(t.resources)) assumed[`resources.${r.name}`] = true;
  graphOf(t, assumed, true);
}

/** Properties given as one function call (a map from get_param, say) are checked once resolved. */
function isCallValue(v: unknown, versionDate: string): boolean {
  const name = isDict(v) ? soleKey(v) : undefined;
  return name !== undefined && functionKind(name, versionDate, 'value').kind !== 'map';
}

/** get_resource / get_attr of unknown resources or attributes, get_param of unknown parameters, `if` of unknown conditions. */
function referenceChecker(t: Template, schemaOf: (resource: string) => ResourceTypeSchema | undefined): CallVisitor {
  return (name, args, path) => {
    const at = path.slice(0, path.lastIndexOf('.'));
    const target = referencedResource(name, args);
    if (target !== undefined && !has(t.resources, target) && !(name === 'Ref' && isParameter(t, target))) {
      fail('', `The specified reference "${target}" (in ${at}) is incorrect.`);
    }
    if (name === 'get_attr' && target !== undefined && Array.isArray(args) && typeof args[1] === 'string') {
      const attr = args[1];
      const schema = schemaOf(target);
      if (schema !== undefined && !schema.group && attr !== 'show' && !schema.attributes.includes(attr)) {
        fail('', `The Referenced Attribute (${target} ${attr}) is incorrect.`);
      }
    }
    if (name === 'get_param') {
      const param: unknown = Array.isArray(args) ? (args as unknown[])[0] : args;
      if (typeof param === 'string' && !isParameter(t, param)) fail(path, `The Parameter (${param}) was not provided.`);
    }
    if (name === 'if') {
      if (!Array.isArray(args) || args.length !== 3) fail(path, 'Arguments to "if" must be of the form: [condition_name, value_if_true, value_if_false]');
      checkCondition(t, args[0], path);
    }
    return undefined;
  };
}

const isParameter = (t: Template, name: string): boolean => has(t.parameters, name) || PSEUDO_PARAMETERS.includes(name);

/** A condition reference (resource/output `condition`, `if`): a known name, a boolean, or a condition function. */
function checkCondition(t: Template, cond: unknown, path: string): void {
  if (cond === undefined || cond === null || typeof cond === 'boolean') return;
  if (typeof cond === 'string') {
    if (!has(t.conditions, cond)) fail(path, `Invalid condition "${cond}"`);
    return;
  }
  if (!isDict(cond) || soleKey(cond) === undefined) fail(path, `Invalid condition "${JSON.stringify(cond)}"`);
  walkCalls(cond, t.versionDate, path, conditionChecker(t), 'condition');
}

function checkConditionDefinition(t: Template, name: string, def: unknown): void {
  if (typeof def === 'boolean') return;
  if (!isDict(def) || soleKey(def) === undefined) {
    throw new TemplateError(`Condition validation error: The definition of condition "${name}" is invalid: ${JSON.stringify(def)}`);
  }
  walkCalls(def, t.versionDate, `conditions.${name}`, conditionChecker(t), 'condition');
}

/** Inside conditions: get_param names, and condition names given to not/and/or. */
function conditionChecker(t: Template): CallVisitor {
  return (name, args, path) => {
    if (name === 'get_param') {
      const param: unknown = Array.isArray(args) ? (args as unknown[])[0] : args;
      if (typeof param === 'string' && !isParameter(t, param)) fail(path, `The Parameter (${param}) was not provided.`);
    }
    const names = name === 'not' ? [args] : name === 'and' || name === 'or' ? (Array.isArray(args) ? args : []) : [];
    for (const n of names) {
      if (typeof n === 'string' && !has(t.conditions, n)) fail(path, `Invalid condition "${n}"`);
    }
    return undefined;
  };
}
