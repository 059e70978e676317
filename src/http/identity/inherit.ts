import type { FastifyRequest } from 'fastify';
import type { App } from '../app-type.js';
import { Type } from '@sinclair/typebox';
import { BerthError } from '../../core/errors.js';
import type { Queryable } from '../../store/db.js';
import type { InheritedAssignmentRow } from '../../store/schema.js';
import * as repo from '../../store/identity-repo.js';
import { enforce } from '../auth.js';
import { notFoundError } from '../errors.js';
import type { IdentityDeps } from './deps.js';
import { loadGroup } from './groups.js';
import { loadProject } from './projects.js';
import { listLinks, renderRole } from './render.js';
import { loadRole } from './roles.js';
import { loadUser } from './users.js';

/**
 * Keystone's OS-INHERIT: /OS-INHERIT/{domains|projects}/{target}/{users|groups}/{actor}/roles/{role}/inherited_to_projects.
 * An inherited assignment gives the role on every project beneath the target (not on the target): in
 * tokens (see rolesOn) and in effective role assignment listings.
 */

const Params = Type.Object({
  target: Type.String({ minLength: 1, maxLength: 255 }),
  actor: Type.String({ minLength: 1, maxLength: 255 }),
  role: Type.String({ minLength: 1, maxLength: 255 }),
});
const ListParams = Type.Object({ target: Type.String({ minLength: 1, maxLength: 255 }), actor: Type.String({ minLength: 1, maxLength: 255 }) });

export function inheritRoutes(app: App, deps: IdentityDeps): void {
  const q = () => deps.db.kysely;
  for (const kind of ['domain', 'project'] as const) {
    for (const actorType of ['user', 'group'] as const) {
      const base = `/OS-INHERIT/${kind}s/:target/${actorType}s/:actor/roles`;
      const resolve = async (qq: Queryable, p: { target: string; actor: string; role?: string }): Promise<InheritedAssignmentRow> => {
        if (kind === 'project') await loadProject(qq, p.target);
        else if (!(await repo.getDomain(qq, p.target))) throw notFoundError('domain', p.target);
        if (actorType === 'user') await loadUser(qq, p.actor);
        else await loadGroup(qq, p.actor);
        if (p.role !== undefined) await loadRole(qq, p.role);
        return { actor_type: actorType, actor_id: p.actor, target_type: kind, target_id: p.target, role_id: p.role ?? '' };
      };
      const missing = (a: InheritedAssignmentRow) =>
        new BerthError('not_found', `Could not find role assignment with role: ${a.role_id}, user or group: ${a.actor_id}, ${kind}, domain, or system: ${a.target_id}.`);

      app.put(`${base}/:role/inherited_to_projects`, { schema: { params: Params } }, async (req, reply) => {
        enforce(deps.policy, req, 'identity:create_grant');
        await deps.db.tx(async (trx) => repo.insertInherited(trx, await resolve(trx, req.params)));
        deps.tokens.forget();
        return reply.code(204).send();
      });
      const check = async (req: FastifyRequest, p: { target: string; actor: string; role: string }) => {
        enforce(deps.policy, req, 'identity:check_grant');
        const a = await resolve(q(), p);
        const found = await repo.listInherited(q(), { actorType, actorId: a.actor_id, targetType: kind, targetIds: [a.target_id], roleId: a.role_id });
        if (found.length === 0) throw missing(a);
      };
      for (const method of ['head', 'get'] as const) {
        app[method](`${base}/:role/inherited_to_projects`, { schema: { params: Params } }, async (req, reply) => {
          await check(req, req.params);
          return reply.code(204).send();
        });
      }
      app.delete(`${base}/:role/inherited_to_projects`, { schema: { params: Params } }, async (req, reply) => {
        enforce(deps.policy, req, 'identity:revoke_grant');
        await deps.db.tx(async (trx) => {
          const a = await resolve(trx, req.params);
          if ((await repo.deleteInherited(trx, a)) === 0) throw missing(a);
        });
        // A token whose user holds no role on its project any more stops validating (TokenService reads roles afresh).
        deps.tokens.forget();
        return reply.code(204).send();
      });
      app.get(`${base}/inherited_to_projects`, { schema: { params: ListParams } }, async (req) => {
        enforce(deps.policy, req, 'identity:list_grants');
        const a = await resolve(q(), req.params);
        const rows = await repo.listInherited(q(), { actorType, actorId: a.actor_id, targetType: kind, targetIds: [a.target_id] });
        const roles = await Promise.all(rows.map((r) => loadRole(q(), r.role_id)));
        return { roles: roles.map((r) => renderRole(req, r)), links: listLinks(req) };
      });
    }
  }
}
