/**
 * @module resolveParameters: the value of every parameter, from what the user gave, the environment and the
 * template's defaults, converted to the parameter's type and checked against its constraints.
 */
import { TemplateError } from './errors.js';
import type { ParameterDef, ParameterValues, Template } from './types.js';
import { has, isDict, pyJson, sameValue, show, type Dict } from './util.js';

export interface ParameterEnvironment {
  parameters?: Record<string, unknown>;
  parameter_defaults?: Record<string, unknown>;
}

/** Precedence: given, then env `parameters`, then env `parameter_defaults`, then the template's default. */
export function resolveParameters(t: Template, given: Dict, env: ParameterEnvironment = {}): ParameterValues {
  const user = { ...(env.parameters ?? {}), ...given };
  for (const key of Object.keys(user)) {
    if (!has(t.parameters, key)) throw new TemplateError(`The Parameter (${key}) was not defined in template.`);
  }
  const defaults = env.parameter_defaults ?? {};
  const out: ParameterValues = {};
  for (const def of Object.values(t.parameters)) {
    const raw = present(user, def.name) ?? present(defaults, def.name) ?? def.default;
    if (raw === undefined) throw new TemplateError(`The Parameter (${def.name}) was not provided.`);
    out[def.name] = parameterValue(def, raw);
  }
  return out;
}

const present = (d: Dict, key: string): unknown => (has(d, key) && d[key] !== null ? d[key] : undefined);

/** One parameter's value as its type, checked against its constraints; a refusal names the parameter. */
export function parameterValue(def: ParameterDef, raw: unknown): unknown {
  try {
    const value = convert(def.type, raw);
    for (const c of def.constraints) checkConstraint(def, c, value);
    return value;
  } catch (e) {
    if (e instanceof ConstraintError) throw new TemplateError(`Parameter '${def.name}' is invalid: ${e.message}`);
    throw e;
  }
}

class ConstraintError extends Error {}

const BOOLEAN_WORDS: Record<string, boolean> = { '0': false, f: false, false: false, n: false, no: false, off: false, '1': true, t: true, true: true, on: true, y: true, yes: true };

function convert(type: ParameterDef['type'], raw: unknown): unknown {
  switch (type) {
    case 'string':
      return typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : pyJson(raw);
    case 'number':
      return toNumber(raw);
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const word = String(raw).trim().toLowerCase();
      if (!has(BOOLEAN_WORDS, word)) {
        const known = Object.keys(BOOLEAN_WORDS).sort().map((w) => `'${w}'`).join(', ');
        throw new ConstraintError(`Unrecognized value '${show(raw)}', acceptable values are: ${known}`);
      }
      return BOOLEAN_WORDS[word];
    }
    case 'json': {
      if (typeof raw !== 'string') return raw;
      if (raw.trim() === '') return {};
      try {
        return JSON.parse(raw) as unknown;
      } catch (e) {
        throw new ConstraintError(`Value must be valid JSON: ${(e as Error).message}`);
      }
    }
    case 'comma_delimited_list':
      if (Array.isArray(raw)) return raw.map((x) => (typeof x === 'string' ? x : show(x)));
      if (typeof raw !== 'string') throw new ConstraintError(`Value must be a comma-delimited list string: ${show(raw)}`);
      return raw === '' ? [] : raw.split(',').map((s) => s.trim());
  }
}

/** Heat's str_to_num: an integer when the text is one, else a float; anything else is refused. */
export function toNumber(raw: unknown): number {
  if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
  const text = typeof raw === 'string' ? raw.trim() : '';
  const n = text === '' ? NaN : Number(text);
  if (!Number.isFinite(n)) throw new ConstraintError(`could not convert string to float: '${show(raw)}'`);
  return n;
}

const bound = (v: unknown): number | undefined => (v === undefined || v === null ? undefined : Number(v));
const boundText = (v: number | undefined): string => (v === undefined ? 'None' : String(v));

function checkConstraint(def: ParameterDef, c: Record<string, unknown>, value: unknown): void {
  const described = (why: string): never => {
    throw new ConstraintError(typeof c.description === 'string' && c.description !== '' ? c.description : why);
  };
  if (has(c, 'allowed_values')) {
    const allowed = (c.allowed_values as unknown[]).map((a) => (def.type === 'number' ? toNumberOr(a) : a));
    const ok = (v: unknown) => allowed.some((a) => sameValue(a, v) || (def.type !== 'number' && String(a) === v));
    if (Array.isArray(value) ? !value.every(ok) : !ok(value)) {
      described(`${pyJson(value)} is not an allowed value [${(c.allowed_values as unknown[]).map(pyJson).join(', ')}]`);
    }
  } else if (has(c, 'range')) {
    const r = c.range as Dict;
    const [min, max] = [bound(r.min), bound(r.max)];
    const n = value as number;
    if ((min !== undefined && n < min) || (max !== undefined && n > max)) {
      described(`${n} is out of range (min: ${boundText(min)}, max: ${boundText(max)})`);
    }
  } else if (has(c, 'length')) {
    const r = c.length as Dict;
    const [min, max] = [bound(r.min), bound(r.max)];
    const len = lengthOf(value);
    if ((min !== undefined && len < min) || (max !== undefined && len > max)) {
      described(`length (${len}) is out of range (min: ${boundText(min)}, max: ${boundText(max)})`);
    }
  } else if (has(c, 'allowed_pattern')) {
    const pattern = c.allowed_pattern as string;
    if (!new RegExp(`^(?:${pattern})$`).test(value as string)) described(`"${value as string}" does not match pattern "${pattern}"`);
  } else if (has(c, 'modulo')) {
    const m = c.modulo as Dict;
    const [step, offset] = [Number(m.step), Number(m.offset)];
    const n = value as number;
    if (((n - offset) % step + step) % step !== 0) described(`${n} is not a multiple of ${step} with an offset of ${offset})`);
  }
  // custom_constraint names a check on another service's objects (a glance image, a nova flavor): not checked here.
}

function toNumberOr(v: unknown): unknown {
  try { return toNumber(v); } catch { return v; }
}

function lengthOf(v: unknown): number {
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (isDict(v)) return Object.keys(v).length;
  return String(v).length;
}
