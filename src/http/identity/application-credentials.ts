import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { App } from '../app-type.js';
import { Type } from '@sinclair/typebox';
import { BerthError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { isUniqueViolation } from '../../store/db.js';
import type { ApplicationCredentialRow } from '../../store/schema.js';
import * as appCreds from '../../store/app-cred-repo.js';
import * as roles from '../../store/role-repo.js';
import { hashPassword } from '../../identity/password.js';
import { expiryMs } from '../../identity/app-creds.js';
import { enforce } from '../auth.js';
import { notFoundError } from '../errors.js';
import type { IdentityDeps } from './deps.js';
import { listLinks, v3 } from './render.js';
import { loadUser } from './users.js';

/**
 * Keystone's application credentials: /users/{user}/application_credentials[/{id}]. A user makes one
 * with a project-scoped token; it logs in (method `application_credential`) to that project with the
 * roles chosen from the token's (all of them by default). Its secret is shown once, at creation, and
 * stored only as a scrypt hash.
 */

const RoleRef = Type.Object({ id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) });
const AppCredCreate = Type.Object({
  application_credential: Type.Object({
    name: Type.String({ minLength: 1, maxLength: 255 }),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])),
    secret: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 4096 }), Type.Null()])),
    expires_at: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
    roles: Type.Optional(Type.Array(RoleRef, { maxItems: 100 })),
    unrestricted: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    access_rules: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 0 })),
  }),
});
const UserParam = Type.Object({ user: Type.String({ minLength: 1, maxLength: 255 }) });
const Params = Type.Object({ user: Type.String({ minLength: 1, maxLength: 255 }), id: Type.String({ minLength: 1, maxLength: 255 }) });
const ListQuery = Type.Object({ name: Type.Optional(Type.String()) });

export function applicationCredentialRoutes(app: App, deps: IdentityDeps): void {
  const q = () => deps.db.kysely;
  const render = async (req: FastifyRequest, c: ApplicationCredentialRow) => {
    const out = [];
    for (const id of JSON.parse(c.roles) as string[]) {
      const r = await roles.getRole(q(), id);
      if (r) out.push({ id: r.id, name: r.name, domain_id: r.domain_id ?? null });
    }
    return {
      id: c.id, name: c.name, description: c.description, user_id: c.user_id, project_id: c.project_id, expires_at: c.expires_at,
      unrestricted: c.unrestricted === 1, system: null, roles: out, links: { self: `${v3(req)}/users/${c.user_id}/application_credentials/${c.id}` },
    };
  };
  const load = async (user: string, id: string) => {
    const c = await appCreds.getAppCred(q(), id);
    if (!c || c.user_id !== user) throw notFoundError('application credential', id);
    return c;
  };

  app.post('/users/:user/application_credentials', { schema: { params: UserParam, body: AppCredCreate } }, async (req, reply) => {
    const { user } = req.params;
    enforce(deps.policy, req, 'identity:create_application_credential', { 'target.user.id': user });
    const b = req.body.application_credential;
    const projectId = req.auth.projectId;
    if (!projectId) throw new BerthError('bad_request', 'An application credential is made with a token scoped to its project.');
    if (req.auth.appCred?.restricted) throw new BerthError('forbidden', 'A restricted application credential cannot make application credentials.');
    if (b.expires_at != null) {
      const at = expiryMs(b.expires_at);
      if (Number.isNaN(at)) throw new BerthError('bad_request', `Invalid input for field expires_at: ${b.expires_at} is not an ISO 8601 time.`);
      if (at <= Date.now()) throw new BerthError('bad_request', 'Invalid input for field expires_at: the time has passed.');
    }
    // Roles: chosen among the token's, all of them when none are named.
    const held = req.auth.roles;
    const chosen = (b.roles ?? held).map((ref) => {
      const r = held.find((h) => (ref.id !== undefined ? h.id === ref.id : h.name === ref.name));
      if (!r) throw new BerthError('not_found', `Could not find role assignment with role: ${ref.id ?? ref.name}, user: ${user}, project: ${projectId}.`);
      return r.id;
    });
    await loadUser(q(), user);
    const secret = b.secret ?? randomBytes(48).toString('base64url');
    const row: ApplicationCredentialRow = {
      id: newId(), name: b.name, user_id: user, project_id: projectId, description: b.description ?? null,
      secret_hash: await hashPassword(secret), expires_at: b.expires_at ?? null, unrestricted: b.unrestricted ? 1 : 0,
      roles: JSON.stringify([...new Set(chosen)]), created_at: new Date().toISOString(),
    };
    const duplicate = () => new BerthError('conflict', `Conflict occurred attempting to store application credential - Duplicate entry found with name ${b.name}.`);
    if (await appCreds.getAppCredByName(q(), user, b.name)) throw duplicate();
    try {
      await appCreds.insertAppCred(q(), row);
    } catch (e) {
      if (isUniqueViolation(e)) throw duplicate();
      throw e;
    }
    reply.code(201);
    return { application_credential: { ...(await render(req, row)), secret } };
  });

  app.get('/users/:user/application_credentials', { schema: { params: UserParam, querystring: ListQuery } }, async (req) => {
    const { user } = req.params;
    enforce(deps.policy, req, 'identity:list_application_credentials', { 'target.user.id': user });
    const out = [];
    for (const c of await appCreds.listAppCreds(q(), user, req.query.name)) out.push(await render(req, c));
    return { application_credentials: out, links: listLinks(req) };
  });

  app.get('/users/:user/application_credentials/:id', { schema: { params: Params } }, async (req) => {
    enforce(deps.policy, req, 'identity:get_application_credential', { 'target.user.id': req.params.user });
    return { application_credential: await render(req, await load(req.params.user, req.params.id)) };
  });

  app.delete('/users/:user/application_credentials/:id', { schema: { params: Params } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:delete_application_credential', { 'target.user.id': req.params.user });
    if (req.auth.appCred?.restricted) throw new BerthError('forbidden', 'A restricted application credential cannot delete application credentials.');
    const c = await load(req.params.user, req.params.id);
    await deps.db.tx(async (trx) => appCreds.deleteAppCred(trx, c.id));
    deps.tokens.forget();
    return reply.code(204).send();
  });
}
