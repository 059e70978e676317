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
