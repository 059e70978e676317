/** @module Heat's helper resources that make no object: OS::Heat::RandomString, OS::Heat::Value, OS::Heat::None. */
import { randomInt } from 'node:crypto';
import type { PropertyType } from '../template/index.js';
import type { ResourceType } from './types.js';

const CLASSES: Record<string, string> = {
  lettersdigits: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  letters: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  lowercase: 'abcdefghijklmnopqrstuvwxyz',
  uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  digits: '0123456789',
  hexdigits: '0123456789abcdef',
  octdigits: '01234567',
};

interface Requirement { chars: string; min: number }

/**
 * A random string of `length` characters holding at least `min` of each requirement's characters (Heat's
 * character_classes and character_sequences); the rest drawn from all of them. Pure but for the randomness.
 */
export function randomString(length: number, reqs: Requirement[], pick: (n: number) => number = randomInt): string {
  const all = [...new Set(reqs.map((r) => r.chars).join(''))].join('') || CLASSES.lettersdigits;
  const out: string[] = [];
  for (const r of reqs) for (let i = 0; i < r.min; i++) out.push(r.chars[pick(r.chars.length)]);
  while (out.length < length) out.push(all[pick(all.length)]);
  for (let i = out.length - 1; i > 0; i--) {
    const j = pick(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out.join('');
}

/** The requirements of RandomString's properties (sequence, character_classes, character_sequences). */
export function requirementsOf(p: Record<string, unknown>): Requirement[] {
  const reqs: Requirement[] = [];
  for (const c of (p.character_classes ?? []) as { class?: string; min?: number }[]) reqs.push({ chars: CLASSES[c.class ?? 'lettersdigits'] ?? CLASSES.lettersdigits, min: Number(c.min ?? 1) });
  for (const c of (p.character_sequences ?? []) as { sequence?: string; min?: number }[]) if (c.sequence) reqs.push({ chars: c.sequence, min: Number(c.min ?? 1) });
  if (reqs.length === 0) reqs.push({ chars: CLASSES[typeof p.sequence === 'string' ? p.sequence : 'lettersdigits'] ?? CLASSES.lettersdigits, min: 0 });
  return reqs;
}

export const randomStringType: ResourceType = {
  description: 'A random string (for passwords and unique names).',
  schema: {
    properties: {
      length: { type: 'integer', default: 32, range: { min: 1, max: 512 }, description: 'Length of the string to generate.' },
      sequence: { type: 'string', allowedValues: Object.keys(CLASSES), description: 'Sequence of characters to build the random string from.' },
      character_classes: { type: 'list', description: 'A list of character class and their constraints.' },
      character_sequences: { type: 'list', description: 'A list of character sequences and their constraints.' },
      salt: { type: 'string', description: 'A value which, when changed, causes the string to be generated again.' },
    },
    attributes: ['value'],
  },
  async create(_env, r) {
    const length = Number(r.props.length ?? 32);
    const reqs = requirementsOf(r.props);
    const needed = reqs.reduce((n, q) => n + q.min, 0);
    if (needed > length) throw new Error(`Length property cannot be smaller than combined character class and character sequence minimums (${needed} > ${length}).`);
    const value = randomString(length, reqs);
    return { physicalId: value, attributes: { value } };
  },
  remove: async () => undefined,
};

export const valueType: ResourceType = {
  description: 'A value: its value attribute is the value property.',
  schema: {
    properties: {
      // NOTE: any type is accepted: the value is kept as resolved, never converted.
      value: { type: 'any' as PropertyType, required: true, updateAllowed: true, description: 'The expression to generate the "value" attribute.' },
      type: { type: 'string', allowedValues: ['string', 'number', 'comma_delimited_list', 'json', 'boolean'], updateAllowed: true, description: 'The type of the value property.' },
    },
    attributes: ['value'],
  },
  async create(env, r) {
    return { physicalId: `${env.stack.name}-${r.name}`, attributes: { value: r.props.value } };
  },
  async update(_env, _id, _before, r) {
    return { value: r.props.value };
  },
  remove: async () => undefined,
};

export const noneType: ResourceType = {
  description: 'A resource that makes nothing (a placeholder).',
  schema: { properties: {}, attributes: [] },
  async create(env, r) {
    return { physicalId: `${env.stack.name}-${r.name}` };
  },
  async update() {
    return {};
  },
  remove: async () => undefined,
};
