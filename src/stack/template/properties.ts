/**
 * @module Checking a resource's properties against its type's schema: unknown and missing properties, and
 * literal values of the wrong type or outside allowed values and ranges. Values holding a function are
 * checked when they are resolved, not here.
 */
import { fail } from './errors.js';
import type { PropertySchema } from './types.js';
import { has, isDict, pyJson, sameValue, soleKey } from './util.js';
import { functionKind } from './versions.js';

const propertyError = (path: string, message: string): never => fail(`Property error: ${path}`, message);

/** Checks `values` against `schema` (a map of properties); `path` is like `resources.web.properties`. */
export function checkProperties(values: Record<string, unknown>, schema: Record<string, PropertySchema>, path: string, versionDate: string): void {
  for (const key of Object.keys(values)) {
    if (!has(schema, key)) propertyError(path, `Unknown Property ${key}`);
  }
  for (const [key, s] of Object.entries(schema)) {
    const v = has(values, key) ? values[key] : undefined;
    if (v === undefined || v === null) {
      if (s.required && s.default === undefined) propertyError(path, `Property ${key} not assigned`);
      continue;
    }
    checkValue(v, s, `${path}.${key}`, versionDate);
  }
}

/** A one-key map naming a function of this version: resolved later, so not checked now. */
function isCall(v: unknown, versionDate: string): boolean {
  if (!isDict(v)) return false;
  const name = soleKey(v);
  return name !== undefined && functionKind(name, versionDate, 'value').kind !== 'map';
}

function checkValue(v: unknown, s: PropertySchema, path: string, versionDate: string): void {
  if (isCall(v, versionDate)) return;
  switch (s.type) {
    case 'integer':
      if (!(typeof v === 'number' ? Number.isInteger(v) : typeof v === 'boolean' || (typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v)))) {
        propertyError(path, `Value '${typeof v === 'string' ? v : pyJson(v)}' is not an integer`);
      }
      break;
    case 'number':
      if (!(typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))))) {
        propertyError(path, `could not convert string to float: '${typeof v === 'string' ? v : pyJson(v)}'`);
      }
      break;
    case 'string':
      if (typeof v === 'object') propertyError(path, `Value must be a string; got ${pyJson(v)}`);
      break;
    case 'boolean':
      if (typeof v !== 'boolean' && !(typeof v === 'string' && ['true', 'false'].includes(v.toLowerCase()))) {
        propertyError(path, `"${typeof v === 'string' ? v.toLowerCase() : pyJson(v)}" is not a valid boolean`);
      }
      break;
    case 'map':
      if (!isDict(v)) return propertyError(path, `"${pyJson(v)}" is not a map`);
      if (s.schema !== undefined) checkProperties(v, s.schema as Record<string, PropertySchema>, path, versionDate);
      break;
    case 'list':
      if (!Array.isArray(v)) return propertyError(path, `"${pyJson(v)}" is not a list`);
      if (s.schema !== undefined) v.forEach((x: unknown, i) => { if (x !== null) checkValue(x, s.schema as PropertySchema, `${path}[${i}]`, versionDate); });
      break;
  }
  checkConstraints(v, s, path);
}

function checkConstraints(v: unknown, s: PropertySchema, path: string): void {
  if (s.allowedValues !== undefined) {
    const ok = (x: unknown) => s.allowedValues?.some((a) => sameValue(a, x) || String(a) === String(x));
    if (Array.isArray(v) ? !v.every(ok) : !ok(v)) {
      propertyError(path, `${pyJson(v)} is not an allowed value [${s.allowedValues.map(pyJson).join(', ')}]`);
    }
  }
  if (s.range !== undefined && (s.type === 'integer' || s.type === 'number')) {
    const n = Number(v);
    const { min, max } = s.range;
    if ((min !== undefined && n < min) || (max !== undefined && n > max)) {
      propertyError(path, `${n} is out of range (min: ${min ?? 'None'}, max: ${max ?? 'None'})`);
    }
  }
}
