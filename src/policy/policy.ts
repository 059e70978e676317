/**
 * Berth's policy engine: oslo.policy-compatible rules evaluated against request credentials and a target.
 *
 * Rules are parsed once when a Policy is built and the parsed trees are kept; `rule:` references are
 * resolved by name at check time. Reference cycles are rejected when the Policy is built. A reference to a
 * rule that does not exist evaluates to false, as in oslo.policy.
 *
 * Check semantics:
 * - `role:R` passes when R (after `%(field)s` substitution from the target) is one of the caller's roles,
 *   compared case-insensitively.
 * - `kind:match` (generic) compares a credential attribute (`user_id`, `project_id`, `domain_id`, `roles`,
 *   dotted paths into other credential properties) with the match text after substitution from the target.
 *   A quoted or constant left side (`'x':%(field)s`, `True:%(enabled)s`) is compared as a literal instead.
 * - A substitution whose field is missing, null, or not a scalar in the target makes the check fail;
 *   an absent or empty credential never matches.
 */
import { zunForbiddenMessage } from './messages.js';
import { PolicyError, parseRule, ruleReferences, type RuleNode, type Template } from './parser.js';

export { PolicyError } from './parser.js';

/** Who is asking. */
export interface Credentials {
  userId: string;
  projectId?: string;
  domainId?: string;
  /** The domain of the token's project (`project_domain_id` in rules). */
  projectDomainId?: string;
  roles: string[];
}

/** What is being acted on, e.g. `{ project_id, user_id, domain_id, 'target.user.id' }`. */
export type Target = Record<string, unknown>;

/** Which rule decides an action, for messages and logs. */
export interface RuleDescription {
  /** The action that was asked about. */
  action: string;
  /** The rule that decides it: the action itself, or `default` when the action has no rule. */
  rule: string;
  /** The rule's text, or undefined when neither the action nor `default` is defined (always denied). */
  text: string | undefined;
}

/** Thrown by Policy.enforce when a check fails. */
export class PolicyNotAuthorized extends Error {
  readonly action: string;
  constructor(action: string) {
    super(zunForbiddenMessage(action));
    this.name = 'PolicyNotAuthorized';
    this.action = action;
  }
}

const DEFAULT_RULE = 'default';

/** Python-style string form so rule files written for oslo.policy (`True`, `False`) keep working. */
function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Looks a field up in the target: the exact (possibly dotted) key first, then a path through nested objects. */
function targetValue(target: Target, field: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(target, field)) return scalarText(target[field]);
  if (!field.includes('.')) return undefined;
  let cur: unknown = target;
  for (const seg of field.split('.')) {
    if (!isRecord(cur) || !Object.prototype.hasOwnProperty.call(cur, seg)) return undefined;
    cur = cur[seg];
  }
  return scalarText(cur);
}

function render(tpl: Template, target: Target): string | undefined {
  let out = '';
  for (const part of tpl.parts) {
    if ('lit' in part) {
      out += part.lit;
    } else {
      const v = targetValue(target, part.field);
      if (v === undefined) return undefined;
      out += v;
    }
  }
  return out;
}

function credentialRoot(creds: Credentials, key: string): unknown {
  switch (key) {
    case 'user_id':
      return creds.userId;
    case 'project_id':
      return creds.projectId;
    case 'domain_id':
      return creds.domainId;
    case 'project_domain_id':
      return creds.projectDomainId;
    case 'roles':
      return creds.roles;
    default: {
      const extra = creds as unknown as Record<string, unknown>;
      return Object.prototype.hasOwnProperty.call(extra, key) ? extra[key] : undefined;
    }
  }
}

/** oslo.policy's path match: lists along the path match when any element matches. */
function pathMatches(value: unknown, path: string[], match: string): boolean {
  if (Array.isArray(value)) return value.some((v) => pathMatches(v, path, match));
  if (path.length === 0) {
    const text = scalarText(value);
    return text !== undefined && text !== '' && text === match;
  }
  if (!isRecord(value) || !Object.prototype.hasOwnProperty.call(value, path[0])) return false;
  return pathMatches(value[path[0]], path.slice(1), match);
}

export class Policy {
  private readonly texts: Map<string, string>;
  private readonly trees: Map<string, RuleNode>;

  private constructor(rules: Record<string, string>) {
    this.texts = new Map();
    this.trees = new Map();
    for (const [name, text] of Object.entries(rules)) {
      if (typeof text !== 'string') {
        throw new PolicyError(`Invalid policy rule "${name}": rule text must be a string`, name);
      }
      this.texts.set(name, text);
      this.trees.set(name, parseRule(name, text));
    }
    this.detectCycles();
  }

  /** Builds a policy from exactly these rules (no defaults). Throws PolicyError naming the bad rule. */
  static fromRules(rules: Record<string, string>): Policy {
    if (!isRecord(rules)) throw new PolicyError('Policy rules must be an object of "name": "rule text"');
    return new Policy(rules);
  }

  /** Whether `creds` may perform `action` on `target`. An action without a rule is decided by `default`. */
  check(action: string, creds: Credentials, target: Target = {}): boolean {
    const name = this.trees.has(action) ? action : DEFAULT_RULE;
    return this.evalRule(name, creds, target);
  }

  /** Like check, but throws PolicyNotAuthorized when the action is not allowed. */
  enforce(action: string, creds: Credentials, target: Target = {}): void {
    if (!this.check(action, creds, target)) throw new PolicyNotAuthorized(action);
  }

  /** Which rule decides `action`, and its text. */
  describeRule(action: string): RuleDescription {
    const rule = this.texts.has(action) ? action : DEFAULT_RULE;
    return { action, rule, text: this.texts.get(rule) };
  }

  /** Whether a rule with this exact name exists (no fallback to `default`). */
  has(name: string): boolean {
    return this.texts.has(name);
  }

  /** A copy of all rule texts by name. */
  rules(): Record<string, string> {
    return Object.fromEntries(this.texts);
  }

  private evalRule(name: string, creds: Credentials, target: Target): boolean {
    const tree = this.trees.get(name);
    return tree ? this.evalNode(tree, creds, target) : false;
  }

  private evalNode(node: RuleNode, creds: Credentials, target: Target): boolean {
    switch (node.t) {
      case 'true':
        return true;
      case 'false':
        return false;
      case 'and':
        return node.items.every((n) => this.evalNode(n, creds, target));
      case 'or':
        return node.items.some((n) => this.evalNode(n, creds, target));
      case 'not':
        return !this.evalNode(node.item, creds, target);
      case 'rule':
        return this.evalRule(node.name, creds, target);
      case 'role': {
        const role = render(node.match, target);
        if (role === undefined || role === '') return false;
        const wanted = role.toLowerCase();
        return Array.isArray(creds.roles) && creds.roles.some((r) => typeof r === 'string' && r.toLowerCase() === wanted);
      }
      case 'generic': {
        const match = render(node.match, target);
        if (match === undefined) return false;
        if ('literal' in node.kind) return node.kind.literal === match;
        const [root, ...rest] = node.kind.path;
        return pathMatches(credentialRoot(creds, root), rest, match);
      }
    }
  }

  /** Rejects `rule:` reference cycles, naming the rules involved. */
  private detectCycles(): void {
    const state = new Map<string, 'visiting' | 'done'>();
    const stack: string[] = [];
    const visit = (name: string): void => {
      const s = state.get(name);
      if (s === 'done') return;
      if (s === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(name)), name];
        throw new PolicyError(`Policy rule "${name}" refers to itself: ${cycle.join(' -> ')}`, name);
      }
      const tree = this.trees.get(name);
      if (!tree) return;
      state.set(name, 'visiting');
      stack.push(name);
      for (const ref of ruleReferences(tree)) visit(ref);
      stack.pop();
      state.set(name, 'done');
    };
    for (const name of this.trees.keys()) visit(name);
  }
}
