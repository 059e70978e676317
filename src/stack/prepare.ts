/**
 * @module What a stack request means, decided before anything is stored: the template parsed and
 * validated against the resource types, parameters and conditions resolved, the dependency graph built,
 * and each resource's literal properties checked by its type (who may ask for what). Pure: every
 * refusal is thrown (TemplateError or BerthError) and nothing is half-made.
 */
import { BerthError } from '../core/errors.js';
import {
  checkFiles, dependencyGraph, evaluateConditions, isEnabled, parseTemplate, resolveParameters, validateTemplate,
  type DependencyGraph, type ParameterValues, type Template,
} from './template/index.js';
import { registry, resourceTypes } from './resources/index.js';
import { GROUP_TYPE } from './resources/resource-group.js';
import type { Asker } from './resources/types.js';

export interface StackInput {
  template: Record<string, unknown> | string;
  parameters: Record<string, unknown>;
  environment: { parameters?: Record<string, unknown>; parameter_defaults?: Record<string, unknown> };
  pseudo: Record<string, string>;
  /** The files sent with a request: when given, every literal get_file path must be among them. */
  files?: Record<string, unknown>;
}

export interface Prepared {
  template: Template;
  params: ParameterValues;
  conditions: Record<string, boolean>;
  graph: DependencyGraph;
}

/** Parses and checks; `who` is left out where only the template is checked (validate without a caller's rights). */
export function prepareStack(input: StackInput, who?: Asker): Prepared {
  const template = parseTemplate(input.template);
  validateTemplate(template, registry);
  if (input.files) checkFiles(template, input.files);
  const params = resolveParameters(template, input.parameters, input.environment);
  const conditions = evaluateConditions(template, params);
  const graph = dependencyGraph(template, conditions);
  if (who) checkResources(template, conditions, who);
  return { template, params, conditions, graph };
}

/**
 * Template validation as Heat's validate call does it: parameters that have no value yet are fine (they
 * are reported, not required); given ones are still converted and checked.
 */
export function checkTemplate(input: StackInput, who?: Asker): { template: Template; params: ParameterValues } {
  const template = parseTemplate(input.template);
  validateTemplate(template, registry);
  if (input.files) checkFiles(template, input.files);
  const given = { ...input.environment.parameter_defaults, ...input.environment.parameters, ...input.parameters };
  const missing = Object.values(template.parameters).some((p) => p.default === undefined && !Object.hasOwn(given, p.name));
  if (missing) return { template, params: given };
  const p = prepareStack(input, who);
  return { template: p.template, params: p.params };
}

/** Enabled resources' own checks, and group members' types. */
function checkResources(t: Template, conditions: Record<string, boolean>, who: Asker): void {
  for (const r of Object.values(t.resources)) {
    if (!isEnabled('resources', r.name, r.condition, conditions)) continue;
    if (r.type === GROUP_TYPE) {
      const def = r.properties.resource_def as { type?: unknown; properties?: Record<string, unknown> } | undefined;
      const memberType = typeof def?.type === 'string' ? def.type : undefined;
      if (memberType === undefined) continue;
      if (!Object.hasOwn(resourceTypes, memberType))
        throw new BerthError('bad_request', `Property error: resources.${r.name}.properties.resource_def: The Resource Type (${memberType}) could not be found.`);
      resourceTypes[memberType].check?.(def?.properties ?? {}, who);
      continue;
    }
    resourceTypes[r.type]?.check?.(r.properties, who);
  }
}
