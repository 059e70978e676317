import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { App } from '../app-type.js';
import { BerthError } from '../../core/errors.js';
import type { AccessRuleRow } from '../../store/schema.js';
import * as appCreds from '../../store/app-cred-repo.js';
import { enforce } from '../auth.js';
import { notFoundError } from '../errors.js';
import type { IdentityDeps } from './deps.js';
import { listLinks, v3 } from './render.js';

/**
 * Keystone's access rules: /users/{user}/access_rules[/{id}]. A user's rules are made with their
 * application credentials and outlive them; the user deletes a rule once no credential uses it.
 */

const UserParam = Type.Object({ user: Type.String({ minLength: 1, maxLength: 255 }) });
const Params = Type.Object({ user: Type.String({ minLength: 1, maxLength: 255 }), id: Type.String({ minLength: 1, maxLength: 255 }) });
const ListQuery = Type.Object({ service: Type.Optional(Type.String()), method: Type.Optional(Type.String()), path: Type.Optional(Type.String()) });

const render = (req: FastifyRequest, r: AccessRuleRow) =>
  ({ id: r.id, service: r.service, method: r.method, path: r.path, links: { self: `${v3(req)}/users/${r.user_id}/access_rules/${r.id}` } });

export function accessRuleRoutes(app: App, deps: IdentityDeps): void {
  const q = () => deps.db.kysely;
  const load = async (user: string, id: string) => {
    const r = await appCreds.getAccessRule(q(), id);
    if (!r || r.user_id !== user) throw notFoundError('access rule', id);
    return r;
  };

  app.get('/users/:user/access_rules', { schema: { params: UserParam, querystring: ListQuery } }, async (req) => {
    enforce(deps.policy, req, 'identity:list_access_rules', { 'target.user.id': req.params.user });
    const rows = await appCreds.listAccessRules(q(), req.params.user, req.query);
    return { access_rules: rows.map((r) => render(req, r)), links: listLinks(req) };
  });

  app.get('/users/:user/access_rules/:id', { schema: { params: Params } }, async (req) => {
    enforce(deps.policy, req, 'identity:get_access_rule', { 'target.user.id': req.params.user });
    return { access_rule: render(req, await load(req.params.user, req.params.id)) };
  });

  app.delete('/users/:user/access_rules/:id', { schema: { params: Params } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:delete_access_rule', { 'target.user.id': req.params.user });
    const r = await load(req.params.user, req.params.id);
    await deps.db.tx(async (trx) => {
      if (await appCreds.accessRuleInUse(trx, r.id))
        throw new BerthError('forbidden', `Cannot delete access rule ${r.id}: an application credential of the user uses it.`);
      await appCreds.deleteAccessRule(trx, r.id);
    });
    return reply.code(204).send();
  });
}
