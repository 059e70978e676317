import type { App } from '../app-type.js';
import { Type } from '@sinclair/typebox';
import { BerthError } from '../../core/errors.js';
import type { Queryable } from '../../store/db.js';
import * as roles from '../../store/role-repo.js';
import { enforce } from '../auth.js';
import type { IdentityDeps } from './deps.js';
import { loadGroup } from './groups.js';
import { listLinks, renderRole } from './render.js';
import { loadRole } from './roles.js';
import { loadUser } from './users.js';

/**
 * Keystone's system role assignments: /system/{users|groups}/{actor}/roles[/{role}]. They are kept and
 * listed (also in role assignment listings with `scope.system`); Berth issues no system-scoped tokens.
 */

const Params = Type.Object({ actor: Type.String({ minLength: 1, maxLength: 255 }), role: Type.String({ minLength: 1, maxLength: 255 }) });
const ListParams = Type.Object({ actor: Type.String({ minLength: 1, maxLength: 255 }) });

export function systemRoleRoutes(app: App, deps: IdentityDeps): void {
  const q = () => deps.db.kysely;
  for (const actorType of ['user', 'group'] as const) {
    const base = `/system/${actorType}s/:actor/roles`;
    const rule = (verb: string) => `identity:${verb}_system_grant_for_${actorType}`;
    const resolve = async (qq: Queryable, p: { actor: string; role?: string }) => {
      if (actorType === 'user') await loadUser(qq, p.actor);
      else await loadGroup(qq, p.actor);
      if (p.role !== undefined) await loadRole(qq, p.role);
      return { actor_type: actorType, actor_id: p.actor, role_id: p.role ?? '' };
    };
    const missing = (role: string, actor: string) =>
      new BerthError('not_found', `Could not find role assignment with role: ${role}, ${actorType}: ${actor}, system: system.`);

    app.put(`${base}/:role`, { schema: { params: Params } }, async (req, reply) => {
      enforce(deps.policy, req, rule('create'));
      await deps.db.tx(async (trx) => roles.insertSystemAssignment(trx, await resolve(trx, req.params)));
      return reply.code(204).send();
    });
    for (const method of ['head', 'get'] as const) {
      app[method](`${base}/:role`, { schema: { params: Params } }, async (req, reply) => {
        enforce(deps.policy, req, rule('check'));
        const a = await resolve(q(), req.params);
        if ((await roles.listSystemAssignments(q(), { actorType, actorId: a.actor_id, roleId: a.role_id })).length === 0) throw missing(a.role_id, a.actor_id);
        return reply.code(204).send();
      });
    }
    app.delete(`${base}/:role`, { schema: { params: Params } }, async (req, reply) => {
      enforce(deps.policy, req, rule('revoke'));
      const a = await resolve(q(), req.params);
      if ((await roles.deleteSystemAssignment(q(), a)) === 0) throw missing(a.role_id, a.actor_id);
      return reply.code(204).send();
    });
    app.get(base, { schema: { params: ListParams } }, async (req) => {
      enforce(deps.policy, req, rule('list'));
      const a = await resolve(q(), req.params);
      const out = [];
      for (const r of await roles.listSystemAssignments(q(), { actorType, actorId: a.actor_id })) out.push(renderRole(req, await loadRole(q(), r.role_id)));
      return { roles: out, links: listLinks(req) };
    });
  }
}
