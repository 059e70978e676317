/**
 * @module resolveValue: evaluates every intrinsic function in a value, innermost first (arguments are
 * resolved before the function sees them), except `if`, which evaluates only the branch its condition picks.
 */
import { cfnSelect, filterList, listConcat, mapMerge, mapReplace, repeat } from './collection-functions.js';
import { conditionHolds, containsValue, tableEnv, type ConditionEnv } from './conditions.js';
import { fail } from './errors.js';
import { getFile } from './files.js';
import { getParam, PSEUDO_PARAMETERS, stepInto } from './get-param.js';
import { cfnJoin, cfnReplace, cfnSplit, digest, listJoin, strReplace, strSplit } from './string-functions.js';
import type { ResolveContext, Template } from './types.js';
import { has, isDict, soleKey, type Dict } from './util.js';
import { functionKind } from './versions.js';

/** What `get_attr [NAME]` (no attribute, HOT 2015-10-15 on) asks ctx.attribute for: every attribute as a map. */
export const ALL_ATTRIBUTES = '';
/** get_attr without an attribute name exists from this version on. */
const ALL_ATTRIBUTES_SINCE = '2015-10-15';

export function resolveValue(t: Template, value: unknown, ctx: ResolveContext, path = ''): unknown {
  const env = tableEnv(t, ctx.conditions, ctx.params, ctx.pseudo);
  return new Resolver(t, ctx, env).resolve(value, path);
}

class Resolver {
  constructor(readonly t: Template, readonly ctx: ResolveContext, readonly env: ConditionEnv) {}

  resolve(v: unknown, path: string): unknown {
    if (Array.isArray(v)) return v.map((x, i) => this.resolve(x, `${path}[${i}]`));
    if (!isDict(v)) return v;
    const name = soleKey(v);
    if (name !== undefined) {
      const kind = functionKind(name, this.t.versionDate, 'value');
      const at = path ? `${path}.${name}` : name;
      if (kind.kind === 'refused') fail(at, kind.message);
      if (kind.kind === 'call') return this.call(name, v[name], at);
    }
    const out: Dict = {};
    for (const [k, x] of Object.entries(v)) out[k] = this.resolve(x, path ? `${path}.${k}` : k);
    return out;
  }

  call(name: string, raw: unknown, path: string): unknown {
    if (name === 'if') {
      if (!Array.isArray(raw) || raw.length !== 3) {
        fail(path, 'Arguments to "if" must be of the form: [condition_name, value_if_true, value_if_false]');
      }
      return this.resolve(conditionHolds(raw[0], this.env, path) ? raw[1] : raw[2], path);
    }
    if (name === 'filter' || name === 'contains') checkPair(name, raw, path);
    const args = this.resolve(raw, path);
    const date = this.t.versionDate;
    switch (name) {
      case 'get_param': return getParam(args, this.env, path);
      case 'get_resource': return this.getResource(args, path);
      case 'get_attr': return this.getAttr(args, path);
      case 'get_file': return getFile(args, this.ctx.files ?? {}, path);
      case 'Ref': return this.ref(args, path);
      case 'str_replace': case 'str_replace_strict': case 'str_replace_vstrict': return strReplace(name, args, path, date);
      case 'list_join': return listJoin(args, path, date);
      case 'str_split': return strSplit(args, path);
      case 'digest': return digest(args, path);
      case 'repeat': return repeat(args, path, date);
      case 'map_merge': return mapMerge(args, path);
      case 'map_replace': return mapReplace(args, path);
      case 'list_concat': case 'list_concat_unique': return listConcat(name, args, path);
      case 'filter': return filterList(args as unknown[], path);
      case 'contains': return containsValue((args as unknown[])[0], (args as unknown[])[1], path);
      case 'Fn::Join': return cfnJoin(args, path);
      case 'Fn::Split': return cfnSplit(args, path);
      case 'Fn::Replace': return cfnReplace(args, path);
      case 'Fn::Select': return cfnSelect(args, path);
      case 'Fn::Base64': return args;
      default: return fail(path, `Unknown function "${name}"`);
    }
  }

  resourceNamed(name: unknown, path: string): string {
    if (typeof name !== 'string' || !has(this.t.resources, name)) {
      return fail('', `The specified reference "${typeof name === 'string' ? name : JSON.stringify(name)}" (in ${parentOf(path)}) is incorrect.`);
    }
    return name;
  }

  getResource(args: unknown, path: string): string | null {
    return this.ctx.resourceId(this.resourceNamed(args, path));
  }

  getAttr(args: unknown, path: string): unknown {
    const newForms = this.t.versionDate >= ALL_ATTRIBUTES_SINCE;
    if (!Array.isArray(args)) return fail(path, 'Argument to "get_attr" must be a list');
    if (args.length < (newForms ? 1 : 2)) {
      return fail(path, newForms
        ? 'Arguments to "get_attr" can be of the next forms: [resource_name] or [resource_name, attribute, (path), ...]'
        : 'Arguments to "get_attr" must be of the form [resource_name, attribute, (path), ...]');
    }
    const [resource, attr, ...steps] = args as unknown[];
    const name = this.resourceNamed(resource, path);
    if (args.length === 1) return this.ctx.attribute(name, ALL_ATTRIBUTES) ?? null;
    if (typeof attr !== 'string') return fail(path, 'Attribute name in "get_attr" must be a string');
    let value = this.ctx.attribute(name, attr);
    for (const step of steps) {
      if (value === null || value === undefined) return null;
      value = stepInto(value, step);
    }
    return value ?? null;
  }

  /** Ref (HOT 2013-05-23): a parameter's value, else a resource's id. */
  ref(args: unknown, path: string): unknown {
    if (typeof args === 'string' && (has(this.ctx.params, args) || PSEUDO_PARAMETERS.includes(args))) {
      return getParam(args, this.env, path);
    }
    return this.getResource(args, path);
  }
}

/** Heat checks the shape of filter's and contains' arguments before resolving them. */
function checkPair(name: string, raw: unknown, path: string): void {
  if (name === 'filter') {
    if (!Array.isArray(raw)) fail(path, 'Argument to "filter" must be a list');
    if (raw.length !== 2) fail(path, `"filter" expected 2 arguments of the form [values, sequence] but got ${raw.length} arguments instead`);
    return;
  }
  if (!Array.isArray(raw) || raw.length === 0) fail(path, 'Incorrect arguments to "contains" should be: "contains" : [ "value1", [ "value1", "value2"]]');
  if (raw.length !== 2) fail(path, 'Arguments to "contains" must be of the form: [value1, [value1, value2]]');
}

/** The place a function sits (its path without the function's own name). */
const parentOf = (path: string): string => {
  const i = path.lastIndexOf('.');
  return i > 0 ? path.slice(0, i) : path || 'unknown';
};
