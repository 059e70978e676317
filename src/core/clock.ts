export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/** ISO 8601 without milliseconds, as Keystone and Zun print times: 2026-11-29T20:00:00.000000Z. */
export function isoMicro(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, '');
}
