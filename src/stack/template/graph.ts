/**
 * @module dependencyGraph: which resources need which first (explicit depends_on, and get_resource/get_attr
 * in properties and metadata), over the resources whose condition holds, and the creation levels.
 * Invariant: every resource in levels[i] depends only on resources in levels[0..i-1]. Linear in the size
 * of the template: each reference is looked at once, each edge once.
 */
import { isEnabled } from './conditions.js';
import { TemplateError } from './errors.js';
import type { DependencyGraph, ResourceDef, Template } from './types.js';
import { has } from './util.js';
import { referencedResource, walkCalls } from './walk.js';

export function dependencyGraph(t: Template, conditions: Record<string, boolean>): DependencyGraph {
  return graphOf(t, conditions, false);
}

/** With `everyBranch`, both branches of every `if` count (validation, before conditions have values). */
export function graphOf(t: Template, conditions: Record<string, boolean>, everyBranch: boolean): DependencyGraph {
  const enabled = Object.values(t.resources).filter((r) => isEnabled('resources', r.name, r.condition, conditions));
  const on = new Set(enabled.map((r) => r.name));
  const deps: Record<string, string[]> = {};
  for (const r of enabled) deps[r.name] = [...dependenciesOf(t, r, everyBranch ? {} : conditions)].filter((d) => on.has(d));
  return { deps, levels: levelsOf(enabled.map((r) => r.name), deps) };
}

/** Names `r` needs: depends_on, then references in properties and metadata. Unknown names are refused. */
function dependenciesOf(t: Template, r: ResourceDef, conditions: Record<string, boolean>): Set<string> {
  const out = new Set<string>();
  for (const d of r.dependsOn) {
    if (!has(t.resources, d)) throw new TemplateError(`The specified reference "${d}" (in resources.${r.name}.depends_on) is incorrect.`);
    out.add(d);
  }
  const visit = (name: string, args: unknown, path: string): unknown[] | undefined => {
    if (name === 'if' && Array.isArray(args) && args.length === 3) return branches(args, conditions);
    const target = referencedResource(name, args);
    if (target === undefined) return undefined;
    if (has(t.resources, target)) out.add(target);
    else if (name !== 'Ref' || !has(t.parameters, target)) {
      throw new TemplateError(`The specified reference "${target}" (in ${path.slice(0, path.lastIndexOf('.'))}) is incorrect.`);
    }
    return undefined;
  };
  walkCalls(r.properties, t.versionDate, `resources.${r.name}.properties`, visit);
  if (r.metadata !== undefined) walkCalls(r.metadata, t.versionDate, `resources.${r.name}.metadata`, visit);
  return out;
}

/** The branch of an `if` its condition picks when the condition is known here; both otherwise. */
function branches(args: unknown[], conditions: Record<string, boolean>): unknown[] {
  const [cond, yes, no] = args;
  if (typeof cond === 'boolean') return [cond ? yes : no];
  if (typeof cond === 'string' && has(conditions, cond)) return [conditions[cond] ? yes : no];
  return [yes, no];
}

/** Kahn's algorithm, one level per step; what is left over lies on or behind a cycle, which is named. */
function levelsOf(names: string[], deps: Record<string, string[]>): string[][] {
  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const n of names) {
    waiting.set(n, deps[n].length);
    for (const d of deps[n]) {
      const list = dependents.get(d);
      if (list) list.push(n);
      else dependents.set(d, [n]);
    }
  }
  const level = new Map<string, number>();
  const ready = names.filter((n) => deps[n].length === 0);
  for (const n of ready) level.set(n, 0);
  for (let i = 0; i < ready.length; i++) {
    const n = ready[i];
    for (const m of dependents.get(n) ?? []) {
      level.set(m, Math.max(level.get(m) ?? 0, (level.get(n) ?? 0) + 1));
      const left = (waiting.get(m) ?? 0) - 1;
      waiting.set(m, left);
      if (left === 0) ready.push(m);
    }
  }
  if (ready.length < names.length) throw new TemplateError(`Circular Dependency Found: ${cycleIn(names, deps, new Set(ready)).join(' -> ')}`);
  const levels: string[][] = [];
  for (const n of names) {
    const l = level.get(n) ?? 0;
    while (levels.length <= l) levels.push([]);
    levels[l].push(n);
  }
  return levels;
}

/** One cycle among the resources never placed: each of them waits on at least one other that never was. */
function cycleIn(names: string[], deps: Record<string, string[]>, placed: Set<string>): string[] {
  let n = names.find((x) => !placed.has(x)) as string;
  const seenAt = new Map<string, number>();
  const path: string[] = [];
  while (!seenAt.has(n)) {
    seenAt.set(n, path.length);
    path.push(n);
    n = deps[n].find((d) => !placed.has(d)) as string;
  }
  return [...path.slice(seenAt.get(n)), n];
}
