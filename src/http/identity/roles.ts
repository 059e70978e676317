import type { FastifyRequest } from 'fastify';
import type { App } from '../app-type.js';
import type { Static } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import { BerthError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Queryable } from '../../store/db.js';
import * as repo from '../../store/identity-repo.js';
import { BOOTSTRAP_ROLES } from '../../identity/bootstrap.js';
import { enforce } from '../auth.js';
import { notFoundError } from '../errors.js';
import type { IdentityDeps } from './deps.js';
import { guardLastAdmin, lockAdmins } from './admins.js';
import { loadUser } from './users.js';
import { descendants, loadProject } from './projects.js';
import { listLinks, renderRole, v3 } from './render.js';
import { AssignmentQuery, IdParam, NameQuery, RoleCreate, RoleUpdate, flag } from './schemas.js';

async function loadRole(q: Queryable, id: string) {
  const r = await repo.getRole(q, id);
  if (!r) throw notFoundError('role', id);
  return r;
}

const GrantParams = Type.Object({
  target: Type.String({ minLength: 1, maxLength: 255 }),
  user: Type.String({ minLength: 1, maxLength: 255 }),
  role: Type.String({ minLength: 1, maxLength: 255 }),
});
/** The target, user and (except when listing) role a grant route names. */
type GrantTarget = Static<typeof GrantListParams> & { role?: string };
const GrantListParams = Type.Object({ target: Type.String({ minLength: 1, maxLength: 255 }), user: Type.String({ minLength: 1, maxLength: 255 }) });

export function roleRoutes(app: App, deps: IdentityDeps): void {
  const q = () => deps.db.kysely;

  app.get('/roles', { schema: { querystring: NameQuery } }, async (req) => {
    enforce(deps.policy, req, 'identity:list_roles');
    const roles = await repo.listRoles(q(), { name: req.query.name });
    return { roles: roles.map((r) => renderRole(req, r)), links: listLinks(req) };
  });
  app.post('/roles', { schema: { body: RoleCreate } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:create_role');
    const b = req.body.role;
    const row = { id: newId(), name: b.name, description: b.description ?? '', created_at: new Date().toISOString() };
    await deps.db.tx(async (trx) => {
      if (await repo.getRoleByName(trx, b.name)) throw new BerthError('conflict', `Conflict occurred attempting to store role - Duplicate entry found with name ${b.name}.`);
      await repo.insertRole(trx, row);
    });
    reply.code(201);
    return { role: renderRole(req, row) };
  });
  app.get('/roles/:id', { schema: { params: IdParam } }, async (req) => {
    enforce(deps.policy, req, 'identity:get_role');
    return { role: renderRole(req, await loadRole(q(), req.params.id)) };
  });
  app.patch('/roles/:id', { schema: { params: IdParam, body: RoleUpdate } }, async (req) => {
    enforce(deps.policy, req, 'identity:update_role');
    const { id } = req.params;
    const b = req.body.role;
    const row = await deps.db.tx(async (trx) => {
      const r = await loadRole(trx, id);
      if (b.name !== undefined && b.name !== r.name) {
        if ((BOOTSTRAP_ROLES as readonly string[]).includes(r.name)) throw new BerthError('forbidden', `The role ${r.name} is built in and cannot be renamed.`);
        if (await repo.getRoleByName(trx, b.name)) throw new BerthError('conflict', `Conflict occurred attempting to store role - Duplicate entry found with name ${b.name}.`);
      }
      const next = { ...r, name: b.name ?? r.name, description: b.description === undefined ? r.description : b.description ?? '' };
      await repo.updateRole(trx, id, { name: next.name, description: next.description });
      return next;
    });
    return { role: renderRole(req, row) };
  });
  app.delete('/roles/:id', { schema: { params: IdParam } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:delete_role');
    const { id } = req.params;
    await deps.db.tx(async (trx) => {
      const r = await loadRole(trx, id);
      if ((BOOTSTRAP_ROLES as readonly string[]).includes(r.name)) throw new BerthError('forbidden', `The role ${r.name} is built in and cannot be deleted.`);
      await repo.deleteAssignmentsOf(trx, { roleId: id });
      await repo.deleteRole(trx, id);
    });
    deps.tokens.forget();
    return reply.code(204).send();
  });

  // Grants on projects and domains: /projects/{p}/users/{u}/roles/{r} and /domains/{d}/users/{u}/roles/{r}.
  for (const kind of ['project', 'domain'] as const) {
    const base = kind === 'project' ? '/projects' : '/domains';
    const loadTarget = async (qq: Queryable, id: string) => {
      if (kind === 'project') return loadProject(qq, id);
      const d = await repo.getDomain(qq, id);
      if (!d) throw notFoundError('domain', id);
      return d;
    };
    const resolve = async (qq: Queryable, p: GrantTarget) => {
      await loadTarget(qq, p.target);
      await loadUser(qq, p.user);
      if (p.role !== undefined) await loadRole(qq, p.role);
      return { user_id: p.user, target_type: kind, target_id: p.target, role_id: p.role ?? '' };
    };
    app.put(`${base}/:target/users/:user/roles/:role`, { schema: { params: GrantParams } }, async (req, reply) => {
      enforce(deps.policy, req, 'identity:create_grant');
      await deps.db.tx(async (trx) => repo.insertAssignment(trx, await resolve(trx, req.params)));
      deps.tokens.forget();
      return reply.code(204).send();
    });
    const check = async (req: FastifyRequest, p: GrantTarget) => {
      enforce(deps.policy, req, 'identity:check_grant');
      const a = await resolve(q(), p);
      const found = await repo.listAssignments(q(), { userId: a.user_id, targetType: kind, targetIds: [a.target_id], roleId: a.role_id });
      if (found.length === 0) throw new BerthError('not_found', `Could not find role assignment with role: ${a.role_id}, user or group: ${a.user_id}, ${kind}, domain, or system: ${a.target_id}.`);
    };
    app.head(`${base}/:target/users/:user/roles/:role`, { schema: { params: GrantParams } }, async (req, reply) => {
      await check(req, req.params);
      return reply.code(204).send();
    });
    app.get(`${base}/:target/users/:user/roles/:role`, { schema: { params: GrantParams } }, async (req, reply) => {
      await check(req, req.params);
      return reply.code(204).send();
    });
    app.delete(`${base}/:target/users/:user/roles/:role`, { schema: { params: GrantParams } }, async (req, reply) => {
      enforce(deps.policy, req, 'identity:revoke_grant');
      await deps.db.tx(async (trx) => {
        await lockAdmins(deps.db, trx);
        const a = await resolve(trx, req.params);
        const r = await repo.deleteAssignment(trx, a);
        if (Number(r.numDeletedRows) === 0)
          throw new BerthError('not_found', `Could not find role assignment with role: ${a.role_id}, user or group: ${a.user_id}, ${kind}, domain, or system: ${a.target_id}.`);
        await guardLastAdmin(trx, 'remove that role assignment');
        await deps.tokens.revokeUserOn(trx, a.user_id, kind, a.target_id);
      });
      deps.tokens.forget();
      return reply.code(204).send();
    });
    app.get(`${base}/:target/users/:user/roles`, { schema: { params: GrantListParams } }, async (req) => {
      enforce(deps.policy, req, 'identity:list_grants');
      const a = await resolve(q(), req.params);
      const roles = await repo.rolesOn(q(), a.user_id, kind, a.target_id);
      const full = await Promise.all(roles.map((r) => loadRole(q(), r.id)));
      return { roles: full.map((r) => renderRole(req, r)), links: listLinks(req) };
    });
  }

  app.get('/role_assignments', { schema: { querystring: AssignmentQuery } }, async (req) => {
    enforce(deps.policy, req, 'identity:list_role_assignments');
    const f = req.query;
    if (f['group.id'] !== undefined) return { role_assignments: [], links: listLinks(req) };
    if (f['scope.system'] !== undefined || f['scope.OS-INHERIT:inherited_to'] !== undefined) return { role_assignments: [], links: listLinks(req) };
    if (f['scope.project.id'] !== undefined && f['scope.domain.id'] !== undefined)
      throw new BerthError('bad_request', 'Specify at most one of scope.project.id and scope.domain.id.');
    let targetType: 'project' | 'domain' | undefined;
    let targetIds: string[] | undefined;
    if (f['scope.project.id'] !== undefined) {
      targetType = 'project';
      targetIds = [f['scope.project.id']];
      if (flag(f.include_subtree)) {
        const p = await repo.getProject(q(), f['scope.project.id']);
        if (p) targetIds.push(...(await descendants(q(), p)).map((x) => x.id));
      }
    } else if (f['scope.domain.id'] !== undefined) {
      targetType = 'domain';
      targetIds = [f['scope.domain.id']];
    }
    const rows = await repo.listAssignments(q(), { userId: f['user.id'], roleId: f['role.id'], targetType, targetIds });
    const names = flag(f.include_names);
    const cache = new Map<string, Promise<unknown>>();
    const once = <T>(key: string, load: () => Promise<T>) => {
      if (!cache.has(key)) cache.set(key, load());
      return cache.get(key) as Promise<T>;
    };
    const out = [];
    for (const a of rows) {
      const role: Record<string, unknown> = { id: a.role_id };
      const user: Record<string, unknown> = { id: a.user_id };
      const target: Record<string, unknown> = { id: a.target_id };
      if (names) {
        const r = await once(`r${a.role_id}`, () => repo.getRole(q(), a.role_id));
        if (r) role.name = r.name;
        const u = await once(`u${a.user_id}`, () => repo.getUser(q(), a.user_id));
        if (u) {
          user.name = u.name;
          const d = await once(`d${u.domain_id}`, () => repo.getDomain(q(), u.domain_id));
          user.domain = { id: u.domain_id, name: d?.name };
        }
        if (a.target_type === 'project') {
          const p = await once(`p${a.target_id}`, () => repo.getProject(q(), a.target_id));
          if (p) {
            target.name = p.name;
            const d = await once(`d${p.domain_id}`, () => repo.getDomain(q(), p.domain_id));
            target.domain = { id: p.domain_id, name: d?.name };
          }
        } else {
          const d = await once(`d${a.target_id}`, () => repo.getDomain(q(), a.target_id));
          if (d) target.name = d.name;
        }
      }
      const path = a.target_type === 'project' ? 'projects' : 'domains';
      out.push({
        role, user, scope: { [a.target_type]: target },
        links: { assignment: `${v3(req)}/${path}/${a.target_id}/users/${a.user_id}/roles/${a.role_id}` },
      });
    }
    return { role_assignments: out, links: listLinks(req) };
  });
}
