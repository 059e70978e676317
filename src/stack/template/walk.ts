/** @module Visiting the function calls inside a template value without evaluating them. */
import { fail } from './errors.js';
import { isDict, soleKey } from './util.js';
import { functionKind, type FunctionContext } from './versions.js';

/**
 * Called for each function call met. Returns the values to visit next instead of `args` (e.g. the one
 * branch of an `if`), or undefined to visit `args`.
 */
export type CallVisitor = (name: string, args: unknown, path: string) => unknown[] | undefined;

/** Visits `value` depth first; a function the version does not offer is refused where it is. */
export function walkCalls(value: unknown, versionDate: string, path: string, visit: CallVisitor, context: FunctionContext = 'value'): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) walkCalls(value[i], versionDate, `${path}[${i}]`, visit, context);
    return;
  }
  if (!isDict(value)) return;
  const name = soleKey(value);
  if (name !== undefined) {
    const kind = functionKind(name, versionDate, context);
    const at = `${path}.${name}`;
    if (kind.kind === 'refused') fail(at, kind.message);
    if (kind.kind === 'call') {
      const next = visit(name, value[name], at) ?? [value[name]];
      for (const v of next) walkCalls(v, versionDate, at, visit, context);
      return;
    }
  }
  for (const key in value) walkCalls(value[key], versionDate, `${path}.${key}`, visit, context);
}

/** The resource a get_resource / get_attr / Ref call names, when it is written literally. */
export function referencedResource(name: string, args: unknown): string | undefined {
  if (name === 'get_resource' || name === 'Ref') return typeof args === 'string' ? args : undefined;
  if (name === 'get_attr') return Array.isArray(args) && typeof args[0] === 'string' ? args[0] : undefined;
  return undefined;
}
