/**
 * @module Conditions: the named ones of the `conditions` section, the inline ones of a resource or output,
 * and the first argument of `if`. Only condition functions apply here (get_param, equals, not, and, or, and
 * contains from 2017-09-01); a condition names another one by a string.
 */
import { fail, TemplateError } from './errors.js';
import { getParam, type ParamSource } from './get-param.js';
import type { ParameterValues, Template } from './types.js';
import { has, isDict, sameValue, show, soleKey } from './util.js';
import { functionKind } from './versions.js';

/** What evaluating a condition needs: the version, parameters, and the other named conditions. */
export interface ConditionEnv extends ParamSource {
  versionDate: string;
  /** A named condition's value; unknown names are refused by the caller's table. */
  named(name: string): boolean;
  hasNamed(name: string): boolean;
}

/** A condition given as a name, a boolean or a condition function (resource/output `condition`, `if`'s first argument). */
export function conditionHolds(cond: unknown, env: ConditionEnv, path: string): boolean {
  if (typeof cond === 'boolean') return cond;
  if (typeof cond === 'string') {
    if (!env.hasNamed(cond)) fail(path, `Invalid condition "${cond}"`);
    return env.named(cond);
  }
  const v = conditionValue(cond, env, path);
  if (typeof v === 'boolean') return v;
  return fail(path, `Invalid condition "${show(cond)}"`);
}

/** Evaluates a condition expression: functions are called, other values come back as they are. */
export function conditionValue(expr: unknown, env: ConditionEnv, path: string): unknown {
  if (Array.isArray(expr)) return expr.map((v, i) => conditionValue(v, env, `${path}[${i}]`));
  if (!isDict(expr)) return expr;
  const name = soleKey(expr);
  if (name !== undefined) {
    const kind = functionKind(name, env.versionDate, 'condition');
    const at = `${path}.${name}`;
    if (kind.kind === 'refused') fail(at, kind.message);
    if (kind.kind === 'call') return callCondition(name, expr[name], env, at);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(expr)) out[k] = conditionValue(v, env, `${path}.${k}`);
  return out;
}

function callCondition(name: string, args: unknown, env: ConditionEnv, path: string): unknown {
  switch (name) {
    case 'get_param':
      return getParam(conditionValue(args, env, path), env, path);
    case 'equals': {
      if (!Array.isArray(args) || args.length !== 2) fail(path, 'Arguments to "equals" must be of the form: [value_1, value_2]');
      const [a, b] = conditionValue(args, env, path) as unknown[];
      return sameValue(a, b);
    }
    case 'contains': {
      if (!Array.isArray(args) || args.length !== 2) fail(path, 'Arguments to "contains" must be of the form: [value1, [value1, value2]]');
      const [v, seq] = conditionValue(args, env, path) as unknown[];
      return containsValue(v, seq, path);
    }
    case 'not': {
      if (args === null || args === undefined) fail(path, 'Argument to "not" must be a condition');
      return !conditionHolds(conditionValue(args, env, path), env, path);
    }
    default: {
      if (!Array.isArray(args)) fail(path, `Arguments to "${name}" must be a list of conditions`);
      if (args.length < 2) fail(path, `The minimum number of condition arguments to "${name}" is 2.`);
      const values = args.map((a, i) => conditionHolds(conditionValue(a, env, `${path}[${i}]`), env, `${path}[${i}]`));
      return name === 'and' ? values.every(Boolean) : values.some(Boolean);
    }
  }
}

/** `contains`: the value is in the list (deep equality), or a substring of the string. */
export function containsValue(v: unknown, seq: unknown, path: string): boolean {
  if (typeof seq === 'string') return typeof v === 'string' && seq.includes(v);
  if (!Array.isArray(seq)) return fail(path, 'Second argument to "contains" should be a sequence.');
  return seq.some((x) => sameValue(x, v));
}

/**
 * Every named condition, evaluated once each (a name used by several is not re-evaluated; a loop of names
 * is refused). Inline conditions of resources and outputs are evaluated too, under `resources.NAME` and
 * `outputs.NAME`, so that code holding only this table can tell whether they exist.
 */
export function evaluateConditions(t: Template, params: ParameterValues, pseudo: Record<string, string> = {}): Record<string, boolean> {
  const done = new Map<string, boolean>();
  const inProgress = new Set<string>();
  const env: ConditionEnv = {
    versionDate: t.versionDate,
    params,
    pseudo,
    hasNamed: (name) => has(t.conditions, name),
    named(name) {
      const known = done.get(name);
      if (known !== undefined) return known;
      if (inProgress.has(name)) throw new TemplateError(`Condition validation error: Circular definition for condition "${name}"`);
      inProgress.add(name);
      const def = t.conditions[name];
      const path = `conditions.${name}`;
      if (typeof def !== 'boolean' && !isCall(def)) {
        throw new TemplateError(`Condition validation error: The definition of condition "${name}" is invalid: ${show(def)}`);
      }
      const v = conditionValue(def, env, path);
      if (typeof v !== 'boolean') {
        throw new TemplateError(`Condition validation error: The definition of condition "${name}" is invalid: ${show(def)}`);
      }
      inProgress.delete(name);
      done.set(name, v);
      return v;
    },
  };
  const out: Record<string, boolean> = {};
  for (const name of Object.keys(t.conditions)) out[name] = env.named(name);
  for (const r of Object.values(t.resources)) {
    if (isDict(r.condition)) out[`resources.${r.name}`] = conditionHolds(r.condition, env, `resources.${r.name}.condition`);
  }
  for (const o of Object.values(t.outputs)) {
    if (isDict(o.condition)) out[`outputs.${o.name}`] = conditionHolds(o.condition, env, `outputs.${o.name}.condition`);
  }
  return out;
}

const isCall = (v: unknown): boolean => isDict(v) && soleKey(v) !== undefined;

/** A condition table (from evaluateConditions) as a ConditionEnv for conditions met while resolving. */
export function tableEnv(t: Template, conditions: Record<string, boolean>, params: ParameterValues, pseudo: Record<string, string>): ConditionEnv {
  return {
    versionDate: t.versionDate,
    params,
    pseudo,
    hasNamed: (name) => has(conditions, name),
    named: (name) => conditions[name],
  };
}

/** Whether a resource or output exists under the evaluated conditions (no condition: it does). */
export function isEnabled(kind: 'resources' | 'outputs', name: string, cond: unknown, conditions: Record<string, boolean>): boolean {
  if (cond === undefined || cond === null) return true;
  if (typeof cond === 'boolean') return cond;
  const key = typeof cond === 'string' ? cond : `${kind}.${name}`;
  if (!has(conditions, key)) {
    return fail(`${kind}.${name}.condition`, typeof cond === 'string' ? `Invalid condition "${cond}"` : 'condition was not evaluated');
  }
  return conditions[key];
}
