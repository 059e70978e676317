/**
 * @module Berth's Heat template engine: pure functions over HOT templates. Every refusal is a
 * TemplateError whose message is what heatclient prints after `ERROR: ` (the stack service answers 400).
 *
 * Use: parseTemplate → validateTemplate → resolveParameters → evaluateConditions → dependencyGraph, then
 * resolveValue for each resource's properties (and outputs) as the resources it references come to exist.
 */
export type * from './types.js';
export { TemplateError } from './errors.js';
export { loadText, parseTemplate } from './parse.js';
export { validateTemplate } from './validate.js';
export { resolveParameters, type ParameterEnvironment } from './parameters.js';
export { evaluateConditions, isEnabled } from './conditions.js';
export { dependencyGraph } from './graph.js';
export { resolveValue, ALL_ATTRIBUTES } from './resolve.js';
export { checkFiles } from './files.js';
export { VERSION_ALIASES, VERSION_DATES } from './versions.js';
export { PSEUDO_PARAMETERS } from './get-param.js';
export { templateFunctions, type TemplateFunction } from './functions-doc.js';
