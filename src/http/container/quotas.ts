import { Type } from '@sinclair/typebox';
import type { App } from '../app-type.js';
import { QuotaAdmin } from '../../container/quota-admin.js';
import type { ContainerDeps } from './deps.js';
import { actorOf } from './actor.js';
import { truthy } from './schemas.js';

/**
 * Zun's quota and quota class API. A project's quota is its limit in Berth's quota model; setting it sets
 * the project's guarantee. Amounts come as numbers or numeric text (the OpenStack CLI sends text);
 * QuotaAdmin checks their values after the policy check.
 */

const Amount = Type.Union([Type.Number(), Type.String({ maxLength: 64 })]);
/** Zun's quota body: any of the four resources. */
export const ZunQuotaBody = Type.Object({
  containers: Type.Optional(Amount), cpu: Type.Optional(Amount), memory: Type.Optional(Amount), disk: Type.Optional(Amount),
}, { additionalProperties: false });
const ProjectParams = Type.Object({ project_id: Type.String({ minLength: 1, maxLength: 255 }) });
const ClassParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 255 }) });
const GetQuery = Type.Object({
  usages: Type.Optional(Type.Union([Type.Boolean(), Type.String({ pattern: '^(true|false|True|False|1|0|yes|no)$' })])),
});

export function quotaRoutes(app: App, deps: ContainerDeps): void {
  const admin = new QuotaAdmin({ db: deps.db, book: deps.quotas });
  const who = (req: Parameters<typeof actorOf>[1]) => actorOf(deps.policy, req);

  app.get('/quotas/:project_id', { schema: { params: ProjectParams, querystring: GetQuery } }, async (req) =>
    admin.get(who(req), req.params.project_id, truthy(req.query.usages)));
  app.put('/quotas/:project_id', { schema: { params: ProjectParams, body: ZunQuotaBody } }, async (req) =>
    admin.update(who(req), req.params.project_id, req.body));
  app.delete('/quotas/:project_id', { schema: { params: ProjectParams } }, async (req, reply) => {
    await admin.reset(who(req), req.params.project_id);
    return reply.code(202).send();
  });
  app.get('/quotas/:project_id/defaults', { schema: { params: ProjectParams } }, async (req) =>
    admin.defaults(who(req), req.params.project_id));

  app.get('/quota_classes/:name', { schema: { params: ClassParams } }, async (req) => admin.getClass(who(req), req.params.name));
  app.put('/quota_classes/:name', { schema: { params: ClassParams, body: ZunQuotaBody } }, async (req) =>
    admin.updateClass(who(req), req.params.name, req.body));
}
