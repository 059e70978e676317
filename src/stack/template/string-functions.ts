/**
 * @module The string functions: str_replace (and _strict, _vstrict), list_join, str_split, digest, and the
 * CloudFormation ones HOT 2013-05-23 still has (Fn::Join, Fn::Split, Fn::Replace, Fn::Base64). Arguments
 * arrive resolved; messages are Heat's.
 */
import { createHash } from 'node:crypto';
import { fail } from './errors.js';
import { has, isDict, pyJson } from './util.js';

/** Heat's ReplaceJson (map and list values as JSON) is in HOT from 2015-10-15; before, only scalars. */
const JSON_VALUES_SINCE = '2015-10-15';

/** Python's str() of a scalar, which is what Heat substitutes. */
const pyStr = (v: string | number | boolean): string => (typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v));

export function strReplace(name: string, args: unknown, path: string, versionDate: string): string {
  if (!isDict(args)) return fail(path, `Arguments to "${name}" must be a map`);
  if (!has(args, 'params') || !has(args, 'template')) {
    return fail(path, `"${name}" syntax should be ${name}:\n  template: This is var1 template var2\n  params:\n    var1: a\n    var2: string`);
  }
  const { template, params } = args;
  if (typeof template !== 'string') return fail(path, `"${name}" template must be a string`);
  if (!isDict(params)) return fail(path, `"${name}" params must be a map`);
  const strict = name !== 'str_replace';
  const noEmpty = name === 'str_replace_vstrict';
  // Longer placeholders first; among equal lengths, the lexically smaller one.
  const keys = Object.keys(params).sort().sort((a, b) => b.length - a.length);
  if (keys.includes('')) return fail(path, `"${name}" param placeholders must be non-empty strings`);
  const values = keys.map((k) => replacement(name, params[k], k, path, versionDate >= JSON_VALUES_SINCE, noEmpty));
  const found = new Set<string>();
  const replace = (s: string, i: number): string => {
    if (i === keys.length) return s;
    const parts = s.split(keys[i]);
    if (parts.length > 1) found.add(keys[i]);
    return parts.map((p) => replace(p, i + 1)).join(values[i]);
  };
  const out = replace(template, 0);
  if (strict) {
    const missing = keys.filter((k) => !found.has(k));
    if (missing.length > 0) fail(path, `The following params were not found in the template: ${missing.join(',')}`);
  }
  return out;
}

function replacement(name: string, value: unknown, param: string, path: string, json: boolean, noEmpty: boolean): string {
  const empty = (): never => fail(path, `${name} has an undefined or empty value for param ${param}, must be a defined non-empty value`);
  if (value === null || value === undefined) return noEmpty ? empty() : '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    const s = pyStr(value);
    return noEmpty && s === '' ? empty() : s;
  }
  if (!json) return fail(path, `"${name}" params must be strings or numbers, param ${param} is not valid`);
  if (noEmpty && (Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0)) return empty();
  return pyJson(value);
}

/** list_join: [delim, list] before 2015-10-15; from then on [delim, list, list...] and maps/lists joined as JSON. */
export function listJoin(args: unknown, path: string, versionDate: string): string {
  const multiple = versionDate >= JSON_VALUES_SINCE;
  const usage = `Incorrect arguments to "list_join" should be: "list_join" : [ " ", [ "str1", "str2"]${multiple ? ' ...' : ''}]`;
  if (!Array.isArray(args) || args.length < 2 || (!multiple && args.length !== 2)) return fail(path, usage);
  const [delim, ...lists] = args as unknown[];
  const items: unknown[] = [];
  for (const list of lists) {
    if (list === null || list === undefined || list === '') continue;
    if (!Array.isArray(list)) return fail(path, '"list_join" must operate on a list');
    items.push(...(list as unknown[]));
  }
  if (typeof delim !== 'string') return fail(path, '"list_join" delimiter must be a string');
  return items.map((s) => {
    if (s === null || s === undefined) return '';
    if (typeof s === 'string') return s;
    if (multiple && typeof s === 'object') return pyJson(s);
    return fail(path, multiple ? `Items to join must be string, map or list not ${pyJson(s)}` : `Items to join must be strings not ${pyJson(s)}`);
  }).join(delim);
}

export function strSplit(args: unknown, path: string): unknown {
  const usage = 'Incorrect arguments to "str_split" should be: "str_split" : [ ",", "apples,pears", <index>]';
  if (!Array.isArray(args) || args.length < 2) return fail(path, usage);
  const [delim, text, index] = args as unknown[];
  if (text === null || text === undefined) return null;
  if (typeof delim !== 'string' || delim === '' || typeof text !== 'string') return fail(path, usage);
  const parts = text.split(delim);
  if (args.length < 3) return parts;
  const i = typeof index === 'number' ? index : typeof index === 'string' && /^\s*-?\d+\s*$/.test(index) ? Number(index) : NaN;
  if (!Number.isInteger(i)) return fail(path, 'Incorrect index to "str_split" should be: "str_split" : [ ",", "apples,pears", <index>]');
  const at = i < 0 ? parts.length + i : i;
  if (at < 0 || at >= parts.length) return fail(path, `Incorrect index to "str_split" should be between 0 and ${parts.length - 1}`);
  return parts[at];
}

const DIGESTS = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'];

export function digest(args: unknown, path: string): string {
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) return fail(path, 'Argument to function "digest" must be a list of strings');
  if (args.length !== 2) return fail(path, 'Function "digest" usage: ["<algorithm>", "<value>"]');
  const [algorithm, value] = args;
  if (!DIGESTS.includes(algorithm.toLowerCase())) return fail(path, `Algorithm must be one of ${DIGESTS.join(', ')}`);
  return createHash(algorithm.toLowerCase()).update(Buffer.from(value, 'latin1')).digest('hex');
}

/** Fn::Join [delim, [strings]] (HOT 2013-05-23). */
export function cfnJoin(args: unknown, path: string): string {
  if (!Array.isArray(args) || args.length !== 2 || typeof args[0] !== 'string' || !Array.isArray(args[1])) {
    return fail(path, 'Arguments to "Fn::Join" must be of the form [delimiter, [value1, value2, ...]]');
  }
  const [delim, items] = args as [string, unknown[]];
  return items.map((s) => (s === null || s === undefined ? '' : typeof s === 'string' ? s : fail(path, `Items to join must be strings not ${pyJson(s)}`))).join(delim);
}

/** Fn::Split [delim, string] (HOT 2013-05-23). */
export function cfnSplit(args: unknown, path: string): string[] {
  if (!Array.isArray(args) || args.length !== 2 || typeof args[0] !== 'string' || args[0] === '' || typeof args[1] !== 'string') {
    return fail(path, 'Arguments to "Fn::Split" should be: [delimiter, string]');
  }
  return (args[1]).split(args[0]);
}

/** Fn::Replace [{placeholder: value}, string] (HOT 2013-05-23). */
export function cfnReplace(args: unknown, path: string): string {
  if (!Array.isArray(args) || args.length !== 2 || !isDict(args[0]) || typeof args[1] !== 'string') {
    return fail(path, 'Arguments to "Fn::Replace" should be: [{"<placeholder>": "<value>"}, "<template>"]');
  }
  let out = args[1];
  for (const [k, v] of Object.entries(args[0] as Record<string, unknown>)) {
    if (k === '') continue;
    out = out.split(k).join(v === null || v === undefined ? '' : typeof v === 'object' ? pyJson(v) : pyStr(v as string | number | boolean));
  }
  return out;
}
