/**
 * Berth's policy engine: oslo.policy-style rules deciding which caller may perform which API action.
 */
export {
  Policy,
  PolicyError,
  PolicyNotAuthorized,
  type Credentials,
  type Target,
  type RuleDescription,
} from './policy.js';
export { loadPolicy } from './load.js';
export { parseRule, type RuleNode } from './parser.js';
export { DEFAULT_RULES, BASE_RULES, IDENTITY_RULES, CONTAINER_RULES, IMAGE_RULES } from './defaults.js';
export { zunForbiddenMessage, keystoneForbiddenMessage } from './messages.js';
