/**
 * @module Arithmetic on per-resource amounts. Every function returns a new object; none mutates.
 */
import { RESOURCES, type Amounts, type Limits, type Resource } from './types.js';

/**
 * Slack allowed when comparing sums of fractional vCPUs (0.1 + 0.2 must fit in 0.3). The SQL adapter
 * compares with the same slack: `used + r <= allowed + EPSILON`.
 */
export const EPSILON = 1e-9;

/** The same value for every resource. */
export function fill(v: number): Amounts {
  return { containers: v, cpu: v, memory: v, disk: v };
}

export function zero(): Amounts {
  return fill(0);
}

export const UNLIMITED: Amounts = Object.freeze(fill(Infinity));

/** Amounts from a partial object: a missing resource takes the value from `rest` (0 when not given). */
export function amounts(partial: Limits = {}, rest: Amounts = zero()): Amounts {
  return map((r) => partial[r] ?? rest[r]);
}

/** Builds amounts resource by resource. */
export function map(f: (r: Resource) => number): Amounts {
  return { containers: f('containers'), cpu: f('cpu'), memory: f('memory'), disk: f('disk') };
}

export function add(a: Amounts, b: Amounts): Amounts {
  return map((r) => a[r] + b[r]);
}

/** a − b; Infinity − finite stays Infinity, Infinity − Infinity is taken as Infinity (no limit stays no limit). */
export function sub(a: Amounts, b: Amounts): Amounts {
  return map((r) => (a[r] === Infinity ? Infinity : a[r] - b[r]));
}

export function min(a: Amounts, b: Amounts): Amounts {
  return map((r) => Math.min(a[r], b[r]));
}

export function max(a: Amounts, b: Amounts): Amounts {
  return map((r) => Math.max(a[r], b[r]));
}

/** max(0, a) per resource. */
export function clamp(a: Amounts): Amounts {
  return map((r) => Math.max(0, a[r]));
}

/** a × k per resource (0 × Infinity is 0). */
export function scale(a: Amounts, k: number): Amounts {
  return map((r) => (k === 0 ? 0 : a[r] * k));
}

export function negate(a: Amounts): Amounts {
  return map((r) => (a[r] === 0 ? 0 : -a[r]));
}

export function sum(list: readonly Amounts[]): Amounts {
  return list.reduce(add, zero());
}

export function isZero(a: Amounts): boolean {
  return RESOURCES.every((r) => a[r] === 0);
}

export function equal(a: Amounts, b: Amounts): boolean {
  return RESOURCES.every((r) => a[r] === b[r]);
}

/** a ≤ b in every resource (with the EPSILON slack). */
export function within(a: Amounts, b: Amounts): boolean {
  return RESOURCES.every((r) => a[r] <= b[r] + EPSILON);
}

/** The resources in which `used + change` exceeds `limit`, counting only resources where change > 0. */
export function overflow(used: Amounts, change: Amounts, limit: Amounts): Resource[] {
  return RESOURCES.filter((r) => change[r] > 0 && used[r] + change[r] > limit[r] + EPSILON);
}

/** True when `used + change` stays within `limit` wherever change > 0. */
export function fits(used: Amounts, change: Amounts, limit: Amounts): boolean {
  return overflow(used, change, limit).length === 0;
}

/** The resources in which `a` exceeds `b`. */
export function above(a: Amounts, b: Amounts): Resource[] {
  return RESOURCES.filter((r) => a[r] > b[r] + EPSILON);
}

/** The resources with a positive amount. */
export function positive(a: Amounts): Resource[] {
  return RESOURCES.filter((r) => a[r] > 0);
}

/** True when every resource is finite. */
export function finite(a: Amounts): boolean {
  return RESOURCES.every((r) => Number.isFinite(a[r]));
}
