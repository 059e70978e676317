/** @module parameter_groups as Heat checks them: each group lists declared parameters, each at most once. */
import { TemplateError } from './errors.js';
import type { ParameterDef } from './types.js';
import { has, isDict } from './util.js';

export function checkParameterGroups(groups: unknown, parameters: Record<string, ParameterDef>): unknown[] {
  if (groups === undefined || groups === null) return [];
  const refuse = (where: string, message: string): never => {
    throw new TemplateError(`Parameter Groups error: ${where}: ${message}`);
  };
  if (!Array.isArray(groups)) return refuse('parameter_groups', 'The parameter_groups should be a list.');
  const grouped = new Set<string>();
  for (const group of groups as unknown[]) {
    const label = isDict(group) && typeof group.label === 'string' ? group.label : '';
    const where = label ? `parameter_groups.${label}` : 'parameter_groups';
    const names = isDict(group) ? group.parameters : undefined;
    if (names === undefined || names === null) refuse(where, 'The parameters must be provided for each parameter group.');
    if (!Array.isArray(names)) return refuse(where, 'The parameters of parameter group should be a list.');
    for (const name of names as unknown[]) {
      const key = String(name);
      if (grouped.has(key)) refuse(where, `The ${key} parameter must be assigned to one parameter group only.`);
      grouped.add(key);
      if (!has(parameters, key)) refuse(where, `The grouped parameter ${key} does not reference a valid parameter.`);
    }
  }
  return groups;
}
