/** @module A parameter's declaration as Heat's HOTParamSchema reads it: keys, type, constraints. */
import { TemplateError } from './errors.js';
import type { ParameterDef, ParameterType } from './types.js';
import { isDict, show } from './util.js';

const PARAMETER_KEYS = ['type', 'label', 'description', 'default', 'hidden', 'constraints', 'immutable', 'tags'];
const TYPES: ParameterType[] = ['string', 'number', 'boolean', 'json', 'comma_delimited_list'];
/** Constraint kinds, and the parameter types each applies to (Heat's `valid_types`). */
const CONSTRAINT_TYPES: Record<string, ParameterType[]> = {
  allowed_values: TYPES,
  range: ['number'],
  length: ['string', 'comma_delimited_list', 'json'],
  allowed_pattern: ['string'],
  custom_constraint: TYPES,
  modulo: ['number'],
};
/** `modulo` came with HOTParamSchema20170224. */
const MODULO_SINCE = '2017-02-24';

export function parseParameterDef(name: string, schema: unknown, versionDate: string): ParameterDef {
  if (!isDict(schema)) throw new TemplateError(`Invalid parameter (${name}), expected a mapping`);
  for (const key of Object.keys(schema)) {
    if (!PARAMETER_KEYS.includes(key)) throw new TemplateError(`Invalid key '${key}' for parameter (${name})`);
  }
  if (schema.type === undefined || schema.type === null) throw new TemplateError(`Missing parameter type for parameter: ${name}`);
  const type = schema.type as ParameterType;
  if (!TYPES.includes(type)) throw new TemplateError(`Invalid type (${show(schema.type)})`);
  if (schema.tags !== undefined && !Array.isArray(schema.tags)) {
    throw new TemplateError(`Tags property should be a list for parameter: ${name}`);
  }
  const def: ParameterDef = {
    name,
    type,
    hidden: flag(name, 'hidden', schema.hidden),
    immutable: flag(name, 'immutable', schema.immutable),
    constraints: constraintsOf(name, type, schema.constraints, versionDate),
  };
  if (schema.label !== undefined && schema.label !== null) def.label = show(schema.label);
  if (schema.description !== undefined && schema.description !== null) def.description = show(schema.description);
  if (schema.default !== undefined && schema.default !== null) def.default = schema.default;
  return def;
}

function flag(name: string, key: string, v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && ['true', 'false'].includes(v.toLowerCase())) return v.toLowerCase() === 'true';
  throw new TemplateError(`Parameter '${name}' is invalid: "${key}" must be a boolean, not ${show(v)}`);
}

function constraintsOf(name: string, type: ParameterType, v: unknown, versionDate: string): Record<string, unknown>[] {
  if (v === undefined || v === null) return [];
  const bad = (why: string): never => { throw new TemplateError(`Parameter '${name}' is invalid: ${why}`); };
  if (!Array.isArray(v)) return bad('Invalid parameter constraints, expected a list');
  return v.map((c): Record<string, unknown> => {
    if (!isDict(c)) return bad('Invalid parameter constraints, expected a list of mappings');
    const kinds = Object.keys(c).filter((k) => k !== 'description');
    if (kinds.length !== 1) return bad(`Invalid parameter constraints: ${show(c)}`);
    const kind = kinds[0];
    const types = Object.prototype.hasOwnProperty.call(CONSTRAINT_TYPES, kind) ? CONSTRAINT_TYPES[kind] : undefined;
    if (types === undefined || (kind === 'modulo' && versionDate < MODULO_SINCE)) return bad(`Invalid key ${kind} for parameter constraints`);
    if (!types.includes(type)) return bad(`${kind} constraint invalid for ${type}`);
    checkConstraintArgs(kind, c[kind], bad);
    return c;
  });
}

function checkConstraintArgs(kind: string, arg: unknown, bad: (why: string) => never): void {
  const isNum = (x: unknown) => x === undefined || x === null || (typeof x === 'number') || (typeof x === 'string' && x.trim() !== '' && Number.isFinite(Number(x)));
  if (kind === 'allowed_values' && !Array.isArray(arg)) bad('AllowedValues must be a list');
  if (kind === 'allowed_pattern') {
    if (typeof arg !== 'string') bad('AllowedPattern must be a string');
    try { new RegExp(arg); } catch { bad(`AllowedPattern is not a valid pattern: ${arg}`); }
  }
  if (kind === 'range' || kind === 'length') {
    if (!isDict(arg) || (arg.min === undefined && arg.max === undefined)) bad(`A ${kind} constraint must have a min value and/or a max value specified.`);
    const r = arg as Record<string, unknown>;
    if (!isNum(r.min) || !isNum(r.max)) bad(kind === 'range' ? 'min/max must be numeric' : 'min/max length must be integral');
  }
  if (kind === 'modulo') {
    if (!isDict(arg) || arg.step === undefined || arg.offset === undefined) bad('A modulo constraint must have a step value and an offset value specified.');
    const m = arg as Record<string, unknown>;
    if (!isNum(m.step) || !isNum(m.offset)) bad('step/offset must be numeric');
    if (Number(m.step) === 0) bad('step cannot be 0.');
  }
}
