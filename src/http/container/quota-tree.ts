import { Type } from '@sinclair/typebox';
import type { App } from '../app-type.js';
import { QuotaAdmin, type ProjectQuota } from '../../container/quota-admin.js';
import { RESOURCES, type Limits, type Resource } from '../../quota/types.js';
import type { ContainerDeps } from './deps.js';
import { actorOf } from './actor.js';

/**
 * Berth's quota tree: every project (or those under one) with its quota settings and, per resource, its
 * guarantee, limit, use, and what it borrows from or lends to others; and the change of one project's
 * settings. Amounts are objects of containers/cpu/memory/disk; a limit of null means none.
 */

const AmountsChange = Type.Record(Type.String({ maxLength: 64 }), Type.Union([Type.Number(), Type.String({ maxLength: 64 }), Type.Null()]));
export const QuotaSettingsBody = Type.Object({
  mode: Type.Optional(Type.String({ maxLength: 64 })),
  guarantee: Type.Optional(AmountsChange),
  borrow_limit: Type.Optional(AmountsChange),
  lend_limit: Type.Optional(AmountsChange),
  weight: Type.Optional(Type.Number()),
  priority: Type.Optional(Type.Integer({ minimum: -1_000_000, maximum: 1_000_000 })),
}, { additionalProperties: false });
const TreeQuery = Type.Object({ project: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) });
const ProjectParams = Type.Object({ project_id: Type.String({ minLength: 1, maxLength: 255 }) });

const finite = (v: number) => (Number.isFinite(v) ? v : null);

function setAmounts(l: Limits): Partial<Record<Resource, number>> {
  const out: Partial<Record<Resource, number>> = {};
  for (const r of RESOURCES) if (l[r] !== undefined) out[r] = l[r];
  return out;
}

export function renderProjectQuota(p: ProjectQuota) {
  const resources = {} as Record<Resource, { guarantee: number | null; limit: number | null; in_use: number; borrowed: number; lent: number }>;
  for (const r of RESOURCES) {
    const row = p.resources[r];
    resources[r] = { guarantee: finite(row.guarantee), limit: finite(row.limit), in_use: row.inUse, borrowed: row.borrowed, lent: row.lent };
  }
  return {
    id: p.projectId, name: p.name, parent_id: p.parentId, depth: p.depth, mode: p.mode,
    weight: p.settings.weight, priority: p.settings.priority, preempted: p.preempted,
    guarantee: setAmounts(p.settings.guarantee), borrow_limit: setAmounts(p.settings.borrowLimit), lend_limit: setAmounts(p.settings.lendLimit),
    resources,
  };
}

export function quotaTreeRoutes(app: App, deps: ContainerDeps): void {
  const admin = new QuotaAdmin({ db: deps.db, book: deps.quotas });

  app.get('/os-berth/quota-tree', { schema: { querystring: TreeQuery } }, async (req) => ({
    projects: (await admin.tree(actorOf(deps.policy, req), req.query.project)).map(renderProjectQuota),
  }));
  app.put('/os-berth/quota-tree/:project_id', { schema: { params: ProjectParams, body: QuotaSettingsBody } }, async (req) =>
    renderProjectQuota(await admin.setSettings(actorOf(deps.policy, req), req.params.project_id, req.body ?? {})));
}
