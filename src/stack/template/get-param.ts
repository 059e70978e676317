/** @module get_param: a parameter's value, or a pseudo parameter's, with an optional path into it. */
import { fail } from './errors.js';
import type { ParameterValues } from './types.js';
import { has, isDict } from './util.js';

export interface ParamSource {
  params: ParameterValues;
  /** OS::stack_name, OS::stack_id, OS::project_id. */
  pseudo: Record<string, string>;
}

/** Pseudo parameters a template may name without declaring them. */
export const PSEUDO_PARAMETERS = ['OS::stack_name', 'OS::stack_id', 'OS::project_id'];

/** `args` is resolved: a name, or [name, path...]. A path that leads nowhere gives '' (as Heat does). */
export function getParam(args: unknown, src: ParamSource, path: string): unknown {
  if (args === null || args === undefined || args === '' || (Array.isArray(args) && args.length === 0)) {
    fail(path, 'Function "get_param" must have arguments');
  }
  const [name, ...steps]: unknown[] = Array.isArray(args) ? (args as unknown[]) : [args];
  if (typeof args !== 'string' && !Array.isArray(args)) fail(path, 'Argument to "get_param" must be string or list');
  if (typeof name !== 'string') fail(path, 'Parameter name in "get_param" must be string');
  let value: unknown;
  if (has(src.params, name)) value = src.params[name];
  else if (PSEUDO_PARAMETERS.includes(name) && has(src.pseudo, name)) value = src.pseudo[name];
  else fail('', `The Parameter (${name}) was not provided.`);
  for (const step of steps) {
    value = stepInto(value, step);
    if (value === undefined) return '';
  }
  return value;
}

/** One path step into a list (by index, also as digits) or a map (by key); undefined when there is nothing. */
export function stepInto(value: unknown, step: unknown): unknown {
  if (Array.isArray(value)) {
    const i = typeof step === 'number' ? step : typeof step === 'string' && /^-?\d+$/.test(step) ? Number(step) : NaN;
    if (!Number.isInteger(i)) return undefined;
    return value[i < 0 ? value.length + i : i];
  }
  if (isDict(value) && (typeof step === 'string' || typeof step === 'number')) {
    const key = String(step);
    return has(value, key) ? value[key] : undefined;
  }
  return undefined;
}
