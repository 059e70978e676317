import type { FastifyRequest } from 'fastify';
import type { App } from '../app-type.js';
import type { Static } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import { BerthError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { isUniqueViolation, type Queryable } from '../../store/db.js';
import * as repo from '../../store/identity-repo.js';
import { BOOTSTRAP_ROLES } from '../../identity/bootstrap.js';
import { enforce } from '../auth.js';
import { notFoundError } from '../errors.js';
import type { IdentityDeps } from './deps.js';
import { guardLastAdmin, lockAdmins } from './admins.js';
import { loadUser } from './users.js';
import { loadGroup } from './groups.js';
import * as groups from '../../store/group-repo.js';
import * as roleRepo from '../../store/role-repo.js';
import { expandRoleIds } from '../../identity/implied-roles.js';
import { descendants, loadProject } from './projects.js';
import { listLinks, renderRole, v3 } from './render.js';
import { AssignmentQuery, IdParam, NameQuery, RoleCreate, RoleUpdate, flag } from './schemas.js';

export async function loadRole(q: Queryable, id: string) {
  const r = await repo.getRole(q, id);
  if (!r) throw notFoundError('role', id);
  return r;
}

const duplicateRole = (name: string) => new BerthError('conflict', `Conflict occurred attempting to store role - Duplicate entry found with name ${name}.`);

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
    const domainId = req.query.domain_id;
    enforce(deps.policy, req, domainId === undefined ? 'identity:list_roles' : 'identity:list_domain_roles', { 'target.domain.id': domainId });
    const roles = await repo.listRoles(q(), { name: req.query.name, domainId });
    return { roles: roles.map((r) => renderRole(req, r)), links: listLinks(req) };
  });
  app.post('/roles', { schema: { body: RoleCreate } }, async (req, reply) => {
    const b = req.body.role;
    const domainId = b.domain_id ?? null;
    enforce(deps.policy, req, domainId === null ? 'identity:create_role' : 'identity:create_domain_role', { 'target.domain.id': domainId ?? undefined });
    const row = { id: newId(), name: b.name, description: b.description ?? '', created_at: new Date().toISOString(), domain_id: domainId };
    await deps.db.tx(async (trx) => {
      if (domainId !== null && !(await repo.getDomain(trx, domainId))) throw notFoundError('domain', domainId);
      if (await repo.getRoleByName(trx, b.name, domainId)) throw duplicateRole(b.name);
      try {
        await repo.insertRole(trx, row);
      } catch (e) {
        if (isUniqueViolation(e)) throw duplicateRole(b.name);
        throw e;
      }
    });
    reply.code(201);
    return { role: renderRole(req, row) };
  });
  app.get('/roles/:id', { schema: { params: IdParam } }, async (req) => {
    const r = await loadRole(q(), req.params.id);
    enforce(deps.policy, req, r.domain_id ? 'identity:get_domain_role' : 'identity:get_role', { 'target.domain.id': r.domain_id ?? undefined });
    return { role: renderRole(req, r) };
  });
  app.patch('/roles/:id', { schema: { params: IdParam, body: RoleUpdate } }, async (req) => {
    const { id } = req.params;
    const b = req.body.role;
    const row = await deps.db.tx(async (trx) => {
      const r = await loadRole(trx, id);
      enforce(deps.policy, req, r.domain_id ? 'identity:update_domain_role' : 'identity:update_role', { 'target.domain.id': r.domain_id ?? undefined });
      if (b.name !== undefined && b.name !== r.name) {
        if (!r.domain_id && (BOOTSTRAP_ROLES as readonly string[]).includes(r.name)) throw new BerthError('forbidden', `The role ${r.name} is built in and cannot be renamed.`);
        if (await repo.getRoleByName(trx, b.name, r.domain_id ?? null)) throw duplicateRole(b.name);
      }
      const next = { ...r, name: b.name ?? r.name, description: b.description === undefined ? r.description : b.description ?? '' };
      await repo.updateRole(trx, id, { name: next.name, description: next.description, domain_id: r.domain_id ?? null });
      return next;
    });
    return { role: renderRole(req, row) };
  });
  app.delete('/roles/:id', { schema: { params: IdParam } }, async (req, reply) => {
    const { id } = req.params;
    await deps.db.tx(async (trx) => {
      const r = await loadRole(trx, id);
      enforce(deps.policy, req, r.domain_id ? 'identity:delete_domain_role' : 'identity:delete_role', { 'target.domain.id': r.domain_id ?? undefined });
      if (!r.domain_id && (BOOTSTRAP_ROLES as readonly string[]).includes(r.name)) throw new BerthError('forbidden', `The role ${r.name} is built in and cannot be deleted.`);
      await repo.deleteAssignmentsOf(trx, { roleId: id });
      await repo.deleteRole(trx, id);
    });
    deps.tokens.forget();
    return reply.code(204).send();
  });

  // Grants on projects and domains, to users and to groups:
  // /projects/{p}/users/{u}/roles/{r}, /projects/{p}/groups/{g}/roles/{r} and the same under /domains/{d}.
  for (const kind of ['project', 'domain'] as const) {
    const base = kind === 'project' ? '/projects' : '/domains';
    const loadTarget = async (qq: Queryable, id: string) => {
      if (kind === 'project') return loadProject(qq, id);
      const d = await repo.getDomain(qq, id);
      if (!d) throw notFoundError('domain', id);
      return d;
    };
    const missing = (role: string, actor: string, target: string) =>
      new BerthError('not_found', `Could not find role assignment with role: ${role}, user or group: ${actor}, ${kind}, domain, or system: ${target}.`);
    const resolve = async (qq: Queryable, p: GrantTarget, actor: 'users' | 'groups') => {
      await loadTarget(qq, p.target);
      if (actor === 'users') await loadUser(qq, p.user);
      else await loadGroup(qq, p.user);
      if (p.role !== undefined) await loadRole(qq, p.role);
      return { actor_id: p.user, target_type: kind, target_id: p.target, role_id: p.role ?? '' };
    };

    // To a user.
    const userPath = `${base}/:target/users/:user/roles`;
    app.put(`${userPath}/:role`, { schema: { params: GrantParams } }, async (req, reply) => {
      enforce(deps.policy, req, 'identity:create_grant');
      await deps.db.tx(async (trx) => {
        const a = await resolve(trx, req.params, 'users');
        await repo.insertAssignment(trx, { user_id: a.actor_id, target_type: kind, target_id: a.target_id, role_id: a.role_id });
      });
      deps.tokens.forget();
      return reply.code(204).send();
    });
    const checkUser = async (req: FastifyRequest, p: GrantTarget) => {
      enforce(deps.policy, req, 'identity:check_grant');
      const a = await resolve(q(), p, 'users');
      const found = await repo.listAssignments(q(), { userId: a.actor_id, targetType: kind, targetIds: [a.target_id], roleId: a.role_id });
      if (found.length === 0) throw missing(a.role_id, a.actor_id, a.target_id);
    };
    for (const method of ['head', 'get'] as const) {
      app[method](`${userPath}/:role`, { schema: { params: GrantParams } }, async (req, reply) => {
        await checkUser(req, req.params);
        return reply.code(204).send();
      });
    }
    app.delete(`${userPath}/:role`, { schema: { params: GrantParams } }, async (req, reply) => {
      enforce(deps.policy, req, 'identity:revoke_grant');
      await deps.db.tx(async (trx) => {
        await lockAdmins(deps.db, trx);
        const a = await resolve(trx, req.params, 'users');
        const r = await repo.deleteAssignment(trx, { user_id: a.actor_id, target_type: kind, target_id: a.target_id, role_id: a.role_id });
        if (Number(r.numDeletedRows) === 0) throw missing(a.role_id, a.actor_id, a.target_id);
        await guardLastAdmin(trx, 'remove that role assignment');
        await deps.tokens.revokeUserOn(trx, a.actor_id, kind, a.target_id);
      });
      deps.tokens.forget();
      return reply.code(204).send();
    });
    app.get(userPath, { schema: { params: GrantListParams } }, async (req) => {
      enforce(deps.policy, req, 'identity:list_grants');
      const a = await resolve(q(), req.params, 'users');
      const roles = await repo.directRolesOn(q(), a.actor_id, kind, a.target_id);
      const full = await Promise.all(roles.map((r) => loadRole(q(), r.id)));
      return { roles: full.map((r) => renderRole(req, r)), links: listLinks(req) };
    });

    // To a group: its members hold the role on the target (tokens, effective listings).
    const groupPath = `${base}/:target/groups/:user/roles`;
    app.put(`${groupPath}/:role`, { schema: { params: GrantParams } }, async (req, reply) => {
      enforce(deps.policy, req, 'identity:create_grant');
      await deps.db.tx(async (trx) => {
        const a = await resolve(trx, req.params, 'groups');
        await groups.insertGroupAssignment(trx, { group_id: a.actor_id, target_type: kind, target_id: a.target_id, role_id: a.role_id });
      });
      deps.tokens.forget();
      return reply.code(204).send();
    });
    const checkGroup = async (req: FastifyRequest, p: GrantTarget) => {
      enforce(deps.policy, req, 'identity:check_grant');
      const a = await resolve(q(), p, 'groups');
      const found = await groups.listGroupAssignments(q(), { groupId: a.actor_id, targetType: kind, targetIds: [a.target_id], roleId: a.role_id });
      if (found.length === 0) throw missing(a.role_id, a.actor_id, a.target_id);
    };
    for (const method of ['head', 'get'] as const) {
      app[method](`${groupPath}/:role`, { schema: { params: GrantParams } }, async (req, reply) => {
        await checkGroup(req, req.params);
        return reply.code(204).send();
      });
    }
    app.delete(`${groupPath}/:role`, { schema: { params: GrantParams } }, async (req, reply) => {
      enforce(deps.policy, req, 'identity:revoke_grant');
      await deps.db.tx(async (trx) => {
        const a = await resolve(trx, req.params, 'groups');
        const n = await groups.deleteGroupAssignment(trx, { group_id: a.actor_id, target_type: kind, target_id: a.target_id, role_id: a.role_id });
        if (n === 0) throw missing(a.role_id, a.actor_id, a.target_id);
        // A member's tokens on the target go if the member holds no role there any more.
        for (const m of await groups.membersOf(trx, a.actor_id)) {
          if ((await repo.rolesOn(trx, m.id, kind, a.target_id)).length === 0) await deps.tokens.revokeUserOn(trx, m.id, kind, a.target_id);
        }
      });
      deps.tokens.forget();
      return reply.code(204).send();
    });
    app.get(groupPath, { schema: { params: GrantListParams } }, async (req) => {
      enforce(deps.policy, req, 'identity:list_grants');
      const a = await resolve(q(), req.params, 'groups');
      const roles = await groups.groupRolesOn(q(), a.actor_id, kind, a.target_id);
      return { roles: roles.map((r) => renderRole(req, r)), links: listLinks(req) };
    });
  }

  app.get('/role_assignments', { schema: { querystring: AssignmentQuery } }, async (req) => {
    enforce(deps.policy, req, 'identity:list_role_assignments');
    const f = req.query;
    const effective = flag(f.effective);
    if (effective && f['group.id'] !== undefined)
      throw new BerthError('bad_request', 'Combining effective and group filter will always result in an empty list.');
    if (f['scope.system'] !== undefined) {
      const out = [];
      for (const [actorType, actorId, other] of [['user', f['user.id'], f['group.id']], ['group', f['group.id'], f['user.id']]] as const) {
        if (other !== undefined && actorId === undefined) continue;
        for (const a of await roleRepo.listSystemAssignments(q(), { actorType, actorId, roleId: f['role.id'] }))
          out.push({ role: { id: a.role_id }, [actorType]: { id: a.actor_id }, scope: { system: { all: true } }, links: { assignment: `${v3(req)}/system/${actorType}s/${a.actor_id}/roles/${a.role_id}` } });
      }
      return { role_assignments: out, links: listLinks(req) };
    }
    const onlyInherited = f['scope.OS-INHERIT:inherited_to'] !== undefined;
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
    // Rows name a user (directly or, when effective, through the group `via`) or, listed as such, a group.
    // `inherited` marks an OS-INHERIT assignment as stored; `from` the source of one expanded (effective).
    type Row = {
      user_id?: string; group_id?: string; via?: string; target_type: 'project' | 'domain'; target_id: string; role_id: string;
      inherited?: boolean; from?: { type: 'project' | 'domain'; id: string }; prior?: string;
    };
    const rows: Row[] = [];
    if (effective) {
      // Each assignment, then the roles its role implies (marked with the prior role); domain-specific roles are never effective.
      const rules = (await roleRepo.listInferences(q())).map((r) => ({ prior: r.prior_role_id, implied: r.implied_role_id }));
      const domainRoles = await roleRepo.listDomainRoleIds(q());
      for (const a of await repo.listEffectiveAssignments(q(), { userId: f['user.id'], targetType, targetIds })) {
        if (onlyInherited && !a.inherited_from) continue;
        for (const r of expandRoleIds([a.role_id], rules)) {
          if (domainRoles.has(r.id) || (f['role.id'] !== undefined && r.id !== f['role.id'])) continue;
          rows.push({
            user_id: a.user_id, via: a.group_id, target_type: a.target_type, target_id: a.target_id, role_id: r.id, from: a.inherited_from,
            prior: r.id === a.role_id ? undefined : a.role_id,
          });
        }
      }
    } else {
      if (f['group.id'] === undefined && !onlyInherited)
        for (const a of await repo.listAssignments(q(), { userId: f['user.id'], roleId: f['role.id'], targetType, targetIds })) rows.push(a);
      if (f['user.id'] === undefined && !onlyInherited)
        for (const a of await groups.listGroupAssignments(q(), { groupId: f['group.id'], roleId: f['role.id'], targetType, targetIds })) rows.push(a);
      for (const [actorType, actorId] of [['user', f['user.id']], ['group', f['group.id']]] as const) {
        if ((actorType === 'user' && f['group.id'] !== undefined) || (actorType === 'group' && f['user.id'] !== undefined)) continue;
        for (const i of await repo.listInherited(q(), { actorType, actorId, roleId: f['role.id'], targetType, targetIds })) {
          const who = actorType === 'user' ? { user_id: i.actor_id } : { group_id: i.actor_id };
          rows.push({ ...who, target_type: i.target_type, target_id: i.target_id, role_id: i.role_id, inherited: true });
        }
      }
    }
    const names = flag(f.include_names);
    const cache = new Map<string, Promise<unknown>>();
    const once = <T>(key: string, load: () => Promise<T>) => {
      if (!cache.has(key)) cache.set(key, load());
      return cache.get(key) as Promise<T>;
    };
    const domainRef = async (id: string) => ({ id, name: (await once(`d${id}`, () => repo.getDomain(q(), id)))?.name });
    const out = [];
    for (const a of rows) {
      const actorId = a.user_id ?? a.group_id ?? '';
      const role: Record<string, unknown> = { id: a.role_id };
      const actor: Record<string, unknown> = { id: actorId };
      const target: Record<string, unknown> = { id: a.target_id };
      if (names) {
        const r = await once(`r${a.role_id}`, () => repo.getRole(q(), a.role_id));
        if (r) role.name = r.name;
        const who = a.user_id !== undefined
          ? await once(`u${actorId}`, () => repo.getUser(q(), actorId))
          : await once(`g${actorId}`, () => groups.getGroup(q(), actorId));
        if (who) {
          actor.name = who.name;
          actor.domain = await domainRef(who.domain_id);
        }
        if (a.target_type === 'project') {
          const p = await once(`p${a.target_id}`, () => repo.getProject(q(), a.target_id));
          if (p) {
            target.name = p.name;
            target.domain = await domainRef(p.domain_id);
          }
        } else {
          const d = await once(`d${a.target_id}`, () => repo.getDomain(q(), a.target_id));
          if (d) target.name = d.name;
        }
      }
      // The assignment link names the stored assignment: on its source when inherited, to the group when through one.
      const src = a.from ?? { type: a.target_type, id: a.target_id };
      const grantee = a.via !== undefined ? `groups/${a.via}` : `${a.user_id !== undefined ? 'users' : 'groups'}/${actorId}`;
      const grant = `${src.type}s/${src.id}/${grantee}/roles/${a.prior ?? a.role_id}`;
      const links: Record<string, string> = {
        assignment: a.from || a.inherited ? `${v3(req)}/OS-INHERIT/${grant}/inherited_to_projects` : `${v3(req)}/${grant}`,
      };
      if (a.via !== undefined) links.membership = `${v3(req)}/groups/${a.via}/users/${actorId}`;
      if (a.prior !== undefined) links.prior_role = `${v3(req)}/roles/${a.prior}`;
      const scope: Record<string, unknown> = { [a.target_type]: target };
      if (a.inherited) scope['OS-INHERIT:inherited_to'] = 'projects';
      out.push({ role, [a.user_id !== undefined ? 'user' : 'group']: actor, scope, links });
    }
    return { role_assignments: out, links: listLinks(req) };
  });
}
