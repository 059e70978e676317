/**
 * @module Amounts and names in words, for explanations a person reads: "2 containers", "1.5 cpu",
 * "512 MiB", "10 GiB".
 */
import type { QuotaTree } from './tree.js';
import type { Amounts, Resource } from './types.js';

const UNITS: Record<Resource, [one: string, many: string]> = {
  containers: ['container', 'containers'], cpu: ['cpu', 'cpu'], memory: ['MiB', 'MiB'], disk: ['GiB', 'GiB'],
};

/** A number as people write it: integers plain, fractions to at most three decimals. */
export function num(v: number): string {
  if (v === Infinity) return 'unlimited';
  return String(Math.round(v * 1000) / 1000);
}

/** One resource with its unit: "1 container", "3 containers", "2 cpu", "unlimited MiB". */
export function quantity(r: Resource, v: number): string {
  return `${num(v)} ${Math.abs(v) === 1 ? UNITS[r][0] : UNITS[r][1]}`;
}

/** "a", "a and b", "a, b and c". */
export function joinAnd(parts: readonly string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** Several resources of one amount: "2 cpu and 1024 MiB"; "nothing" when the list is empty. */
export function list(a: Amounts, resources: readonly Resource[]): string {
  return resources.length === 0 ? 'nothing' : joinAnd(resources.map((r) => quantity(r, a[r])));
}

/** A project's name in quotes, as explanations show it. */
export function named(tree: QuotaTree, id: string): string {
  return tree.has(id) ? `'${tree.node(id).name}'` : `'${id}'`;
}

/** "the pool of 'parent'" or "the pool of the top-level projects of domain 'd'". */
export function poolName(tree: QuotaTree, scope: string): string {
  if (scope.startsWith('pool:domain:')) return `the pool of the top-level projects of domain '${scope.slice('pool:domain:'.length)}'`;
  return `the pool of ${named(tree, scope.slice('pool:'.length))}`;
}
