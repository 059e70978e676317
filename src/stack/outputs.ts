/**
 * @module Reading a stack's values from its stored resources: group attributes, and the outputs resolved
 * against the resources' physical ids and attributes. Pure over the rows given.
 */
import type { StackResourceRow, StackRow } from '../store/schema.js';
import { ALL_ATTRIBUTES, isEnabled, resolveValue, type Template } from './template/index.js';
import { memberIndex } from './resources/resource-group.js';
import { prepareStack } from './prepare.js';

const attrsOf = (r: StackResourceRow) => JSON.parse(r.attributes) as Record<string, unknown>;

function memberAttribute(r: StackResourceRow, attr: string): unknown {
  const a = attrsOf(r);
  if (attr === ALL_ATTRIBUTES) return a;
  if (attr === 'show') return a.show ?? a;
  return a[attr] ?? null;
}

/**
 * A ResourceGroup's attribute (Heat's names): refs, refs_map, removed_rsrc_list, `resource.N[.attr]`,
 * `attributes` is the members' attributes, and any other name is that attribute of every member, in index order.
 */
export function groupAttribute(group: string, attr: string, rows: StackResourceRow[]): unknown {
  const members = rows
    .map((r) => ({ r, i: memberIndex(group, r.name) }))
    .filter((m): m is { r: StackResourceRow; i: number } => m.i !== undefined && m.r.action !== 'DELETE')
    .sort((a, b) => a.i - b.i);
  if (attr === 'refs') return members.map((m) => m.r.physical_id);
  if (attr === 'refs_map') return Object.fromEntries(members.map((m) => [String(m.i), m.r.physical_id]));
  if (attr === 'removed_rsrc_list') return [];
  if (attr === ALL_ATTRIBUTES || attr === 'attributes') return Object.fromEntries(members.map((m) => [String(m.i), attrsOf(m.r)]));
  const res = /^resource\.(\d+)(?:\.(.+))?$/.exec(attr);
  if (res) {
    const m = members.find((x) => x.i === Number(res[1]));
    if (!m) return null;
    return res[2] === undefined ? m.r.physical_id : memberAttribute(m.r, res[2]);
  }
  return members.map((m) => memberAttribute(m.r, attr));
}

export interface OutputValue { output_key: string; output_value: unknown; description: string; output_error?: string }

/** The outputs of a stack as they resolve now; one that cannot resolve carries output_error. */
export function stackOutputs(s: StackRow, rows: StackResourceRow[]): OutputValue[] {
  const byName = new Map(rows.map((r) => [r.name, r]));
  let prepared;
  try {
    prepared = prepareStack({
      template: JSON.parse(s.template) as Record<string, unknown>, parameters: JSON.parse(s.parameters) as Record<string, unknown>,
      environment: JSON.parse(s.environment) as Record<string, never>, pseudo: pseudoOf(s),
    });
  } catch {
    return [];
  }
  const t: Template = prepared.template;
  const out: OutputValue[] = [];
  for (const o of Object.values(t.outputs)) {
    if (!isEnabled('outputs', o.name, o.condition, prepared.conditions)) continue;
    const base = { output_key: o.name, description: o.description ?? 'No description given' };
    try {
      const value = resolveValue(t, o.value, {
        params: prepared.params, conditions: prepared.conditions, pseudo: pseudoOf(s), files: JSON.parse(s.files) as Record<string, unknown>,
        resourceId: (name) => byName.get(name)?.physical_id ?? null,
        attribute: (name, attr) => {
          const r = byName.get(name);
          if (!r) return null;
          return r.type === 'OS::Heat::ResourceGroup' ? groupAttribute(name, attr, rows) : memberAttribute(r, attr);
        },
      }, `outputs.${o.name}.value`);
      out.push({ ...base, output_value: value });
    } catch (e) {
      out.push({ ...base, output_value: null, output_error: (e as Error).message });
    }
  }
  return out;
}

export const pseudoOf = (s: StackRow) => ({ 'OS::stack_name': s.name, 'OS::stack_id': s.id, 'OS::project_id': s.project_id });
