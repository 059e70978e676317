/**
 * @module The `filters` of GET /containers/json: parsed from Docker's JSON (either `{"k":["v"]}` or the
 * older `{"k":{"v":true}}`), then matched against rows. Pure; `before`/`since` name containers the
 * caller resolves to creation times.
 */
import { BerthError } from '../core/errors.js';
import type { ContainerRow } from '../store/schema.js';
import type { ContainerSpec, ObservedStatus } from '../agent/protocol.js';
import { parseRef } from './refs.js';
import { dockerState, exitCodeOf, type DockerState } from './render.js';

const STATES: readonly DockerState[] = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];
const KEYS = ['id', 'name', 'label', 'status', 'ancestor', 'exited', 'before', 'since', 'health'] as const;
type Key = (typeof KEYS)[number];

export type ContainerFilters = Partial<Record<Key, string[]>>;

const invalid = (what: string) => new BerthError('bad_request', what);

/** Parses the query parameter; 400 for bad JSON, unknown keys and bad values, as Docker answers. */
export function parseFilters(text: string | undefined): ContainerFilters {
  if (text === undefined || text.trim() === '') return {};
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw invalid(`invalid filter: ${text} is not JSON`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalid('invalid filter: filters must be a JSON object');
  const out: ContainerFilters = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!(KEYS as readonly string[]).includes(key)) throw invalid(`invalid filter '${key}'`);
    let values: unknown[];
    if (Array.isArray(value)) values = value;
    else if (value && typeof value === 'object') values = Object.entries(value).filter(([, on]) => on === true).map(([v]) => v);
    else throw invalid(`invalid filter '${key}': its values must be a list`);
    if (!values.every((v): v is string => typeof v === 'string')) throw invalid(`invalid filter '${key}': its values must be strings`);
    if (values.length === 0) continue;
    if (key === 'status') for (const v of values) if (!(STATES as readonly string[]).includes(v)) throw invalid(`invalid filter 'status=${v}'`);
    if (key === 'exited') for (const v of values) if (!/^-?\d+$/.test(v)) throw invalid(`invalid filter 'exited=${v}'`);
    if (key === 'name') for (const v of values) toRegExp(v);
    out[key as Key] = values;
  }
  return out;
}

function toRegExp(v: string): RegExp {
  try {
    return new RegExp(v);
  } catch {
    throw invalid(`invalid filter 'name=${v}': not a valid regular expression`);
  }
}

/** Whether a list without `all` includes everything anyway (Docker: a status filter or a limit does). */
export function listsAll(f: ContainerFilters, all: boolean, limit: number | undefined): boolean {
  return all || f.status !== undefined || (limit !== undefined && limit > 0) || f.exited !== undefined;
}

const sameImage = (a: string, b: string) => {
  if (a === b) return true;
  const x = parseRef(a);
  const y = parseRef(b);
  return x !== undefined && y !== undefined && x.repo === y.repo && x.tag === y.tag;
};

/**
 * Whether a row passes every filter (values of one key are alternatives). `times` holds the creation
 * times of the containers `before` and `since` name.
 */
export function matches(row: ContainerRow, f: ContainerFilters, times: { before?: string; since?: string } = {}): boolean {
  const spec = JSON.parse(row.spec) as ContainerSpec;
  const labels = spec.labels ?? {};
  const state = dockerState(row);
  const any = (key: Key, test: (v: string) => boolean) => f[key] === undefined || f[key].some(test);
  return any('id', (v) => row.uuid.startsWith(v.toLowerCase()) || row.uuid.replace(/-/g, '').startsWith(v.toLowerCase()))
    && any('name', (v) => toRegExp(v.replace(/^\//, '')).test(row.name) || toRegExp(v).test(`/${row.name}`))
    && (f.label === undefined || f.label.every((v) => {
      const eq = v.indexOf('=');
      return eq < 0 ? v in labels : labels[v.slice(0, eq)] === v.slice(eq + 1);
    }))
    && any('status', (v) => v === state)
    && any('ancestor', (v) => sameImage(v, row.image) || v === spec.image)
    && any('exited', (v) => state === 'exited' && exitCodeOf(row) === Number(v))
    && any('health', (v) => ((JSON.parse(row.observed || '{}') as ObservedStatus['observed']).health ?? 'none') === v)
    && (times.before === undefined || row.created_at < times.before)
    && (times.since === undefined || row.created_at > times.since);
}
