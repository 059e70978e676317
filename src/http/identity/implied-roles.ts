import type { FastifyRequest } from 'fastify';
import type { App } from '../app-type.js';
import { Type } from '@sinclair/typebox';
import { BerthError } from '../../core/errors.js';
import type { RoleRow } from '../../store/schema.js';
import * as roles from '../../store/role-repo.js';
import { inferenceRefusal } from '../../identity/implied-roles.js';
import { enforce } from '../auth.js';
import type { IdentityDeps } from './deps.js';
import { listLinks, v3 } from './render.js';
import { loadRole } from './roles.js';

/**
 * Keystone's implied roles: /roles/{prior}/implies/{implied} (PUT, GET, HEAD, DELETE),
 * /roles/{prior}/implies and /role_inferences. A rule makes holders of the prior role hold the implied
 * one too, in tokens and in effective role assignment listings.
 */

const RuleParams = Type.Object({ prior: Type.String({ minLength: 1, maxLength: 255 }), implied: Type.String({ minLength: 1, maxLength: 255 }) });
const PriorParams = Type.Object({ prior: Type.String({ minLength: 1, maxLength: 255 }) });

const ref = (req: FastifyRequest, r: RoleRow) => ({ id: r.id, name: r.name, links: { self: `${v3(req)}/roles/${r.id}` } });

export function impliedRoleRoutes(app: App, deps: IdentityDeps): void {
  const q = () => deps.db.kysely;
  const missing = (prior: string, implied: string) =>
    new BerthError('not_found', `Could not find implied role: ${implied} of prior role ${prior}.`);
  const loadRule = async (prior: string, implied: string) => {
    const [p, i] = [await loadRole(q(), prior), await loadRole(q(), implied)];
    if (!(await roles.hasInference(q(), prior, implied))) throw missing(prior, implied);
    return { p, i };
  };
  const one = (req: FastifyRequest, p: RoleRow, i: RoleRow) => ({
    role_inference: { prior_role: ref(req, p), implies: ref(req, i) },
    links: { self: `${v3(req)}/roles/${p.id}/implies/${i.id}` },
  });

  app.put('/roles/:prior/implies/:implied', { schema: { params: RuleParams } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:create_implied_role');
    const { prior, implied } = req.params;
    const { p, i } = await deps.db.tx(async (trx) => {
      const p = await loadRole(trx, prior);
      const i = await loadRole(trx, implied);
      const refusal = inferenceRefusal({ id: p.id, name: p.name, domainId: p.domain_id ?? null }, { id: i.id, name: i.name, domainId: i.domain_id ?? null });
      if (refusal) throw new BerthError(refusal.status, refusal.message);
      await roles.insertInference(trx, p.id, i.id);
      return { p, i };
    });
    deps.tokens.forget();
    reply.code(201);
    return one(req, p, i);
  });
  app.get('/roles/:prior/implies/:implied', { schema: { params: RuleParams } }, async (req) => {
    enforce(deps.policy, req, 'identity:get_implied_role');
    const { p, i } = await loadRule(req.params.prior, req.params.implied);
    return one(req, p, i);
  });
  app.head('/roles/:prior/implies/:implied', { schema: { params: RuleParams } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:check_implied_role');
    await loadRule(req.params.prior, req.params.implied);
    return reply.code(204).send();
  });
  app.delete('/roles/:prior/implies/:implied', { schema: { params: RuleParams } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:delete_implied_role');
    const { prior, implied } = req.params;
    await loadRole(q(), prior);
    await loadRole(q(), implied);
    if ((await roles.deleteInference(q(), prior, implied)) === 0) throw missing(prior, implied);
    deps.tokens.forget();
    return reply.code(204).send();
  });
  app.get('/roles/:prior/implies', { schema: { params: PriorParams } }, async (req) => {
    enforce(deps.policy, req, 'identity:list_implied_roles');
    const p = await loadRole(q(), req.params.prior);
    const implies = [];
    for (const r of await roles.listInferences(q(), p.id)) implies.push(ref(req, await loadRole(q(), r.implied_role_id)));
    return { role_inference: { prior_role: ref(req, p), implies }, links: listLinks(req) };
  });
  app.get('/role_inferences', async (req) => {
    enforce(deps.policy, req, 'identity:list_role_inference_rules');
    const byPrior = new Map<string, string[]>();
    for (const r of await roles.listInferences(q())) byPrior.set(r.prior_role_id, [...(byPrior.get(r.prior_role_id) ?? []), r.implied_role_id]);
    const out = [];
    for (const [prior, implied] of byPrior) {
      const p = await loadRole(q(), prior);
      const implies = [];
      for (const id of implied) implies.push(ref(req, await loadRole(q(), id)));
      out.push({ prior_role: ref(req, p), implies });
    }
    return { role_inferences: out, links: listLinks(req) };
  });
}
