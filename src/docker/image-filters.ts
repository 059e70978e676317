/**
 * @module
 * The `filters` of `GET /images/json` (pure): parsed from Docker's JSON (`{"reference":["busybox"]}` or
 * the older `{"reference":{"busybox":true}}`) and applied to a Docker image and its tags, as the engine
 * does: a reference is a glob over `repo:tag` or `repo`, `label` is `key` or `key=value`, `before` and
 * `since` compare with the created time of the image they name.
 */
import { BerthError } from '../core/errors.js';
import { createdOf, type ImageGroup } from './image-render.js';

export interface ImageFilters {
  reference: string[];
  dangling?: boolean;
  label: string[];
  before?: string;
  since?: string;
  /** Unix seconds. */
  until?: number;
}

const KEYS = ['reference', 'dangling', 'label', 'before', 'since', 'until'];
const bad = (m: string) => new BerthError('bad_request', m);

/** The filters of a query's `filters` text (absent or empty: none). */
export function parseImageFilters(text: string | undefined): ImageFilters {
  const f: ImageFilters = { reference: [], label: [] };
  if (text === undefined || text.trim() === '') return f;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw bad(`invalid filters: ${text.slice(0, 100)} is not JSON`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw bad('invalid filters: expected a JSON object of lists');
  for (const [key, raw] of Object.entries(doc as Record<string, unknown>)) {
    if (!KEYS.includes(key)) throw bad(`invalid filter '${key}'`);
    const values = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? Object.keys(raw).filter((k) => (raw as Record<string, unknown>)[k]) : undefined;
    if (!values || !values.every((v): v is string => typeof v === 'string')) throw bad(`invalid filter '${key}': expected a list of strings`);
    if (values.length === 0) continue;
    const one = () => {
      if (values.length > 1) throw bad(`invalid filter '${key}': give one value`);
      return values[0];
    };
    if (key === 'reference') f.reference.push(...values);
    else if (key === 'label') f.label.push(...values);
    else if (key === 'dangling') {
      const v = one().toLowerCase();
      if (!['true', 'false', '1', '0'].includes(v)) throw bad(`invalid filter 'dangling=${v}'`);
      f.dangling = v === 'true' || v === '1';
    } else if (key === 'before') f.before = one();
    else if (key === 'since') f.since = one();
    else f.until = untilOf(one());
  }
  return f;
}

/** `until` as unix seconds: a number of seconds, an RFC 3339 time, or a duration before now (`10m`, `2h`). */
export function untilOf(v: string, now = Date.now()): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Math.floor(Number(v));
  const d = /^(\d+)(s|m|h)$/.exec(v);
  if (d) return Math.floor(now / 1000) - Number(d[1]) * ({ s: 1, m: 60, h: 3600 } as Record<string, number>)[d[2]];
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw bad(`invalid filter 'until=${v}': not a timestamp`);
  return Math.floor(t / 1000);
}

/** A Go `path.Match` pattern as a regular expression (`*` and `?` stop at `/`). */
export function globOf(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${pattern.slice(i + 1, end).replace(/^\^/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Whether a `repo:tag` matches a reference pattern (as `repo:tag`, or as `repo` alone). */
export function referenceMatches(pattern: string, repoTag: string): boolean {
  const re = globOf(pattern);
  const colon = repoTag.lastIndexOf(':');
  return re.test(repoTag) || (colon > repoTag.lastIndexOf('/') && re.test(repoTag.slice(0, colon)));
}

/**
 * The group as the filters leave it (its repo tags narrowed by `reference`), or undefined when it is
 * left out. `times` are the created times of the `before` and `since` images.
 */
export function applyFilters(g: ImageGroup, f: ImageFilters, times: { before?: number; since?: number } = {}): ImageGroup | undefined {
  let repoTags = g.repoTags;
  if (f.reference.length) {
    repoTags = repoTags.filter((t) => f.reference.some((p) => referenceMatches(p, t)));
    if (repoTags.length === 0) return undefined;
  }
  if (f.dangling !== undefined && (g.repoTags.length === 0) !== f.dangling) return undefined;
  const labels = (g.archive.config.config?.Labels ?? {}) as Record<string, string>;
  for (const l of f.label) {
    const eq = l.indexOf('=');
    if (eq < 0 ? !(l in labels) : labels[l.slice(0, eq)] !== l.slice(eq + 1)) return undefined;
  }
  const created = createdOf(g);
  if (times.before !== undefined && created >= times.before) return undefined;
  if (times.since !== undefined && created <= times.since) return undefined;
  if (f.until !== undefined && created >= f.until) return undefined;
  return { ...g, repoTags };
}
