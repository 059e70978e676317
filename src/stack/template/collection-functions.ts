/**
 * @module The list and map functions: repeat, map_merge, map_replace, list_concat(_unique), filter, and
 * Fn::Select (HOT up to 2015-04-30). Arguments arrive resolved; messages are Heat's.
 */
import { fail } from './errors.js';
import { has, isDict, pyJson, sameValue, type Dict } from './util.js';

/** `for_each` may iterate a map's keys from 2016-10-14; `permutations` exists from 2017-09-01. */
const MAP_FOR_EACH_SINCE = '2016-10-14';
const PERMUTATIONS_SINCE = '2017-09-01';

export function repeat(args: unknown, path: string, versionDate: string): unknown[] {
  if (!isDict(args)) return fail(path, 'Arguments to "repeat" must be a map');
  if (!has(args, 'for_each') || !has(args, 'template')) {
    return fail(path, '"repeat" syntax should be repeat:\n  template: This is %var%\n  for_each:\n    %var%: [\'a\', \'b\', \'c\']');
  }
  let nested = true;
  if (versionDate >= PERMUTATIONS_SINCE && has(args, 'permutations')) {
    if (typeof args.permutations !== 'boolean') return fail(path, '"permutations" should be boolean type for repeat function.');
    nested = args.permutations;
  }
  const forEach = args.for_each;
  if (!isDict(forEach)) return fail(path, 'The "for_each" argument to "repeat" must contain a map');
  const mapsToo = nested && versionDate >= MAP_FOR_EACH_SINCE;
  const keys = Object.keys(forEach);
  const lists = keys.map((k): string[] => {
    const v = forEach[k];
    if (v === null || v === undefined) return [];
    if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : pyJson(x)));
    if (mapsToo && isDict(v)) return Object.keys(v);
    return fail(path, `The values of the "for_each" argument to "repeat" must be ${mapsToo ? 'lists or maps' : 'lists'}`);
  });
  const rows = nested ? product(lists) : zipped(lists, path);
  return rows.map((row) => substitute(args.template, keys, row));
}

/** Every combination, the first variable outermost (Python's itertools.product). */
function product(lists: string[][]): string[][] {
  return lists.reduce<string[][]>((rows, list) => rows.flatMap((row) => list.map((x) => [...row, x])), [[]]);
}

function zipped(lists: string[][], path: string): string[][] {
  if (lists.length === 0) return [];
  const n = lists[0].length;
  if (lists.some((l) => l.length !== n)) return fail(path, 'For repeat, the length of for_each values should be equal if no nested loop.');
  return Array.from({ length: n }, (_, i) => lists.map((l) => l[i]));
}

function substitute(template: unknown, keys: string[], values: string[]): unknown {
  if (typeof template === 'string') {
    return keys.reduce((s, k, i) => (k === '' ? s : s.split(k).join(values[i])), template);
  }
  if (Array.isArray(template)) return template.map((x) => substitute(x, keys, values));
  if (isDict(template)) {
    const out: Dict = {};
    for (const [k, v] of Object.entries(template)) out[substitute(k, keys, values) as string] = substitute(v, keys, values);
    return out;
  }
  return template;
}

export function mapMerge(args: unknown, path: string): Dict {
  if (!Array.isArray(args)) {
    return fail(path, 'Incorrect arguments to "map_merge" should be: "map_merge" : [ { "key1": "val1" }, { "key2": "val2" } ]');
  }
  const out: Dict = {};
  for (const m of args as unknown[]) {
    if (m === null || m === undefined) continue;
    if (!isDict(m)) return fail(path, `Incorrect arguments: Items to merge must be maps. ${pyJson(m)} is not a map`);
    Object.assign(out, m);
  }
  return out;
}

export function mapReplace(args: unknown, path: string): Dict {
  const usage = 'Incorrect arguments to "map_replace" should be: "map_replace" : [ { "key1": "val1" }, {"keys": {"key1": "key2"}, "values": {"val1": "val2"}}]';
  const asMap = (m: unknown): Dict => {
    if (m === null || m === undefined) return {};
    if (isDict(m)) return m;
    return fail(path, 'Incorrect arguments: to "map_replace", arguments must be a list of maps. Example:  "map_replace" : [ { "key1": "val1" }, {"keys": {"key1": "key2"}, "values": {"val1": "val2"}}]');
  };
  if (!Array.isArray(args) || args.length !== 2) return fail(path, usage);
  const input = asMap(args[0]);
  const repl = asMap(args[1]);
  if (Object.keys(repl).some((k) => k !== 'keys' && k !== 'values')) return fail(path, usage);
  const keys = asMap(repl.keys);
  const values = asMap(repl.values);
  const out: Dict = {};
  for (const [k, v] of Object.entries(input)) {
    const replaced = has(keys, k) && keys[k] !== null ? keys[k] : undefined;
    let key = k;
    if (replaced !== undefined) {
      key = typeof replaced === 'string' ? replaced : pyJson(replaced);
      if (has(input, key) && key !== k) return fail(path, `key replacement ${key} collides with a key in the input map`);
      if (has(out, key)) return fail(path, `key replacement ${key} collides with a key in the output map`);
    }
    out[key] = typeof v === 'string' && has(values, v) ? values[v] : v;
  }
  return out;
}

export function listConcat(name: string, args: unknown, path: string): unknown[] {
  if (!Array.isArray(args)) {
    return fail(path, `Incorrect arguments to "${name}" should be: "${name}" : [ [ <value 1>, <value 2> ], [ <value 3>, <value 4> ] ]`);
  }
  const out: unknown[] = [];
  for (const m of args as unknown[]) {
    if (m === null || m === undefined) continue;
    if (!Array.isArray(m)) {
      return fail(path, `Incorrect arguments: Items to concat must be lists. ${pyJson(args)} contains an item that is not a list: ${pyJson(m)}`);
    }
    out.push(...(m as unknown[]));
  }
  if (name !== 'list_concat_unique') return out;
  const seen = new Set<string>();
  return out.filter((x) => {
    const key = pyJson(x);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** filter [values_to_remove, list]. The argument count is checked before resolution by the caller. */
export function filterList(args: unknown[], path: string): unknown {
  const [values, sequence] = args;
  if (sequence === null || sequence === undefined || (Array.isArray(sequence) && sequence.length === 0)) return sequence;
  if (!Array.isArray(sequence)) return fail(path, '"filter" only works with lists');
  if (values === null || values === undefined || (Array.isArray(values) && values.length === 0)) return sequence;
  if (!Array.isArray(values)) return fail(path, '"filter" filters a list of values');
  return sequence.filter((x) => !values.some((v) => sameValue(v, x)));
}

/** Fn::Select [index, list or map]: '' when there is nothing there, as Heat answers. */
export function cfnSelect(args: unknown, path: string): unknown {
  if (!Array.isArray(args) || args.length !== 2) return fail(path, 'Arguments to "Fn::Select" not fully resolved');
  const [index, collection] = args as unknown[];
  if (collection === null || collection === undefined || collection === '') return '';
  if (isDict(collection)) {
    if (typeof index !== 'string') return fail(path, 'Index to "Fn::Select" must be a string');
    return has(collection, index) ? collection[index] : '';
  }
  const i = typeof index === 'number' ? index : Number(index);
  if (!Array.isArray(collection) || !Number.isInteger(i)) return fail(path, 'Arguments to "Fn::Select" not fully resolved');
  return i >= 0 && i < collection.length ? collection[i] : '';
}
