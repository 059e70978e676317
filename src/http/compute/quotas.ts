import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { QuotaAdmin, type ZunQuota, type ZunQuotaUsage } from '../../container/quota-admin.js';
import { containerQuotaOf, inNovaNames, novaAbsoluteLimits, novaQuotaDetail, novaQuotaSet, quotaBelowUsageProblem, type ContainerQuota } from '../../compute/quota.js';
import { BerthError } from '../../core/errors.js';
import type { App } from '../app-type.js';
import { enforce } from '../auth.js';
import { actorOf } from '../container/actor.js';
import type { ComputeDeps } from './deps.js';

const Project = Type.Object({ project_id: Type.String({ minLength: 1, maxLength: 255 }) });
const Amount = Type.Union([Type.Integer({ minimum: -1 }), Type.String({ pattern: '^-?[0-9]{1,12}$' })]);
const QuotaBody = Type.Object({
  quota_set: Type.Object({
    instances: Type.Optional(Amount), cores: Type.Optional(Amount), ram: Type.Optional(Amount),
    key_pairs: Type.Optional(Amount), metadata_items: Type.Optional(Amount), injected_files: Type.Optional(Amount),
    injected_file_content_bytes: Type.Optional(Amount), injected_file_path_bytes: Type.Optional(Amount),
    server_groups: Type.Optional(Amount), server_group_members: Type.Optional(Amount), fixed_ips: Type.Optional(Amount),
    floating_ips: Type.Optional(Amount), security_groups: Type.Optional(Amount), security_group_rules: Type.Optional(Amount),
    force: Type.Optional(Type.Union([Type.Boolean(), Type.String({ maxLength: 8 })])),
  }, { additionalProperties: false }),
}, { additionalProperties: false });
const AnyQuery = Type.Object({ user_id: Type.Optional(Type.String({ maxLength: 255 })) }, { additionalProperties: true });

const split = (u: ZunQuotaUsage) => ({
  limit: { containers: u.containers.limit, cpu: u.cpu.limit, memory: u.memory.limit, disk: u.disk.limit },
  used: { containers: u.containers.in_use, cpu: u.cpu.in_use, memory: u.memory.in_use, disk: u.disk.in_use },
});

/** os-quota-sets and limits: the container quota of the project, in Nova's names. */
export function quotaRoutes(app: App, deps: ComputeDeps): void {
  const admin = new QuotaAdmin({ db: deps.db, book: deps.quotas });
  const who = (req: FastifyRequest) => actorOf(deps.policy, req);
  const usage = async (req: FastifyRequest, projectId: string) => split(await admin.get(who(req), projectId, true) as ZunQuotaUsage);

  app.get('/os-quota-sets/:project_id', { schema: { params: Project, querystring: AnyQuery } }, async (req) => {
    enforce(deps.policy, req, 'os_compute_api:os-quota-sets:show', { project_id: req.params.project_id });
    return { quota_set: novaQuotaSet(req.params.project_id, await admin.get(who(req), req.params.project_id, false) as ZunQuota) };
  });
  app.get('/os-quota-sets/:project_id/detail', { schema: { params: Project, querystring: AnyQuery } }, async (req) => {
    enforce(deps.policy, req, 'os_compute_api:os-quota-sets:show', { project_id: req.params.project_id });
    const u = await usage(req, req.params.project_id);
    return { quota_set: novaQuotaDetail(req.params.project_id, u.limit, u.used) };
  });
  app.get('/os-quota-sets/:project_id/defaults', { schema: { params: Project } }, async (req) => {
    enforce(deps.policy, req, 'os_compute_api:os-quota-sets:defaults');
    return { quota_set: novaQuotaSet(req.params.project_id, await admin.defaults(who(req), req.params.project_id)) };
  });
  app.put('/os-quota-sets/:project_id', { schema: { params: Project, body: QuotaBody, querystring: AnyQuery } }, async (req) => {
    enforce(deps.policy, req, 'os_compute_api:os-quota-sets:update', { project_id: req.params.project_id });
    const body = containerQuotaOf(req.body.quota_set);
    const force = req.body.quota_set.force;
    if (Object.keys(body).length > 0 && !(force === true || (typeof force === 'string' && /^(true|t|yes|y|on|1)$/i.test(force)))) {
      const below = quotaBelowUsageProblem(body, (await usage(req, req.params.project_id)).used);
      if (below) throw new BerthError('bad_request', below);
    }
    let q: ContainerQuota;
    try {
      q = Object.keys(body).length > 0
        ? await admin.update(who(req), req.params.project_id, body)
        : await admin.get(who(req), req.params.project_id, false) as ZunQuota;
    } catch (e) {
      // The container quota's words for its fields, in Nova's names.
      if (e instanceof BerthError) throw new BerthError(e.code, inNovaNames(e.message));
      throw e;
    }
    // Nova's update answer has no id.
    const { id: _id, ...set } = novaQuotaSet(req.params.project_id, q);
    return { quota_set: set };
  });
  app.delete('/os-quota-sets/:project_id', { schema: { params: Project, querystring: AnyQuery } }, async (req, reply) => {
    enforce(deps.policy, req, 'os_compute_api:os-quota-sets:delete', { project_id: req.params.project_id });
    await admin.reset(who(req), req.params.project_id);
    return reply.code(202).send();
  });

  app.get('/limits', { schema: { querystring: AnyQuery } }, async (req) => {
    enforce(deps.policy, req, 'os_compute_api:limits');
    const projectId = req.auth.projectId ?? '';
    const u = await usage(req, projectId);
    return { limits: { rate: [], absolute: novaAbsoluteLimits(u.limit, u.used) } };
  });
}
