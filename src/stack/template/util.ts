/** @module Small helpers over plain JSON-like data shared by the template engine. */

export type Dict = Record<string, unknown>;

export const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Own keys only: a resource may be called `constructor` without finding Object.prototype's. */
export const has = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/** The single key of a one-key map (the shape of a function call), else undefined. */
export function soleKey(v: Dict): string | undefined {
  let key: string | undefined;
  for (const k in v) {
    if (key !== undefined) return undefined;
    key = k;
  }
  return key;
}

/** JSON as Python's json.dumps(sort_keys=True) writes it (", " and ": "), which Heat uses when it serialises. */
export function pyJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(pyJson).join(', ')}]`;
  if (isDict(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}: ${pyJson(v[k])}`).join(', ')}}`;
  return JSON.stringify(v);
}

/** Deep equality of JSON-like values (Heat compares with Python's ==). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (isDict(a) && isDict(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => has(b, k) && sameValue(a[k], b[k]));
  }
  return false;
}

/** How a value reads in a message: strings as they are, the rest as JSON. */
export const show = (v: unknown): string => (typeof v === 'string' ? v : pyJson(v));
