/**
 * @module
 * Docker's events from Berth's container journal: which journal actions are which Docker events, the
 * event documents, the `filters` and `since`/`until` values of an events request. No I/O.
 */
import { BerthError } from '../core/errors.js';

/** The Docker actions a journal entry stands for (in order); none for reads (logs, top, stats...). */
const ACTIONS: Record<string, string[]> = {
  run: ['create', 'start'],
  create: ['create'],
  start: ['start'],
  stop: ['stop'],
  reboot: ['restart'],
  pause: ['pause'],
  unpause: ['unpause'],
  kill: ['kill'],
  delete: ['destroy'],
  delete_force: ['destroy'],
  delete_after_stop: ['stop', 'destroy'],
  rename: ['rename'],
  update: ['update'],
  commit: ['commit'],
  attach: ['attach'],
  get_archive: ['archive-path'],
  put_archive: ['extract-to-dir'],
  execute: ['exec_create'],
};

export function dockerActions(journalAction: string, result: string | null): string[] {
  if (result === 'Error') return [];
  return ACTIONS[journalAction] ?? [];
}

/** A container as its events name it. */
export interface EventActor {
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
}

export interface DockerEvent {
  status: string;
  id: string;
  from: string;
  Type: 'container';
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  time: number;
  /** Nanoseconds since the epoch, as a decimal string (beyond a double's precision); written as a number. */
  timeNano: string;
}

export function containerEvent(actor: EventActor, action: string, timeMs: number, extra: Record<string, string> = {}): DockerEvent {
  return {
    status: action,
    id: actor.id,
    from: actor.image,
    Type: 'container',
    Action: action,
    Actor: { ID: actor.id, Attributes: { ...actor.labels, image: actor.image, name: actor.name, ...extra } },
    scope: 'local',
    time: Math.floor(timeMs / 1000),
    timeNano: (BigInt(Math.floor(timeMs)) * 1_000_000n).toString(),
  };
}

/** One line of the events stream. */
export function eventLine(e: DockerEvent): string {
  return `${JSON.stringify(e).replace(`"timeNano":"${e.timeNano}"`, `"timeNano":${e.timeNano}`)}\n`;
}

/** The Docker action a status change reported by an agent stands for: a running container that stopped died. */
export function statusAction(before: string | undefined, after: string): string | undefined {
  if (before === 'Running' && (after === 'Stopped' || after === 'Error')) return 'die';
  return undefined;
}

/** When a container last exited and with what code, from the status its agent observed (JSON); none while it never has. */
export function lastExit(observed: string): { atMs: number; exitCode: number | undefined } | undefined {
  let o: { finishedAt?: unknown; exitCode?: unknown };
  try {
    o = JSON.parse(observed) as typeof o;
  } catch {
    return undefined;
  }
  if (typeof o?.finishedAt !== 'string' || o.finishedAt.startsWith('0001-')) return undefined;
  const atMs = Date.parse(o.finishedAt);
  if (Number.isNaN(atMs)) return undefined;
  return { atMs, exitCode: typeof o.exitCode === 'number' ? o.exitCode : undefined };
}

export type EventFilters = Map<string, string[]>;

/** Docker's `filters` JSON: {"name": {"value": true}} or the older {"name": ["value"]}. */
export function parseFilters(text: string | undefined): EventFilters {
  const out: EventFilters = new Map();
  if (text === undefined || text.trim() === '') return out;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new BerthError('bad_request', `invalid filter: filters must be JSON, not ${JSON.stringify(text)}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new BerthError('bad_request', 'invalid filter: filters must be a JSON object');
  for (const [key, v] of Object.entries(doc as Record<string, unknown>)) {
    let values: unknown[];
    if (Array.isArray(v)) values = v;
    else if (typeof v === 'object' && v !== null) values = Object.keys(v);
    else throw new BerthError('bad_request', `invalid filter '${key}'`);
    if (!values.every((x): x is string => typeof x === 'string')) throw new BerthError('bad_request', `invalid filter '${key}'`);
    if (!['type', 'container', 'event', 'label', 'image', 'scope'].includes(key)) throw new BerthError('bad_request', `invalid filter '${key}'`);
    out.set(key, values);
  }
  return out;
}

/** Whether an event passes every filter (any value of one filter may match). */
export function eventMatches(e: DockerEvent, f: EventFilters): boolean {
  const attrs = e.Actor.Attributes;
  const each = (key: string, test: (v: string) => boolean) => {
    const values = f.get(key);
    return values === undefined || values.length === 0 || values.some(test);
  };
  return each('type', (v) => v === 'container')
    && each('scope', (v) => v === 'local')
    && each('event', (v) => v === e.Action)
    && each('container', (v) => v === attrs.name || (v.length > 0 && e.id.startsWith(v)))
    && each('image', (v) => v === e.from || v === attrs.image)
    && each('label', (v) => {
      const eq = v.indexOf('=');
      return eq < 0 ? Object.hasOwn(attrs, v) : attrs[v.slice(0, eq)] === v.slice(eq + 1);
    });
}

/**
 * An events or logs time as unix seconds: what the CLI sends (`1700000000.000000000`), a date
 * (RFC 3339), or a duration before now (`10m`, `1h30m`).
 */
export function parseDockerTime(name: string, value: string, nowMs: number): number {
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const rel = /^(\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/.test(v) ? durationMs(v) : undefined;
  if (rel !== undefined) return (nowMs - rel) / 1000;
  const ms = Date.parse(v);
  if (!Number.isNaN(ms) && /^\d{4}-\d{2}-\d{2}/.test(v)) return ms / 1000;
  throw new BerthError('bad_request', `invalid value for ${name}: ${JSON.stringify(value)} is not a unix timestamp, a date or a duration`);
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function durationMs(v: string): number {
  let total = 0;
  for (const m of v.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(m[1]) * UNIT_MS[m[2]];
  return total;
}
