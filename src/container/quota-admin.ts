/**
 * @module Quota administration behind Zun's quota and quota class API and Berth's quota tree: reads a
 * project's limits and usage, changes its settings and the default quota class. Settings are written in
 * one transaction, serialised by a lock, against the tree as stored at that moment, and only when the
 * quota model accepts them; then every server is told to reload its tree and the usage rows are
 * recounted for the new settings.
 */
import { BerthError } from '../core/errors.js';
import type { Database } from '../store/db.js';
import * as quotas from '../store/quota-repo.js';
import {
  DEFAULT_SETTINGS, QuotaTree, RESOURCES, ZUN_DEFAULTS, describe, validateSettings,
  type Amounts, type QuotaRow, type QuotaSettings, type Resource,
} from '../quota/index.js';
import type { Actor } from './core.js';
import type { QuotaBook } from './quota-book.js';
import { recountUsage } from './quota-usage.js';
import { applyChange, settingsChange, zunAmounts, type SettingsBody } from './quota-input.js';

export interface QuotaAdminDeps {
  db: Database;
  book: QuotaBook;
}

/** Zun's view of a limit: a number, -1 for none. */
export type ZunQuota = Record<Resource, number>;
export type ZunQuotaUsage = Record<Resource, { limit: number; in_use: number }>;

/** One project of the quota tree with what each resource looks like. */
export interface ProjectQuota {
  projectId: string;
  name: string;
  parentId: string | null;
  depth: number;
  /** The mode that applies (a top-level share project acts as exclusive). */
  mode: string;
  settings: QuotaSettings;
  /** Preempted containers of the project waiting for capacity. */
  preempted: number;
  resources: Record<Resource, QuotaRow>;
}

const LOCK = 'berth_quota_settings';
const DEFAULT_CLASS = 'default';

const zunNumber = (v: number) => (Number.isFinite(v) ? v : -1);
const zunQuota = (a: Amounts): ZunQuota => ({ containers: zunNumber(a.containers), cpu: zunNumber(a.cpu), memory: zunNumber(a.memory), disk: zunNumber(a.disk) });
const noProject = (id: string) => new BerthError('not_found', `Project ${id} could not be found.`);

export class QuotaAdmin {
  readonly #d: QuotaAdminDeps;

  constructor(deps: QuotaAdminDeps) {
    this.#d = deps;
  }

  // ------------------------------------------------------------------------------------------------
  // Zun: quotas

  /** The project's limits as Zun shows them, with what it uses when `usages`. */
  async get(who: Actor, projectId: string, usages: boolean): Promise<ZunQuota | ZunQuotaUsage> {
    who.authorize('container:quota:get', { project_id: projectId });
    const tree = await this.#tree(projectId);
    const limit = zunQuota(tree.effectiveLimit(projectId));
    if (!usages) return limit;
    const used = (await quotas.usageOf(this.#d.db.kysely, [projectId])).get(projectId);
    const inUse = (r: Resource) => used?.[r] ?? 0;
    return {
      containers: { limit: limit.containers, in_use: inUse('containers') }, cpu: { limit: limit.cpu, in_use: inUse('cpu') },
      memory: { limit: limit.memory, in_use: inUse('memory') }, disk: { limit: limit.disk, in_use: inUse('disk') },
    };
  }

  /** Sets the project's guarantee of the resources in Zun's body; its other settings stay. */
  async update(who: Actor, projectId: string, body: Record<string, unknown> | undefined): Promise<ZunQuota> {
    who.authorize('container:quota:update', { project_id: projectId });
    const values = zunAmounts(body);
    const tree = await this.#write(projectId, (cur) => ({ ...cur, guarantee: { ...cur.guarantee, ...values } }));
    return zunQuota(tree.effectiveLimit(projectId));
  }

  /** Back to defaults: the project's settings are removed. */
  async reset(who: Actor, projectId: string): Promise<void> {
    who.authorize('container:quota:delete', { project_id: projectId });
    await this.#write(projectId, () => null);
  }

  /** What a project without settings gets: the default quota class. */
  async defaults(who: Actor, projectId: string): Promise<ZunQuota> {
    who.authorize('container:quota:get', { project_id: projectId });
    return zunQuota((await this.#tree(projectId)).defaults);
  }

  // ------------------------------------------------------------------------------------------------
  // Zun: quota classes

  /** A quota class: Zun's defaults, overridden by class `default`, overridden by the class named. */
  async getClass(who: Actor, name: string): Promise<ZunQuota> {
    who.authorize('container:quota_class:get');
    return this.#classView(name);
  }

  async updateClass(who: Actor, name: string, body: Record<string, unknown> | undefined): Promise<ZunQuota> {
    who.authorize('container:quota_class:update');
    const values = zunAmounts(body);
    await this.#d.db.tx(async (trx) => {
      await this.#d.db.lock(trx, LOCK);
      await quotas.putClass(trx, name, { ...(await quotas.getClass(trx, name)), ...values });
    });
    await this.#d.book.changed();
    return this.#classView(name);
  }

  async #classView(name: string): Promise<ZunQuota> {
    const q = this.#d.db.kysely;
    const base = { ...ZUN_DEFAULTS, ...(await quotas.getClass(q, DEFAULT_CLASS)) };
    return zunQuota(name === DEFAULT_CLASS ? base : { ...base, ...(await quotas.getClass(q, name)) });
  }

  // ------------------------------------------------------------------------------------------------
  // Berth: the quota tree

  /**
   * The tree under `rootId` (every project when undefined), each project with its rows. A caller who
   * names no project and is not an admin sees the tree under its own project.
   */
  async tree(who: Actor, rootId?: string): Promise<ProjectQuota[]> {
    const root = rootId ?? (who.admin ? undefined : who.projectId ?? undefined);
    who.authorize('container:quota_tree:get', { project_id: root ?? null });
    const tree = root === undefined ? await this.#d.book.tree() : await this.#tree(root);
    return this.#view(tree, root);
  }

  /** Changes the project's settings (fields not named keep their values) and returns its entry. */
  async setSettings(who: Actor, projectId: string, body: SettingsBody): Promise<ProjectQuota> {
    who.authorize('container:quota_tree:update', { project_id: projectId });
    const change = settingsChange(body);
    const tree = await this.#write(projectId, (cur) => applyChange(cur, change));
    const [entry] = await this.#view(tree, projectId);
    return entry;
  }

  async #view(tree: QuotaTree, root: string | undefined): Promise<ProjectQuota[]> {
    const q = this.#d.db.kysely;
    const [usage, queued] = [await quotas.allUsage(q), await quotas.countQueued(q)];
    const out = new Map<string, ProjectQuota>();
    for (const row of describe(tree, usage, root)) {
      let p = out.get(row.projectId);
      if (!p) {
        p = {
          projectId: row.projectId, name: row.name, parentId: row.parentId, depth: row.depth, mode: row.mode,
          settings: tree.settings(row.projectId), preempted: queued.get(row.projectId) ?? 0, resources: {} as Record<Resource, QuotaRow>,
        };
        out.set(row.projectId, p);
      }
      p.resources[row.resource] = row;
    }
    for (const p of out.values()) {
      for (const r of RESOURCES) if (!p.resources[r]) throw new Error(`quota view of ${p.projectId} lacks ${r}`);
    }
    return [...out.values()];
  }

  // ------------------------------------------------------------------------------------------------

  /** The book's tree, which knows `projectId` or says it does not exist (404). */
  async #tree(projectId: string): Promise<QuotaTree> {
    const tree = await this.#d.book.tree(projectId);
    if (!tree.has(projectId)) throw noProject(projectId);
    return tree;
  }

  /**
   * Writes the project's next settings (null: none) when the quota model accepts them, against the tree
   * as stored now; returns the tree with them.
   */
  async #write(projectId: string, next: (cur: QuotaSettings) => QuotaSettings | null): Promise<QuotaTree> {
    const { db, book } = this.#d;
    const tree = await db.tx(async (trx) => {
      await db.lock(trx, LOCK);
      const projects = await quotas.loadProjects(trx);
      const defaults = { ...ZUN_DEFAULTS, ...(await quotas.getClass(trx, DEFAULT_CLASS)) };
      const before = new QuotaTree(projects, defaults);
      if (!before.has(projectId)) throw noProject(projectId);
      const s = next(before.settings(projectId));
      const reason = validateSettings(before, projectId, s ?? DEFAULT_SETTINGS);
      if (reason) throw new BerthError('bad_request', `Invalid quota settings: ${reason}.`);
      if (s) await quotas.putSettings(trx, projectId, s);
      else await quotas.deleteSettings(trx, projectId);
      return before.withSettings(projectId, s);
    });
    await book.changed();
    // A change of mode or guarantee moves what the pool and parent rows must hold.
    await recountUsage(db, tree);
    return tree;
  }
}
