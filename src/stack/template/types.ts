/**
 * @module The contract between Berth's template engine (pure: parse, validate, resolve, order) and the
 * stack service that uses it (HTTP, storage, controller, resource types). Nothing here does I/O.
 */

/** A property's type as Heat's resource schemas name them. */
export type PropertyType = 'string' | 'integer' | 'number' | 'boolean' | 'map' | 'list';

export interface PropertySchema {
  type: PropertyType;
  required?: boolean;
  default?: unknown;
  description?: string;
  /** Changing it updates the resource in place; otherwise a change replaces the resource. */
  updateAllowed?: boolean;
  /** Allowed values (Heat's AllowedValues constraint). */
  allowedValues?: unknown[];
  /** For numbers: inclusive bounds (Heat's Range constraint). */
  range?: { min?: number; max?: number };
  /** Members of a list (`list`) or named keys of a map (`map`), when the resource declares them. */
  schema?: PropertySchema | Record<string, PropertySchema>;
}

/** What the engine needs to know of a resource type to validate a template. */
export interface ResourceTypeSchema {
  properties: Record<string, PropertySchema>;
  /** Attribute names `get_attr` may ask for ('show' is always allowed). */
  attributes: string[];
  /** A group type (OS::Heat::ResourceGroup): its members are nested; `get_attr` of it may use any member attribute. */
  group?: boolean;
}

/** Resource types the stack service offers, looked up by type name. */
export type ResourceRegistry = (type: string) => ResourceTypeSchema | undefined;

export type ParameterType = 'string' | 'number' | 'boolean' | 'json' | 'comma_delimited_list';

export interface ParameterDef {
  name: string;
  type: ParameterType;
  label?: string;
  description?: string;
  default?: unknown;
  hidden: boolean;
  immutable: boolean;
  /** As written in the template: [{allowed_values|range|length|allowed_pattern|custom_constraint, description?}]. */
  constraints: Record<string, unknown>[];
}

/** One resource as written in the template; property values are unresolved (intrinsic functions kept). */
export interface ResourceDef {
  name: string;
  type: string;
  properties: Record<string, unknown>;
  /** Explicit depends_on, normalized to a list. */
  dependsOn: string[];
  condition?: unknown;
  deletionPolicy?: string;
  updatePolicy?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  externalId?: string;
}

export interface OutputDef {
  name: string;
  description?: string;
  value: unknown;
  condition?: unknown;
}

export interface Template {
  /** As written (a date, or a release-name alias). */
  version: string;
  /** The date the version means ('2013-05-23' ... '2018-08-31'); functions allowed depend on it. */
  versionDate: string;
  description?: string;
  parameterGroups: unknown[];
  parameters: Record<string, ParameterDef>;
  resources: Record<string, ResourceDef>;
  outputs: Record<string, OutputDef>;
  /** Named conditions as written (unevaluated). */
  conditions: Record<string, unknown>;
}

/** Parameter values after types, defaults and constraints: numbers are numbers, lists are arrays, json is parsed. */
export type ParameterValues = Record<string, unknown>;

/** What a function needs from the running stack while resolving. */
export interface ResolveContext {
  params: ParameterValues;
  /** Named conditions, evaluated (evaluateConditions' table, with inline ones under `resources.NAME`/`outputs.NAME`). */
  conditions: Record<string, boolean>;
  /** `get_resource NAME`: the resource's physical id (null while it has none yet). */
  resourceId(name: string): string | null;
  /**
   * `get_attr [NAME, ATTR, path...]`: the attribute's value (null when not known yet); path applied by the engine.
   * `get_attr [NAME]` (HOT 2015-10-15 on) asks with ATTR '' for every attribute as one map. For a group
   * (OS::Heat::ResourceGroup) ATTR is a member attribute and the answer is the list over its members.
   */
  attribute(name: string, attr: string): unknown;
  /** Pseudo parameters OS::stack_name, OS::stack_id, OS::project_id. */
  pseudo: Record<string, string>;
  /** The files sent with the request, for get_file (none when absent). */
  files?: Record<string, unknown>;
}

/** Dependency order: `deps[name]` lists what `name` needs first (explicit + get_resource/get_attr). */
export interface DependencyGraph {
  deps: Record<string, string[]>;
  /** Creation order in levels: every resource in a level depends only on earlier levels. Delete runs them reversed. */
  levels: string[][];
}
