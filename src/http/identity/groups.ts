import type { App } from '../app-type.js';
import { Type } from '@sinclair/typebox';
import { BerthError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { isUniqueViolation, type Queryable } from '../../store/db.js';
import type { GroupRow } from '../../store/schema.js';
import * as repo from '../../store/identity-repo.js';
import * as groups from '../../store/group-repo.js';
import { enforce } from '../auth.js';
import { notFoundError } from '../errors.js';
import type { IdentityDeps } from './deps.js';
import { requestDomain } from './projects.js';
import { listLinks, renderGroup, renderUser } from './render.js';
import { loadUser } from './users.js';
import { GroupCreate, GroupUpdate, IdParam, NameQuery } from './schemas.js';

/** Keystone's groups: CRUD and membership (/groups, /groups/{id}/users, /users/{id}/groups). */

export async function loadGroup(q: Queryable, id: string): Promise<GroupRow> {
  const g = await groups.getGroup(q, id);
  if (!g) throw notFoundError('group', id);
  return g;
}

const MemberParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }), user: Type.String({ minLength: 1, maxLength: 255 }) });
const duplicate = (name: string, domainId: string) =>
  new BerthError('conflict', `Conflict occurred attempting to store group - Duplicate entry found with name ${name} at domain ID ${domainId}.`);

export function groupRoutes(app: App, deps: IdentityDeps): void {
  const q = () => deps.db.kysely;

  app.get('/groups', { schema: { querystring: NameQuery } }, async (req) => {
    enforce(deps.policy, req, 'identity:list_groups');
    const rows = await groups.listGroups(q(), { name: req.query.name, domainId: req.query.domain_id });
    return { groups: rows.map((g) => renderGroup(req, g)), links: listLinks(req) };
  });
  app.post('/groups', { schema: { body: GroupCreate } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:create_group');
    const b = req.body.group;
    const row: GroupRow = { id: newId(), name: b.name, domain_id: b.domain_id ?? requestDomain(req), description: b.description ?? '', created_at: new Date().toISOString() };
    await deps.db.tx(async (trx) => {
      if (!(await repo.getDomain(trx, row.domain_id))) throw notFoundError('domain', row.domain_id);
      if (await groups.getGroupByName(trx, row.domain_id, row.name)) throw duplicate(row.name, row.domain_id);
      try {
        await groups.insertGroup(trx, row);
      } catch (e) {
        if (isUniqueViolation(e)) throw duplicate(row.name, row.domain_id);
        throw e;
      }
    });
    reply.code(201);
    return { group: renderGroup(req, row) };
  });
  app.get('/groups/:id', { schema: { params: IdParam } }, async (req) => {
    enforce(deps.policy, req, 'identity:get_group');
    return { group: renderGroup(req, await loadGroup(q(), req.params.id)) };
  });
  app.patch('/groups/:id', { schema: { params: IdParam, body: GroupUpdate } }, async (req) => {
    enforce(deps.policy, req, 'identity:update_group');
    const b = req.body.group;
    const row = await deps.db.tx(async (trx) => {
      const g = await loadGroup(trx, req.params.id);
      if (b.domain_id !== undefined && b.domain_id !== g.domain_id) throw new BerthError('bad_request', 'Cannot change the domain of a group.');
      if (b.name !== undefined && b.name !== g.name && (await groups.getGroupByName(trx, g.domain_id, b.name))) throw duplicate(b.name, g.domain_id);
      const next = { ...g, name: b.name ?? g.name, description: b.description === undefined ? g.description : b.description ?? '' };
      await groups.updateGroup(trx, g.id, { name: next.name, description: next.description });
      return next;
    });
    return { group: renderGroup(req, row) };
  });
  app.delete('/groups/:id', { schema: { params: IdParam } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:delete_group');
    await deps.db.tx(async (trx) => {
      await loadGroup(trx, req.params.id);
      await groups.deleteGroup(trx, req.params.id);
    });
    deps.tokens.forget();
    return reply.code(204).send();
  });

  app.get('/groups/:id/users', { schema: { params: IdParam } }, async (req) => {
    enforce(deps.policy, req, 'identity:list_users_in_group');
    await loadGroup(q(), req.params.id);
    return { users: (await groups.membersOf(q(), req.params.id)).map((u) => renderUser(req, u)), links: listLinks(req) };
  });
  app.put('/groups/:id/users/:user', { schema: { params: MemberParams } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:add_user_to_group');
    await deps.db.tx(async (trx) => {
      await loadGroup(trx, req.params.id);
      await loadUser(trx, req.params.user);
      await groups.addMember(trx, req.params.id, req.params.user);
    });
    deps.tokens.forget();
    return reply.code(204).send();
  });
  const check = async (id: string, user: string) => {
    await loadGroup(q(), id);
    await loadUser(q(), user);
    if (!(await groups.isMember(q(), id, user))) throw new BerthError('not_found', `User ${user} is not a member of group ${id}.`);
  };
  for (const method of ['head', 'get'] as const) {
    app[method]('/groups/:id/users/:user', { schema: { params: MemberParams } }, async (req, reply) => {
      enforce(deps.policy, req, 'identity:check_user_in_group');
      await check(req.params.id, req.params.user);
      return reply.code(204).send();
    });
  }
  app.delete('/groups/:id/users/:user', { schema: { params: MemberParams } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:remove_user_from_group');
    await deps.db.tx(async (trx) => {
      await loadGroup(trx, req.params.id);
      await loadUser(trx, req.params.user);
      if ((await groups.removeMember(trx, req.params.id, req.params.user)) === 0)
        throw new BerthError('not_found', `User ${req.params.user} is not a member of group ${req.params.id}.`);
      await deps.tokens.revokeUser(trx, req.params.user);
    });
    deps.tokens.forget();
    return reply.code(204).send();
  });
  app.get('/users/:id/groups', { schema: { params: IdParam } }, async (req) => {
    enforce(deps.policy, req, 'identity:list_groups_for_user', { 'target.user.id': req.params.id });
    await loadUser(q(), req.params.id);
    return { groups: (await groups.groupsOf(q(), req.params.id)).map((g) => renderGroup(req, g)), links: listLinks(req) };
  });
}
