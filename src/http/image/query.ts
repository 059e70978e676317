/**
 * The query string of GET /v2/images to an ImageQuery, with Glance's parameters, defaults (25 per page,
 * newest first) and messages. A parameter Glance does not define filters on a custom property.
 */
import { BerthError } from '../../core/errors.js';
import { EXACT_INTEGER_COLUMNS, EXACT_TEXT_COLUMNS, IN_COLUMNS, MEMBER_STATUSES, SORT_KEYS, VISIBILITIES, type ImageQuery, type SortKey } from '../../image/types.js';
import { inValues, timeFilter } from './filter-ops.js';

export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 1000;

export type RawQuery = Record<string, string | string[] | undefined>;

const bad = (m: string) => new BerthError('bad_request', m);
const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
function one(q: RawQuery, key: string): string | undefined {
  const v = list(q[key]);
  if (v.length > 1) throw bad(`The ${key} parameter may be given only once.`);
  return v[0];
}
function flag(q: RawQuery, key: string): boolean | undefined {
  const v = one(q, key)?.toLowerCase();
  if (v === undefined) return undefined;
  if (v !== 'true' && v !== 'false') throw bad(`Invalid value '${v}' for '${key}' filter. Valid values are 'true' or 'false'.`);
  return v === 'true';
}
function size(q: RawQuery, key: string): number | undefined {
  const v = one(q, key);
  if (v === undefined) return undefined;
  if (!/^\d{1,15}$/.test(v)) throw bad(`Invalid value for ${key}: '${v}' is not a whole number of bytes.`);
  return Number(v);
}

function sortKey(k: string): SortKey {
  const key = k.trim();
  if (!(SORT_KEYS as readonly string[]).includes(key)) throw bad(`Invalid sort key: ${key}. It must be one of the following: ${SORT_KEYS.join(', ')}.`);
  return key as SortKey;
}
function sortDir(d: string): 'asc' | 'desc' {
  const dir = d.trim();
  if (dir !== 'asc' && dir !== 'desc') throw bad(`Invalid sort direction: ${dir}`);
  return dir;
}

/** Glance's two sort syntaxes: sort=name:asc,size:desc, or sort_key=name&sort_dir=asc (repeatable). */
function sortOf(q: RawQuery): ImageQuery['sort'] {
  const keys = list(q.sort_key);
  const dirs = list(q.sort_dir);
  if (q.sort !== undefined) {
    if (keys.length || dirs.length) throw bad('Old and new sorting syntax cannot be combined');
    return list(q.sort).join(',').split(',').map((part) => {
      const [k, d] = part.split(':');
      return { key: sortKey(k), dir: sortDir(d || 'desc') };
    });
  }
  if (dirs.length > 1 && dirs.length !== keys.length) throw bad('Number of sort dirs does not match the number of sort keys');
  const parsedDirs = dirs.map(sortDir);
  const sorted = keys.map((k, i) => ({ key: sortKey(k), dir: parsedDirs[dirs.length > 1 ? i : 0] ?? 'desc' }));
  return sorted.length ? sorted : [{ key: 'created_at', dir: parsedDirs[0] ?? 'desc' }];
}

const KNOWN = new Set<string>(['limit', 'marker', 'member_status', 'tag', 'sort', 'sort_key', 'sort_dir', 'name', 'status', 'visibility',
  'owner', 'container_format', 'disk_format', 'protected', 'os_hidden', 'size_min', 'size_max', 'created_at', 'updated_at',
  ...EXACT_INTEGER_COLUMNS, ...EXACT_TEXT_COLUMNS]);

/** The `in:` filters of the query, values as given (ids in lower case). */
function anyOfFilters(q: RawQuery): NonNullable<ImageQuery['anyOf']> {
  const anyOf: NonNullable<ImageQuery['anyOf']> = {};
  for (const key of IN_COLUMNS) {
    const v = one(q, key);
    const values = v === undefined ? undefined : inValues(key, v);
    if (values) anyOf[key] = key === 'id' ? values.map((s) => s.toLowerCase()) : values;
  }
  return anyOf;
}

/** A filter's value unless it uses the `in:` operator (then it is among the `anyOf` filters). */
function plain(q: RawQuery, key: string): string | undefined {
  const v = one(q, key);
  return v?.startsWith('in:') ? undefined : v;
}

/** Exact filters on base columns: integers must be whole numbers, the others are compared as given. */
function exactFilters(q: RawQuery): NonNullable<ImageQuery['exact']> {
  const exact: NonNullable<ImageQuery['exact']> = {};
  for (const key of EXACT_INTEGER_COLUMNS) {
    const v = one(q, key);
    if (v === undefined) continue;
    if (!/^\d{1,15}$/.test(v)) throw bad(`Invalid value for ${key}: '${v}' is not a whole number.`);
    exact[key] = Number(v);
  }
  for (const key of EXACT_TEXT_COLUMNS) {
    const v = plain(q, key);
    if (v !== undefined) exact[key] = key === 'id' ? v.toLowerCase() : v;
  }
  return exact;
}

export function parseListQuery(q: RawQuery): ImageQuery {
  const limitText = one(q, 'limit');
  let limit = DEFAULT_LIMIT;
  if (limitText !== undefined) {
    if (!/^-?\d+$/.test(limitText)) throw bad('limit param must be an integer');
    limit = Number(limitText);
    if (limit < 0) throw bad('limit param must be positive');
    limit = Math.min(limit, MAX_LIMIT);
  }
  const memberStatus = one(q, 'member_status') ?? 'accepted';
  if (memberStatus !== 'all' && !(MEMBER_STATUSES as readonly string[]).includes(memberStatus)) throw bad(`Invalid status: ${memberStatus}`);
  const visibility = one(q, 'visibility');
  if (visibility !== undefined && visibility !== 'all' && !(VISIBILITIES as readonly string[]).includes(visibility))
    throw bad(`Invalid visibility value: ${visibility}`);
  if (q['changes-since'] !== undefined) throw bad('The "changes-since" filter is no longer available on v2.');
  const properties: Record<string, string> = {};
  for (const key of Object.keys(q)) {
    if (KNOWN.has(key) || key === 'changes-since') continue;
    if (key.includes('"') || key.length > 255) throw bad(`Invalid property filter: ${key.slice(0, 64)}`);
    properties[key] = one(q, key) ?? '';
  }
  return {
    name: plain(q, 'name'),
    status: plain(q, 'status'),
    visibility: visibility as ImageQuery['visibility'],
    owner: one(q, 'owner'),
    containerFormat: plain(q, 'container_format'),
    diskFormat: plain(q, 'disk_format'),
    protected: flag(q, 'protected'),
    hidden: flag(q, 'os_hidden') ?? false,
    sizeMin: size(q, 'size_min'),
    sizeMax: size(q, 'size_max'),
    exact: exactFilters(q),
    anyOf: anyOfFilters(q),
    times: (['created_at', 'updated_at'] as const).flatMap((c) => list(q[c]).map((v) => timeFilter(c, v))),
    tags: list(q.tag).map((t) => t.trim()),
    properties,
    memberStatus: memberStatus as ImageQuery['memberStatus'],
    sort: sortOf(q),
    marker: one(q, 'marker'),
    limit,
  };
}
