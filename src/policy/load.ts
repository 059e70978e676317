/**
 * Reading a policy override file: the one part of src/policy that does I/O. The rule engine itself
 * (policy.ts, parser.ts) works on plain data only.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_RULES } from './defaults.js';
import { PolicyError } from './parser.js';
import { Policy } from './policy.js';

/**
 * Berth's default rules, overridden rule by rule by a YAML or JSON policy file (oslo.policy format) when
 * one is given. Besides rule strings, the file may use oslo.policy's legacy list form
 * (`[["a", "b"], ["c"]]` meaning `(a and b) or (c)`). An empty file changes nothing.
 */
export function loadPolicy(file?: string): Policy {
  if (file === undefined) return Policy.fromRules({ ...DEFAULT_RULES });
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (e) {
    throw new PolicyError(`Cannot read policy file ${file}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(raw);
  } catch (e) {
    throw new PolicyError(`Policy file ${file} is not valid YAML or JSON: ${(e as Error).message}`);
  }
  if (doc === null || doc === undefined) return Policy.fromRules({ ...DEFAULT_RULES });
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new PolicyError(`Policy file ${file} must contain a mapping of "name": "rule text"`);
  const overrides: Record<string, string> = {};
  for (const [name, value] of Object.entries(doc)) {
    overrides[name] = fileRuleText(file, name, value);
  }
  try {
    return Policy.fromRules({ ...DEFAULT_RULES, ...overrides });
  } catch (e) {
    if (e instanceof PolicyError) throw new PolicyError(`Policy file ${file}: ${e.message}`, e.rule);
    throw e;
  }
}

/** Converts one policy-file entry (string, or oslo.policy's legacy list-of-lists) to rule text. */
function fileRuleText(file: string, name: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    if (value.length === 0) return '@';
    const alternatives: string[] = [];
    for (const alt of value) {
      const checks: unknown[] = Array.isArray(alt) ? alt : [alt];
      if (!checks.every((c) => typeof c === 'string')) {
        throw new PolicyError(`Policy file ${file}: invalid policy rule "${name}": list entries must be strings`, name);
      }
      if (checks.length > 0) alternatives.push(`(${checks.map((c) => `(${c})`).join(' and ')})`);
    }
    return alternatives.length > 0 ? alternatives.join(' or ') : '!';
  }
  throw new PolicyError(`Policy file ${file}: invalid policy rule "${name}": rule text must be a string`, name);
}
