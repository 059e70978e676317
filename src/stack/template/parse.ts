/**
 * @module parseTemplate: text or object to a Template. Checks the version, the top-level sections, each
 * resource's and output's keys, and each parameter's declaration; functions are left unevaluated.
 */
import { parse as parseYaml, type DocumentOptions, type ParseOptions, type SchemaOptions, type ToJSOptions } from 'yaml';
import { TemplateError } from './errors.js';
import { parseParameterDef } from './parameter-def.js';
import { checkParameterGroups } from './parameter-groups.js';
import type { OutputDef, ParameterDef, ResourceDef, Template } from './types.js';
import { has, isDict, show, type Dict } from './util.js';
import { CONDITIONS_SINCE, versionDateOf } from './versions.js';

const SECTIONS = ['heat_template_version', 'description', 'parameter_groups', 'parameters', 'resources', 'outputs'];
const RESOURCE_KEYS = ['type', 'properties', 'metadata', 'depends_on', 'deletion_policy', 'update_policy', 'description'];
const OUTPUT_KEYS = ['description', 'value'];
/** Added to sections, resource keys and output keys in 2016-10-14. */
const CONDITION_KEYS = { section: 'conditions', resource: ['external_id', 'condition'], output: ['condition'] };
const DELETION_POLICIES = ['Delete', 'Retain', 'Snapshot'];

export function parseTemplate(source: string | Record<string, unknown>): Template {
  const raw = typeof source === 'string' ? loadText(source) : source;
  if (!isDict(raw)) throw new TemplateError('The template is not a JSON object or YAML mapping.');
  const versionDate = versionDateOf(versionOf(raw.heat_template_version));
  const withConditions = versionDate >= CONDITIONS_SINCE;
  const sections = withConditions ? [...SECTIONS, CONDITION_KEYS.section] : SECTIONS;
  for (const key of Object.keys(raw)) {
    if (!sections.includes(key)) throw new TemplateError(`The template section is invalid: ${key}`);
  }
  const description = raw.description;
  const parameters = parametersOf(mapSection(raw.parameters, 'parameters'), versionDate);
  return {
    version: versionOf(raw.heat_template_version) as string,
    versionDate,
    ...(description !== undefined && description !== null ? { description: show(description) } : {}),
    parameterGroups: checkParameterGroups(raw.parameter_groups, parameters),
    parameters,
    resources: resourcesOf(mapSection(raw.resources, 'resources'), versionDate),
    outputs: outputsOf(mapSection(raw.outputs, 'outputs'), withConditions),
    conditions: mapSection(raw.conditions, 'conditions'),
  };
}

/**
 * Template or environment text as Heat's loader reads it: text starting with `{` is JSON; other text is
 * YAML 1.1 (so `yes`/`off` are booleans, as PyYAML has them) except that timestamps stay strings, which
 * keeps `heat_template_version: 2016-10-14` the string it was written as.
 */
export function loadText(text: string): unknown {
  try {
    if (text.trimStart().startsWith('{')) return JSON.parse(text) as unknown;
    return acyclic(parseYaml(text, YAML_OPTIONS));
  } catch (e) {
    if (e instanceof TemplateError) throw e;
    throw new TemplateError(`Error parsing template: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** YAML aliases may share or nest nodes; the template is plain JSON data: a copy without sharing, or refused if a node contains itself. */
function acyclic(v: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(v) ?? 'null') as unknown;
  } catch {
    throw new TemplateError('Error parsing template: an alias refers to a node that contains it');
  }
}

const PY_TRUE = /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const PY_FALSE = /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;
const YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions & ToJSOptions = {
  version: '1.1',
  customTags: (tags) => tags.flatMap((t) => {
    if (typeof t !== 'object' || !('test' in t) || t.test === undefined) return [t];
    if (t.tag === 'tag:yaml.org,2002:timestamp') return [];
    // PyYAML's booleans: yes/no, true/false, on/off (not the y/n that YAML 1.1 also lists).
    if (t.tag === 'tag:yaml.org,2002:bool') return [{ ...t, test: t.test.test('yes') ? PY_TRUE : PY_FALSE }];
    return [t];
  }),
  uniqueKeys: true,
  maxAliasCount: 1000,
};

/** A version a YAML 1.1 loader made a Date of is still the date it was written as. */
const versionOf = (v: unknown): unknown => (v instanceof Date ? v.toISOString().slice(0, 10) : v);

function mapSection(v: unknown, name: string): Dict {
  if (v === undefined || v === null) return {};
  if (!isDict(v)) throw new TemplateError(`The template section "${name}" must be a map. Found a [${typeName(v)}] instead`);
  return v;
}

export const typeName = (v: unknown): string => (Array.isArray(v) ? 'list' : v === null ? 'null' : typeof v === 'object' ? 'map' : typeof v);

function parametersOf(section: Dict, versionDate: string): Record<string, ParameterDef> {
  const out: Record<string, ParameterDef> = {};
  for (const [name, schema] of Object.entries(section)) out[name] = parseParameterDef(name, schema, versionDate);
  return out;
}

/** Checks each entry of `resources`/`outputs` is a map with only known keys and its required key, in Heat's words. */
function checkEntry(section: 'resources' | 'outputs', name: string, entry: unknown, allowed: string[], required: string): Dict {
  const objName = section.slice(0, -1);
  if (!isDict(entry)) {
    if (entry === null || entry === undefined || entry === '') throw new TemplateError(`Each ${objName} must contain a ${required} key.`);
    throw new TemplateError(`"${section}" must contain a map of ${objName} maps. Found a [${typeName(entry)}] instead`);
  }
  for (const key of Object.keys(entry)) {
    if (!allowed.includes(key)) throw new TemplateError(`"${key}" is not a valid keyword inside a ${objName} definition`);
  }
  if (!has(entry, required) || (required === 'type' && !entry.type)) {
    throw new TemplateError(`Each ${objName} must contain a ${required} key.`);
  }
  return entry;
}

function resourcesOf(section: Dict, versionDate: string): Record<string, ResourceDef> {
  const withConditions = versionDate >= CONDITIONS_SINCE;
  const allowed = withConditions ? [...RESOURCE_KEYS, ...CONDITION_KEYS.resource] : RESOURCE_KEYS;
  const policies = withConditions ? [...DELETION_POLICIES, ...DELETION_POLICIES.map((p) => p.toLowerCase())] : DELETION_POLICIES;
  const out: Record<string, ResourceDef> = {};
  for (const [name, entry] of Object.entries(section)) {
    const r = checkEntry('resources', name, entry, allowed, 'type');
    const field = (key: string, ok: (v: unknown) => boolean, typename: string): unknown => {
      const v = r[key];
      if (v === undefined || v === null) return undefined;
      if (!ok(v)) throw new TemplateError(`Resource ${name} ${key} type must be ${typename}`);
      return v;
    };
    const def: ResourceDef = {
      name,
      type: field('type', (v) => typeof v === 'string', 'string') as string,
      properties: (field('properties', isDict, 'map') as Dict | undefined) ?? {},
      dependsOn: dependsOnOf(name, r.depends_on),
    };
    const metadata = field('metadata', isDict, 'map') as Dict | undefined;
    if (metadata !== undefined) def.metadata = metadata;
    const updatePolicy = field('update_policy', isDict, 'map') as Dict | undefined;
    if (updatePolicy !== undefined) def.updatePolicy = updatePolicy;
    const deletionPolicy = field('deletion_policy', (v) => typeof v === 'string' || isDict(v), 'string');
    if (typeof deletionPolicy === 'string') {
      if (!policies.includes(deletionPolicy)) throw new TemplateError(`Invalid deletion policy "${deletionPolicy}"`);
      def.deletionPolicy = deletionPolicy;
    }
    const externalId = field('external_id', (v) => typeof v === 'string' || isDict(v), 'string');
    if (typeof externalId === 'string') def.externalId = externalId;
    const condition = field('condition', (v) => typeof v === 'string' || typeof v === 'boolean' || isDict(v), 'string_or_boolean');
    if (condition !== undefined) def.condition = condition;
    out[name] = def;
  }
  return out;
}

function dependsOnOf(name: string, v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((d) => typeof d === 'string')) return v;
  throw new TemplateError(`Resource ${name} depends_on type must be list of strings; got ${show(v)}`);
}

function outputsOf(section: Dict, withConditions: boolean): Record<string, OutputDef> {
  const allowed = withConditions ? [...OUTPUT_KEYS, ...CONDITION_KEYS.output] : OUTPUT_KEYS;
  const out: Record<string, OutputDef> = {};
  for (const [name, entry] of Object.entries(section)) {
    const o = checkEntry('outputs', name, entry, allowed, 'value');
    out[name] = { name, value: o.value };
    if (o.description !== undefined && o.description !== null) out[name].description = show(o.description);
    if (o.condition !== undefined && o.condition !== null) out[name].condition = o.condition;
  }
  return out;
}
