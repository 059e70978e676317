/**
 * @module What a quota request asks for, checked value by value before the quota model sees it: Zun's
 * resource amounts (numbers or numeric text, as the OpenStack CLI sends them) and a change to a project's
 * settings (Berth's quota tree API). Every refusal is a 400 that names the field.
 */
import { BerthError } from '../core/errors.js';
import { MODES, RESOURCES, type Limits, type Mode, type QuotaSettings, type Resource } from '../quota/types.js';

/** Resource amounts where a resource set to null is to be cleared (its default applies again). */
export type AmountsChange = Partial<Record<Resource, number | null>>;

/** A partial change of a project's settings; what is not named keeps its current value. */
export interface SettingsChange {
  mode?: Mode;
  guarantee?: AmountsChange;
  borrowLimit?: AmountsChange;
  lendLimit?: AmountsChange;
  weight?: number;
  priority?: number;
}

/** The body of the quota tree's PUT, as it arrives (shape checked by the route's schema). */
export interface SettingsBody {
  mode?: string;
  guarantee?: Record<string, unknown>;
  borrow_limit?: Record<string, unknown>;
  lend_limit?: Record<string, unknown>;
  weight?: number;
  priority?: number;
}

const bad = (m: string) => new BerthError('bad_request', m);
const NUMERIC = /^\s*-?[0-9]+(\.[0-9]+)?\s*$/;
const isResource = (k: string): k is Resource => (RESOURCES as readonly string[]).includes(k);

/**
 * One amount: a number 0 or more, or -1 for no limit (as in Zun); whole except cpu. Text is accepted
 * when it is a plain number.
 */
export function amountOf(field: string, resource: Resource, v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && NUMERIC.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw bad(`Invalid input for field '${field}': ${JSON.stringify(v)} is not a number.`);
  if (n === -1) return Infinity;
  if (n < 0) throw bad(`Invalid input for field '${field}': ${n} is negative; quota amounts are 0 or more, or -1 for no limit.`);
  if (resource !== 'cpu' && !Number.isInteger(n)) throw bad(`Invalid input for field '${field}': ${n} is not a whole number.`);
  return n;
}

/** Zun's quota body (`{"containers": "2", "cpu": 4}`): the amounts it sets. */
export function zunAmounts(body: Record<string, unknown> | undefined): Limits {
  const out: Limits = {};
  for (const [k, v] of Object.entries(body ?? {})) {
    if (!isResource(k)) throw bad(`Invalid input: unknown quota resource '${k}'; resources are ${RESOURCES.join(', ')}.`);
    out[k] = amountOf(k, k, v);
  }
  return out;
}

function amountsChange(field: string, body: Record<string, unknown> | undefined): AmountsChange | undefined {
  if (body === undefined) return undefined;
  const out: AmountsChange = {};
  for (const [k, v] of Object.entries(body)) {
    if (!isResource(k)) throw bad(`Invalid input for field '${field}': unknown resource '${k}'; resources are ${RESOURCES.join(', ')}.`);
    out[k] = v === null ? null : amountOf(`${field}.${k}`, k, v);
  }
  return out;
}

/** The quota tree's PUT body as a settings change. */
export function settingsChange(b: SettingsBody): SettingsChange {
  const c: SettingsChange = {};
  if (b.mode !== undefined) {
    if (!(MODES as readonly string[]).includes(b.mode)) throw bad(`Invalid input for field 'mode': unknown mode '${b.mode}'; modes are ${MODES.join(', ')}.`);
    c.mode = b.mode as Mode;
  }
  const guarantee = amountsChange('guarantee', b.guarantee);
  const borrowLimit = amountsChange('borrow_limit', b.borrow_limit);
  const lendLimit = amountsChange('lend_limit', b.lend_limit);
  if (guarantee) c.guarantee = guarantee;
  if (borrowLimit) c.borrowLimit = borrowLimit;
  if (lendLimit) c.lendLimit = lendLimit;
  if (b.weight !== undefined) {
    if (!Number.isFinite(b.weight) || b.weight <= 0) throw bad(`Invalid input for field 'weight': ${b.weight} is not more than 0.`);
    c.weight = b.weight;
  }
  if (b.priority !== undefined) c.priority = b.priority;
  return c;
}

function merged(cur: Limits, change: AmountsChange | undefined): Limits {
  if (!change) return { ...cur };
  const out: Limits = { ...cur };
  for (const r of RESOURCES) {
    if (!(r in change)) continue;
    const v = change[r];
    if (v === null || v === undefined) delete out[r];
    else out[r] = v;
  }
  return out;
}

/** `cur` with `change` applied: named fields replaced, amounts merged resource by resource. */
export function applyChange(cur: QuotaSettings, change: SettingsChange): QuotaSettings {
  return {
    mode: change.mode ?? cur.mode,
    guarantee: merged(cur.guarantee, change.guarantee),
    borrowLimit: merged(cur.borrowLimit, change.borrowLimit),
    lendLimit: merged(cur.lendLimit, change.lendLimit),
    weight: change.weight ?? cur.weight,
    priority: change.priority ?? cur.priority,
  };
}
