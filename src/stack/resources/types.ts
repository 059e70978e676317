/**
 * @module What a resource type is to the stack controller: its schema (plain data, which the template
 * engine validates against) and how to make, wait for, change and remove the object behind it.
 */
import type { Actor, ContainerCore } from '../../container/core.js';
import type { ContainerRow } from '../../store/schema.js';
import type { ResourceTypeSchema } from '../template/index.js';

/** The stack a resource belongs to, as resource types see it. */
export interface StackRef { id: string; name: string; projectId: string }

/** What the controller lends a resource type while it works on one resource. */
export interface ResourceEnv {
  core: ContainerCore;
  /** Acts as the user who made the stack's last change, in the stack's project. */
  who: Actor;
  stack: StackRef;
  /** The container, or undefined when it no longer exists. */
  container(uuid: string): Promise<ContainerRow | undefined>;
  /** Resolves when the container is Running, in Error or Stopped, or gone (undefined). */
  settled(uuid: string, done: (c: ContainerRow) => boolean): Promise<ContainerRow | undefined>;
  /** Resolves after `ms` (or at once when the controller stops). */
  sleep(ms: number): Promise<void>;
}

/** The resource as the controller hands it over: its logical name, the name meant for its object, and resolved properties. */
export interface ResourceInput {
  name: string;
  /** The name the physical object gets (written before it is made, so a restart finds it). */
  intended: string;
  props: Record<string, unknown>;
}

export interface Made { physicalId: string; attributes?: Record<string, unknown> }

/** Who asks, for checks the schema cannot express (admin-only properties), and this cloud's own Docker endpoints. */
export interface Asker {
  admin: boolean;
  authorize(rule: string, target?: Record<string, unknown>): void;
  /** The addresses of Berth's Docker endpoint (tcp://host:port and http://host:port). */
  dockerEndpoints: string[];
}

/** A failure of a resource that a person can act on: becomes the resource's status reason. */
export class ResourceFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResourceFailure';
  }
}

export interface ResourceType {
  schema: ResourceTypeSchema;
  description: string;
  /** Refusals at request time beyond the schema (who may ask for what); throws a BerthError. */
  check?(props: Record<string, unknown>, who: Asker): void;
  /** The object a create cut short by a crash already made, found by its intended name. */
  adopt?(env: ResourceEnv, r: ResourceInput): Promise<Made | null>;
  create(env: ResourceEnv, r: ResourceInput): Promise<Made>;
  /** Waits until the object is complete; throws ResourceFailure with the reason when it fails. */
  ready?(env: ResourceEnv, physicalId: string, r: ResourceInput): Promise<Record<string, unknown>>;
  /** Applies changed properties in place and gives the new attributes; false when the resource must be replaced instead. */
  update?(env: ResourceEnv, physicalId: string, before: Record<string, unknown>, r: ResourceInput): Promise<false | Record<string, unknown>>;
  /** Removes the object (physicalId null: only the intended name is known). Gone already is fine. */
  remove(env: ResourceEnv, physicalId: string | null, r: { name: string; intended: string | null }): Promise<void>;
  /** The current attributes (get_attr); the stored ones are used when absent. */
  attributes?(env: ResourceEnv, physicalId: string, r: ResourceInput): Promise<Record<string, unknown>>;
}

/** Properties with the schema's defaults filled in. */
export function withDefaults(schema: ResourceTypeSchema, props: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...props };
  for (const [k, p] of Object.entries(schema.properties)) if ((out[k] === undefined || out[k] === null) && p.default !== undefined) out[k] = p.default;
  return out;
}

/** Names of the properties whose values differ between two property sets. */
export function changedProperties(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null)).sort();
}
