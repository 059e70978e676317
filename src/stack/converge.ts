/**
 * @module One pass of the stack controller over one stack: makes the database's desired stack real.
 * CREATE and UPDATE walk the dependency levels (a level's resources in parallel), making, changing in
 * place or replacing each resource, then remove what the template no longer has; DELETE removes in
 * reverse order; a failure with rollback enabled deletes what a create made (or re-applies the template
 * before an update). Each resource's row and intended name are written before its object is made, so a
 * pass cut short by a crash resumes without a duplicate. Every step writes an event. When a newer
 * request changed the stack meanwhile, the pass stops at the next step and the controller starts over.
 */
import { randomInt } from 'node:crypto';
import type { Database } from '../store/db.js';
import type { StackResourceRow, StackRow } from '../store/schema.js';
import * as repo from '../store/stack-repo.js';
import type { ContainerCore } from '../container/core.js';
import type { Logger } from '../core/log.js';
import type { Policy } from '../policy/index.js';
import { newUuid } from '../core/ids.js';
import { ALL_ATTRIBUTES, resolveValue, type ResolveContext } from './template/index.js';
import { stackActor } from './actor.js';
import { STACK_TYPE, writeEvent } from './events.js';
import { prepareStack, type Prepared } from './prepare.js';
import { resourceTypes } from './resources/index.js';
import { GROUP_TYPE, memberIndex, memberName, planScale, removalIndexes, substituteIndex } from './resources/resource-group.js';
import type { ResourceEnv, ResourceInput, ResourceType } from './resources/types.js';
import type { ContainerWaiter } from '../container/waiter.js';
import { groupAttribute } from './outputs.js';

export interface ConvergeDeps {
  db: Database;
  core: ContainerCore;
  policy: Policy;
  waiter: ContainerWaiter;
  dockerEndpoints: string[];
  log?: Logger;
  signal: AbortSignal;
}

/** The stack changed (a newer request) or the controller stops: leave the rest to the next pass. */
class Interrupted extends Error {}

/** A resource failed; its message is what the stack's reason says. */
class ResourceError extends Error {}

const NAME_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Heat's physical resource name: stack-resource-random, short enough for a container name. */
export function physicalName(stack: string, resource: string): string {
  let suffix = '';
  for (let i = 0; i < 12; i++) suffix += NAME_CHARS[randomInt(NAME_CHARS.length)];
  return `${stack.slice(0, 40)}-${resource.replace(/[^a-zA-Z0-9_.-]/g, '-').slice(0, 40)}-${suffix}`;
}

export async function converge(deps: ConvergeDeps, stackId: string): Promise<void> {
  const s = await repo.getStack(deps.db.kysely, stackId);
  if (!s || s.status !== 'IN_PROGRESS') return;
  await new Pass(deps, s).run();
}

class Pass {
  readonly d: ConvergeDeps;
  readonly s: StackRow;
  readonly env: ResourceEnv;
  rows = new Map<string, StackResourceRow>();

  constructor(deps: ConvergeDeps, s: StackRow) {
    this.d = deps;
    this.s = s;
    const who = stackActor(deps.policy, s);
    this.env = {
      core: deps.core, who, stack: { id: s.id, name: s.name, projectId: s.project_id },
      container: async (uuid) => {
        const { getContainer } = await import('../store/container-repo.js');
        return getContainer(deps.db.kysely, uuid);
      },
      settled: async (uuid, done) => {
        const c = await deps.waiter.until(uuid, done);
        this.checkCurrent();
        return c;
      },
      sleep: (ms) => new Promise((resolve) => {
        const t = setTimeout(resolve, ms);
        deps.signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
      }),
    };
  }

  get q() {
    return this.d.db.kysely;
  }

  async run(): Promise<void> {
    const action = this.s.action;
    try {
      await this.load();
      if (action === 'DELETE') {
        await this.removeAll();
        if (!(await repo.deleteStackIf(this.q, this.s.id, this.s.generation))) throw new Interrupted();
        return;
      }
      if (action === 'ROLLBACK') {
        await this.rollback();
        return;
      }
      await this.apply(this.prepared(this.s.template, this.s.parameters, this.s.environment));
      await this.finish(action, 'COMPLETE', `Stack ${action} completed successfully`);
    } catch (e) {
      if (e instanceof Interrupted || this.d.signal.aborted) return;
      const reason = e instanceof ResourceError ? e.message : `${action} failed: ${(e as Error).message}`;
      if (!(e instanceof ResourceError)) this.d.log?.warn({ err: e, stack: this.s.id }, 'stack pass failed');
      if (action === 'DELETE' || action === 'ROLLBACK' || this.s.disable_rollback === 1) {
        await this.finish(action, 'FAILED', reason);
        return;
      }
      await this.finish(action, 'FAILED', reason);
      if (await this.setState('ROLLBACK', 'IN_PROGRESS', reason)) {
        try {
          await this.rollback();
        } catch (e2) {
          if (e2 instanceof Interrupted || this.d.signal.aborted) return;
          await this.finish('ROLLBACK', 'FAILED', e2 instanceof ResourceError ? e2.message : (e2 as Error).message);
        }
      }
    }
  }

  /** A failed create: remove what it made. A failed update: apply the template from before it. */
  async rollback(): Promise<void> {
    this.rollingBack = true;
    const previous = this.s.previous ? (JSON.parse(this.s.previous) as { template: string; parameters: string; environment: string }) : null;
    if (!previous) {
      await this.removeAll();
    } else {
      await this.apply(this.prepared(previous.template, previous.parameters, previous.environment));
      if (!(await repo.setStackState(this.q, this.s.id, this.s.generation, {
        action: 'ROLLBACK', status: 'IN_PROGRESS', reason: this.s.reason,
        template: previous.template, parameters: previous.parameters, environment: previous.environment, previous: null,
      }))) throw new Interrupted();
    }
    await this.finish('ROLLBACK', 'COMPLETE', 'Stack ROLLBACK completed successfully');
  }

  prepared(template: string, parameters: string, environment: string): Prepared {
    return prepareStack({
      template: JSON.parse(template) as Record<string, unknown>,
      parameters: JSON.parse(parameters) as Record<string, unknown>,
      environment: JSON.parse(environment) as Prepared['params'],
      pseudo: this.pseudo(),
    });
  }

  pseudo(): Record<string, string> {
    return { 'OS::stack_name': this.s.name, 'OS::stack_id': this.s.id, 'OS::project_id': this.s.project_id };
  }

  async load(): Promise<void> {
    this.rows = new Map((await repo.listResources(this.q, this.s.id)).map((r) => [r.name, r]));
  }

  /** Throws Interrupted when a newer request changed the stack or the controller stops. */
  checkCurrent(): void {
    if (this.d.signal.aborted) throw new Interrupted();
  }

  async stillCurrent(): Promise<void> {
    this.checkCurrent();

    const now = await repo.getStack(this.q, this.s.id);
    if (!now || now.generation !== this.s.generation) throw new Interrupted();
  }

  async setState(action: string, status: string, reason: string): Promise<boolean> {
    const ok = await repo.setStackState(this.q, this.s.id, this.s.generation, { action, status, reason });
    if (ok) await this.stackEvent(action, status, reason);
    return ok;
  }

  async finish(action: string, status: string, reason: string): Promise<void> {
    if (!(await this.setState(action, status, reason))) throw new Interrupted();
  }

  stackEvent(action: string, status: string, reason: string): Promise<void> {
    return writeEvent(this.q, { stackId: this.s.id, resourceName: this.s.name, resourceType: STACK_TYPE, physicalId: this.s.id, action, status, reason });
  }

  event(r: Pick<StackResourceRow, 'name' | 'type' | 'physical_id'>, action: string, status: string, reason = 'state changed'): Promise<void> {
    return writeEvent(this.q, { stackId: this.s.id, resourceName: r.name, resourceType: r.type, physicalId: r.physical_id, action, status, reason });
  }

  // ------------------------------------------------------------------------------------------------
  // Create and update

  context(p: Prepared): ResolveContext {
    return {
      params: p.params, conditions: p.conditions, pseudo: this.pseudo(), files: JSON.parse(this.s.files) as Record<string, unknown>,
      resourceId: (name) => this.rows.get(name)?.physical_id ?? null,
      attribute: (name, attr) => this.attribute(name, attr),
    };
  }

  attribute(name: string, attr: string): unknown {
    const row = this.rows.get(name);
    if (!row) return null;
    if (row.type === GROUP_TYPE) return groupAttribute(name, attr, [...this.rows.values()]);
    const attrs = JSON.parse(row.attributes) as Record<string, unknown>;
    if (attr === ALL_ATTRIBUTES) return attrs;
    if (attr === 'show') return attrs.show ?? attrs;
    return attrs[attr] ?? null;
  }

  /** Set while rolling back, which has no deadline of its own. */
  rollingBack = false;

  /** timeout_mins counts from the request that started this create or update. */
  checkDeadline(): void {
    const started = Date.parse(this.s.updated_at ?? this.s.created_at);
    if (!this.rollingBack && this.s.timeout_mins !== null && Date.now() > started + this.s.timeout_mins * 60_000)
      throw new ResourceError(`${this.s.action} timed out after ${this.s.timeout_mins} minutes`);
  }

  async apply(p: Prepared): Promise<void> {
    const wanted = new Set(p.graph.levels.flat());
    for (const level of p.graph.levels) {
      await this.stillCurrent();
      this.checkDeadline();
      await settleAll(level.map((name) => this.applyOne(p, name)));
    }
    // What the template no longer has goes, newest first.
    const gone = [...this.rows.values()]
      .filter((r) => !wanted.has(r.name) && !isMemberOfAny(r.name, wanted, this.rows))
      .sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
    for (const r of gone) {
      await this.stillCurrent();
      await this.removeOne(r);
    }
  }

  async applyOne(p: Prepared, name: string): Promise<void> {
    const def = p.template.resources[name];
    const props = resolveValue(p.template, def.properties, this.context(p), `resources.${name}.properties`) as Record<string, unknown>;
    if (def.type === GROUP_TYPE) return this.applyGroup(name, props);
    return this.applyPlain(name, def.type, props ?? {});
  }

  async applyPlain(name: string, typeName: string, props: Record<string, unknown>): Promise<void> {
    const type = resourceTypes[typeName];
    const row = this.rows.get(name);
    const definition = JSON.stringify(props);
    if (row && row.type === typeName && row.status === 'COMPLETE' && row.action !== 'DELETE' && row.definition === definition) return;
    const failing = (reason: string) => this.failed(name, typeName, row?.action === 'UPDATE' || (row && row.status === 'COMPLETE') ? 'UPDATE' : 'CREATE', reason);
    try {
      type.check?.(props, { ...this.env.who, dockerEndpoints: this.d.dockerEndpoints });
    } catch (e) {
      return failing((e as Error).message);
    }
    if (row && row.type === typeName && row.status === 'COMPLETE' && row.physical_id && type.update) {
      const before = JSON.parse(row.definition) as Record<string, unknown>;
      const input: ResourceInput = { name, intended: typeof props.name === 'string' && props.name !== '' ? props.name : row.intended ?? name, props };
      await this.putRow({ ...row, action: 'UPDATE', status: 'IN_PROGRESS', reason: '' });
      await this.event(row, 'UPDATE', 'IN_PROGRESS');
      let attrs: false | Record<string, unknown>;
      try {
        attrs = await type.update(this.env, row.physical_id, before, input);
      } catch (e) {
        if (e instanceof Interrupted) throw e;
        return this.failed(name, typeName, 'UPDATE', (e as Error).message);
      }
      if (attrs !== false) {
        const stored = JSON.parse(row.attributes) as Record<string, unknown>;
        await this.putRow({ ...row, action: 'UPDATE', status: 'COMPLETE', reason: '', definition, intended: input.intended, attributes: JSON.stringify({ ...stored, ...attrs }) });
        await this.event(row, 'UPDATE', 'COMPLETE');
        return;
      }
    }
    // A resource of another type, a failed one, or one whose change needs a new object: replaced.
    if (row && !(row.action === 'CREATE' && row.status === 'IN_PROGRESS')) await this.removeOne(row);
    await this.create(name, type, typeName, props, this.rows.get(name));
  }

  /** Makes one resource; `resumed` is its row when a pass cut short already began it. */
  async create(name: string, type: ResourceType, typeName: string, props: Record<string, unknown>, resumed: StackResourceRow | undefined): Promise<void> {
    const now = new Date().toISOString();
    const intended = resumed?.intended ?? (typeof props.name === 'string' && props.name !== '' ? props.name : physicalName(this.s.name, name));
    const row: StackResourceRow = resumed ?? {
      stack_id: this.s.id, name, id: newUuid(), type: typeName, physical_id: null, intended, action: 'CREATE', status: 'IN_PROGRESS',
      reason: '', definition: JSON.stringify(props), properties: JSON.stringify(props), attributes: '{}', required_by: '[]', created_at: now, updated_at: now,
    };
    if (!resumed) {
      await this.putRow(row);
      await this.event(row, 'CREATE', 'IN_PROGRESS');
    }
    const input: ResourceInput = { name, intended, props };
    try {
      let physicalId = row.physical_id;
      let attrs: Record<string, unknown> = {};
      if (!physicalId && resumed && type.adopt) physicalId = (await type.adopt(this.env, input))?.physicalId ?? null;
      if (!physicalId) {
        const made = await type.create(this.env, input);
        physicalId = made.physicalId;
        attrs = made.attributes ?? {};
        await this.putRow({ ...row, physical_id: physicalId });
      }
      if (type.ready) attrs = { ...attrs, ...(await type.ready(this.env, physicalId, input)) };
      this.checkCurrent();
      const done = { ...row, physical_id: physicalId, status: 'COMPLETE', reason: 'state changed', attributes: JSON.stringify(attrs), definition: JSON.stringify(props), properties: JSON.stringify(props) };
      await this.putRow(done);
      await this.event(done, 'CREATE', 'COMPLETE');
    } catch (e) {
      if (e instanceof Interrupted || this.d.signal.aborted) throw new Interrupted();
      await this.failed(name, typeName, 'CREATE', (e as Error).message);
    }
  }

  async failed(name: string, typeName: string, action: string, reason: string): Promise<never> {
    const row = this.rows.get(name);
    if (row) {
      await this.putRow({ ...row, action, status: 'FAILED', reason });
      await this.event(row, action, 'FAILED', reason);
    } else {
      await writeEvent(this.q, { stackId: this.s.id, resourceName: name, resourceType: typeName, physicalId: null, action, status: 'FAILED', reason });
    }
    throw new ResourceError(`Resource ${action} failed: resources.${name}: ${reason}`);
  }

  async putRow(r: StackResourceRow): Promise<void> {
    const next = { ...r, updated_at: new Date().toISOString() };
    await repo.putResource(this.q, next);
    this.rows.set(r.name, next);
  }

  // ------------------------------------------------------------------------------------------------
  // Groups

  async applyGroup(name: string, props: Record<string, unknown>): Promise<void> {
    const def = (props.resource_def ?? {}) as { type?: string; properties?: Record<string, unknown> };
    const memberType = String(def.type);
    const count = Number(props.count ?? 1);
    const indexVar = typeof props.index_var === 'string' ? props.index_var : '%index%';
    const definition = JSON.stringify(props);
    let row = this.rows.get(name);
    if (row && row.status === 'COMPLETE' && row.definition === definition && row.type === GROUP_TYPE) return;
    const action = row && row.action !== 'DELETE' && !(row.action === 'CREATE' && row.status !== 'COMPLETE') ? 'UPDATE' : 'CREATE';
    const now = new Date().toISOString();
    row = {
      ...(row ?? { stack_id: this.s.id, name, id: newUuid(), physical_id: newUuid(), intended: null, attributes: '{}', required_by: '[]', created_at: now, updated_at: now }),
      type: GROUP_TYPE, action, status: 'IN_PROGRESS', reason: '', definition: row?.definition ?? '{}', properties: definition,
    };
    await this.putRow(row);
    await this.event(row, action, 'IN_PROGRESS');
    const members = [...this.rows.values()].filter((r) => memberIndex(name, r.name) !== undefined);
    const plan = planScale(members.map((m) => memberIndex(name, m.name)!), count, removalIndexes(props.removal_policies));
    try {
      await settleAll(plan.remove.map((i) => this.removeOne(this.rows.get(memberName(name, i))!)));
      await settleAll([...plan.keep, ...plan.add].map((i) => {
        const memberProps = substituteIndex(def.properties ?? {}, indexVar, i) as Record<string, unknown>;
        return this.applyPlain(memberName(name, i), memberType, memberProps);
      }));
    } catch (e) {
      if (e instanceof Interrupted) throw e;
      return this.failed(name, GROUP_TYPE, action, (e as Error).message);
    }
    const done = { ...row, status: 'COMPLETE', reason: 'state changed', definition };
    await this.putRow(done);
    await this.event(done, action, 'COMPLETE');
  }

  // ------------------------------------------------------------------------------------------------
  // Delete

  /** Removes every resource: in reverse dependency order when the template still says it, else newest first. */
  async removeAll(): Promise<void> {
    let levels: string[][] = [];
    try {
      levels = this.prepared(this.s.template, this.s.parameters, this.s.environment).graph.levels;
    } catch {
      // An unusable stored template: creation order reversed below does it.
    }
    const order = levels.flat();
    const rank = (name: string) => {
      const top = name.includes('.') && !order.includes(name) ? name.slice(0, name.lastIndexOf('.')) : name;
      const i = order.indexOf(top);
      return i < 0 ? Number.MAX_SAFE_INTEGER : i;
    };
    const groups = new Map<number, StackResourceRow[]>();
    for (const r of this.rows.values()) {
      const k = rank(r.name);
      groups.set(k, [...(groups.get(k) ?? []), r]);
    }
    for (const k of [...groups.keys()].sort((a, b) => b - a)) {
      await this.stillCurrent();
      const batch = groups.get(k)!;
      const members = batch.filter((r) => r.type !== GROUP_TYPE);
      await settleAll(members.map((r) => this.removeOne(r)));
      await settleAll(batch.filter((r) => r.type === GROUP_TYPE).map((r) => this.removeOne(r)));
    }
  }

  async removeOne(r: StackResourceRow): Promise<void> {
    if (r.type === GROUP_TYPE) {
      const members = [...this.rows.values()].filter((m) => memberIndex(r.name, m.name) !== undefined);
      await settleAll(members.map((m) => this.removeOne(m)));
    }
    const type = resourceTypes[r.type];
    await this.putRow({ ...r, action: 'DELETE', status: 'IN_PROGRESS', reason: '' });
    await this.event(r, 'DELETE', 'IN_PROGRESS');
    try {
      if (type) await type.remove(this.env, r.physical_id, { name: r.name, intended: r.intended });
    } catch (e) {
      if (e instanceof Interrupted || this.d.signal.aborted) throw new Interrupted();
      await this.putRow({ ...r, action: 'DELETE', status: 'FAILED', reason: (e as Error).message });
      await this.event(r, 'DELETE', 'FAILED', (e as Error).message);
      throw new ResourceError(`Resource DELETE failed: resources.${r.name}: ${(e as Error).message}`);
    }
    this.checkCurrent();
    await repo.deleteResource(this.q, this.s.id, r.name);
    this.rows.delete(r.name);
    await this.event(r, 'DELETE', 'COMPLETE');
  }
}

/** Waits for every promise; then throws the first failure (an interruption first), so nothing is left half-way. */
async function settleAll(ps: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(ps);
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as Error);
  const first = failures.find((e) => e instanceof Interrupted) ?? failures[0];
  if (first) throw first;
}

function isMemberOfAny(name: string, wanted: Set<string>, rows: Map<string, StackResourceRow>): boolean {
  const dot = name.lastIndexOf('.');
  if (dot < 0) return false;
  const group = name.slice(0, dot);
  return wanted.has(group) && rows.get(group)?.type === GROUP_TYPE && memberIndex(group, name) !== undefined;
}
