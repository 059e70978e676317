/** @module Flavors as Berth seeds them, and the checks a new flavor passes. Pure. */

export interface FlavorSeed { id: string; name: string; vcpus: number; ram: number; disk: number }

/**
 * Nova's default flavors (ids 1–5, as devstack creates them) and container-sized ones: a container
 * needs far less than a virtual machine, so c1.* start at 64 MiB and claim no disk.
 */
export const DEFAULT_FLAVORS: readonly FlavorSeed[] = [
  { id: '1', name: 'm1.tiny', vcpus: 1, ram: 512, disk: 1 },
  { id: '2', name: 'm1.small', vcpus: 1, ram: 2048, disk: 20 },
  { id: '3', name: 'm1.medium', vcpus: 2, ram: 4096, disk: 40 },
  { id: '4', name: 'm1.large', vcpus: 4, ram: 8192, disk: 80 },
  { id: '5', name: 'm1.xlarge', vcpus: 8, ram: 16384, disk: 160 },
  { id: 'c1.micro', name: 'c1.micro', vcpus: 1, ram: 64, disk: 0 },
  { id: 'c1.small', name: 'c1.small', vcpus: 1, ram: 256, disk: 0 },
  { id: 'c1.medium', name: 'c1.medium', vcpus: 2, ram: 1024, disk: 0 },
];

/** Docker refuses a memory limit under 6 MiB. */
export const MIN_FLAVOR_RAM = 6;

/** Why a new flavor's sizes are refused, or null. */
export function flavorProblem(f: { vcpus: number; ram: number; disk: number }): string | null {
  if (!Number.isInteger(f.vcpus) || f.vcpus < 1 || f.vcpus > 1024) return 'Invalid input for field/attribute vcpus. Value: must be an integer from 1 to 1024.';
  if (!Number.isInteger(f.ram) || f.ram < MIN_FLAVOR_RAM || f.ram > 1024 * 1024) return `Invalid input for field/attribute ram. Value: must be an integer from ${MIN_FLAVOR_RAM} to 1048576 (MiB).`;
  if (!Number.isInteger(f.disk) || f.disk < 0 || f.disk > 1024 * 1024) return 'Invalid input for field/attribute disk. Value: must be an integer from 0 to 1048576 (GiB).';
  return null;
}

/** Why a flavor is too small for an image's minimums, or null. */
export function imageFitProblem(flavor: { ram: number; disk: number }, image: { minRam: number; minDisk: number }): string | null {
  if (flavor.ram < image.minRam) return 'Flavor\'s memory is too small for requested image.';
  if (flavor.disk < image.minDisk) return 'Flavor\'s disk is too small for requested image.';
  return null;
}

/** The words oslo's strict bool_from_string reads as true or false (compared lowercased, trimmed). */
const TRUE_WORDS = ['1', 't', 'true', 'on', 'y', 'yes'];
const FALSE_WORDS = ['0', 'f', 'false', 'off', 'n', 'no'];

/** A strict boolean: true, false, or undefined when the text is neither. */
export function strictBool(v: boolean | string): boolean | undefined {
  if (typeof v === 'boolean') return v;
  const s = v.trim().toLowerCase();
  if (TRUE_WORDS.includes(s)) return true;
  if (FALSE_WORDS.includes(s)) return false;
  return undefined;
}

/**
 * What a flavor list's `is_public` query asks for: public flavors (plus private ones the caller's project
 * may use) when absent, every flavor for `none`, else the strict boolean. Only admins choose; anyone else
 * gets the default. `error` when the text is not a boolean.
 */
export function isPublicFilter(raw: string | undefined, admin: boolean): { value: boolean | null } | { error: string } {
  if (!admin || raw === undefined) return { value: true };
  if (raw.trim().toLowerCase() === 'none') return { value: null };
  const b = strictBool(raw);
  return b === undefined ? { error: `Invalid is_public filter [${raw}]` } : { value: b };
}

/** A flavor size as the create body gives it (integer or digits); NaN when not a whole number. */
export function sizeOf(v: number | string | undefined, absent: number): number {
  if (v === undefined || v === '') return absent;
  if (typeof v === 'number') return Number.isInteger(v) ? v : Number.NaN;
  return /^[0-9]+$/.test(v) ? Number(v) : Number.NaN;
}

const MAX_INT = 2147483647;

/** Why the sizes Nova checks beyond Berth's own (ephemeral, swap, rxtx_factor) are refused, or null. */
export function extraSizeProblem(f: { ephemeral: number; swap: number; rxtx_factor: number }): string | null {
  for (const k of ['ephemeral', 'swap'] as const) {
    if (!Number.isInteger(f[k]) || f[k] < 0 || f[k] > MAX_INT) return `Invalid input for field/attribute ${k}. Value: must be an integer from 0 to ${MAX_INT}.`;
  }
  if (!Number.isFinite(f.rxtx_factor) || f.rxtx_factor <= 0 || f.rxtx_factor > 3.40282e38) return 'Invalid input for field/attribute rxtx_factor. Value: must be a number greater than 0.';
  return null;
}

/** A flavor id as given: text kept, a number written as text, absent or null → undefined (a uuid is made). */
export function flavorIdOf(v: string | number | null | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'number' ? String(v) : v;
}

/** The text an extra spec value is stored as: numbers as written, booleans as Nova writes them. */
export function specText(v: string | number | boolean): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return String(v);
}

/** Why a set of extra specs is refused (a value too long once written as text), or null. */
export function specsProblem(specs: Record<string, string | number | boolean>): string | null {
  for (const [k, v] of Object.entries(specs)) {
    if (specText(v).length > 255) return `extra_specs value of ${k} has more than 255 characters.`;
  }
  return null;
}
