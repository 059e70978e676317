/**
 * @module OS::Heat::ResourceGroup: `count` members made from `resource_def`, `%index%` (or `index_var`)
 * replaced by each member's index. The controller makes, scales and removes the members (see
 * stack/group.ts); this module holds the schema and the pure parts.
 */
import type { ResourceTypeSchema } from '../template/index.js';

export const GROUP_TYPE = 'OS::Heat::ResourceGroup';

export const resourceGroupSchema: ResourceTypeSchema = {
  properties: {
    count: { type: 'integer', default: 1, range: { min: 0 }, updateAllowed: true, description: 'The number of resources to create.' },
    index_var: { type: 'string', default: '%index%', description: 'A variable that this resource will use to replace with the current index of a given resource in the group.' },
    resource_def: {
      type: 'map', required: true, updateAllowed: true, description: 'Resource definition for the resources in the group.',
      schema: {
        type: { type: 'string', required: true, description: 'The type of the resources in the group.' },
        properties: { type: 'map', description: 'Property values for the resources in the group.' },
        metadata: { type: 'map', description: 'Supplied metadata for the resources in the group.' },
      },
    },
    removal_policies: { type: 'list', default: [], updateAllowed: true, description: 'Policies for removal of resources on update: [{resource_list: [...]}].' },
    removal_policies_mode: { type: 'string', default: 'append', allowedValues: ['append', 'update'], updateAllowed: true, description: 'How to handle changes to removal_policies on update.' },
  },
  attributes: ['refs', 'refs_map', 'attributes', 'removed_rsrc_list'],
  group: true,
};

/** `value` with every string's index variable replaced by `index`. */
export function substituteIndex(value: unknown, indexVar: string, index: number): unknown {
  if (typeof value === 'string') return value.split(indexVar).join(String(index));
  if (Array.isArray(value)) return value.map((v) => substituteIndex(v, indexVar, index));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteIndex(v, indexVar, index)]));
  }
  return value;
}

/** The member name of index `i` in group `group`. */
export const memberName = (group: string, i: number) => `${group}.${i}`;

/** The index of a member name, or undefined when it is not a member of `group`. */
export function memberIndex(group: string, name: string): number | undefined {
  if (!name.startsWith(`${group}.`)) return undefined;
  const rest = name.slice(group.length + 1);
  return /^\d+$/.test(rest) ? Number(rest) : undefined;
}

/**
 * Which members a group of `count` has after a scale: the kept ones (lowest indexes first, as Heat keeps
 * them) and the ones to remove — the indexes named by removal_policies first, then the highest — and
 * the new indexes to make, numbered after every index used so far (a removed index is not reused).
 */
export function planScale(existing: number[], count: number, removalList: number[]): { keep: number[]; remove: number[]; add: number[] } {
  const sorted = [...existing].sort((a, b) => a - b);
  const named = sorted.filter((i) => removalList.includes(i));
  const rest = sorted.filter((i) => !removalList.includes(i));
  let keep = rest;
  const remove = [...named];
  if (keep.length > count) {
    remove.push(...keep.slice(count));
    keep = keep.slice(0, count);
  }
  const add: number[] = [];
  let next = Math.max(-1, ...sorted, ...removalList) + 1;
  while (keep.length + add.length < count) add.push(next++);
  return { keep, remove: remove.sort((a, b) => a - b), add };
}

/** The member indexes removal_policies names (`[{resource_list: ['0', '3']}]`). */
export function removalIndexes(policies: unknown): number[] {
  const out: number[] = [];
  for (const p of Array.isArray(policies) ? policies : []) {
    for (const r of ((p as { resource_list?: unknown[] })?.resource_list ?? [])) if (/^\d+$/.test(String(r))) out.push(Number(r));
  }
  return out;
}
