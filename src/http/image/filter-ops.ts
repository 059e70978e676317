/**
 * Glance's filter operators in a listing's query string: `in:` on id, name, status and the formats
 * (`name=in:a,"b,c"`: a comma inside double quotes is part of the value), and the comparisons on
 * created_at and updated_at (`created_at=gte:2016-04-18T21:38:54Z`). Times are shown to the second, so a
 * comparison is with the whole second named: `eq` matches the images of that second.
 */
import { BerthError } from '../../core/errors.js';
import type { TimeColumn, TimeFilter } from '../../image/types.js';

const bad = (m: string) => new BerthError('bad_request', m);

/** The values of an `in:` filter, split at commas outside double quotes; undefined when `v` is not one. */
export function inValues(key: string, v: string): string[] | undefined {
  if (!v.startsWith('in:')) return undefined;
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of v.slice(3)) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (quoted) throw bad(`Invalid filter value ${v}. The quote is not closed.`);
  out.push(cur);
  if (out.some((s) => s === '')) throw bad(`Invalid filter value ${v}: the ${key} values of 'in:' must not be empty.`);
  return out;
}

const OPS = ['gt', 'gte', 'eq', 'neq', 'lt', 'lte'] as const;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?$/;

/** A comparison on created_at or updated_at, as the range of stored times it keeps. */
export function timeFilter(column: TimeColumn, v: string): TimeFilter {
  const [op, ...rest] = v.split(':');
  const when = rest.join(':');
  if (!rest.length || !(OPS as readonly string[]).includes(op))
    throw bad(`Invalid operator '${rest.length ? op : ''}' for ${column}: use one of ${OPS.join(', ')}, as in ${column}=gte:2016-04-18T21:38:54Z.`);
  // A time without a zone is UTC, as Glance reads it.
  const ms = ISO.test(when) ? Date.parse(/(Z|[+-]\d\d:?\d\d)$/.test(when) ? when : `${when}Z`) : NaN;
  if (Number.isNaN(ms)) throw bad(`Invalid time '${when}' for ${column}: use ISO 8601, as in 2016-04-18T21:38:54Z.`);
  const start = Math.floor(ms / 1000) * 1000;
  const from = new Date(start).toISOString();
  const next = new Date(start + 1000).toISOString();
  switch (op as (typeof OPS)[number]) {
    case 'gt': return { column, from: next };
    case 'gte': return { column, from };
    case 'lt': return { column, before: from };
    case 'lte': return { column, before: next };
    case 'eq': return { column, from, before: next };
    case 'neq': return { column, outside: [from, next] };
  }
}
