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
import { accessRuleProblem, type AccessRule } from '../../identity/access-rules.js';
import type { Queryable } from '../../store/db.js';
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
const AccessRuleRef = Type.Object({
  id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  service: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  method: Type.Optional(Type.String({ minLength: 1, maxLength: 16 })),
  path: Type.Optional(Type.String({ minLength: 1, maxLength: 225 })),
}, { additionalProperties: false });
const AppCredCreate = Type.Object({
  application_credential: Type.Object({
    name: Type.String({ minLength: 1, maxLength: 255 }),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])),
    secret: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 4096 }), Type.Null()])),
    expires_at: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
    roles: Type.Optional(Type.Array(RoleRef, { maxItems: 100 })),
    unrestricted: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    access_rules: Type.Optional(Type.Union([Type.Array(AccessRuleRef, { maxItems: 100 }), Type.Null()])),
  }),
});
const UserParam = Type.Object({ user: Type.String({ minLength: 1, maxLength: 255 }) });
const Params = Type.Object({ user: Type.String({ minLength: 1, maxLength: 255 }), id: Type.String({ minLength: 1, maxLength: 255 }) });
const ListQuery = Type.Object({ name: Type.Optional(Type.String()) });

export function applicationCredentialRoutes(app: App, deps: IdentityDeps): void {
  const q = () => deps.db.kysely;
  const render = async (req: FastifyRequest, c: ApplicationCredentialRow) => {
    const out = [];
    const rules = (await appCreds.accessRulesOf(q(), c.id)).map((r) => ({ id: r.id, service: r.service, method: r.method, path: r.path }));
    for (const id of JSON.parse(c.roles) as string[]) {
      const r = await roles.getRole(q(), id);
      if (r) out.push({ id: r.id, name: r.name, domain_id: r.domain_id ?? null });
    }
    return {
      id: c.id, name: c.name, description: c.description, user_id: c.user_id, project_id: c.project_id, expires_at: c.expires_at,
      unrestricted: c.unrestricted === 1, system: null, roles: out, access_rules: rules, links: { self: `${v3(req)}/users/${c.user_id}/application_credentials/${c.id}` },
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
    const rules = await resolveAccessRules(q(), user, b.access_rules ?? []);
    const secret = b.secret ?? randomBytes(48).toString('base64url');
    const row: ApplicationCredentialRow = {
      id: newId(), name: b.name, user_id: user, project_id: projectId, description: b.description ?? null,
      secret_hash: await hashPassword(secret), expires_at: b.expires_at ?? null, unrestricted: b.unrestricted ? 1 : 0,
      roles: JSON.stringify([...new Set(chosen)]), created_at: new Date().toISOString(),
    };
    const duplicate = () => new BerthError('conflict', `Conflict occurred attempting to store application credential - Duplicate entry found with name ${b.name}.`);
    if (await appCreds.getAppCredByName(q(), user, b.name)) throw duplicate();
    try {
      await deps.db.tx(async (trx) => {
        await appCreds.insertAppCred(trx, row);
        await saveAccessRules(trx, row.id, user, rules);
      });
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

type RuleRef = { id?: string; service?: string; method?: string; path?: string };
type ResolvedRule = { id: string; rule: AccessRule; existing: boolean };

/**
 * The rules a new application credential names: an `id` names one of the user's rules; a service,
 * method and path name a rule, the user's existing one when they have it (as Keystone reuses it).
 */
async function resolveAccessRules(q: Queryable, user: string, refs: RuleRef[]): Promise<ResolvedRule[]> {
  const out: ResolvedRule[] = [];
  for (const ref of refs) {
    if (ref.service === undefined || ref.method === undefined || ref.path === undefined) {
      const found = ref.id === undefined ? undefined : await appCreds.getAccessRule(q, ref.id);
      if (ref.id === undefined) throw new BerthError('bad_request', "Invalid input for field 'access_rules': a rule needs an id, or a service, a method and a path.");
      if (!found || found.user_id !== user) throw notFoundError('access rule', ref.id);
      out.push({ id: found.id, rule: found, existing: true });
      continue;
    }
    const rule = { service: ref.service, method: ref.method, path: ref.path };
    const problem = accessRuleProblem(rule);
    if (problem) throw new BerthError('bad_request', problem);
    const found = await appCreds.findAccessRule(q, user, rule);
    out.push(found ? { id: found.id, rule, existing: true } : { id: newId(), rule, existing: false });
  }
  return out.filter((r, i) => out.findIndex((o) => o.id === r.id) === i);
}

async function saveAccessRules(q: Queryable, appCredId: string, user: string, rules: ResolvedRule[]): Promise<void> {
  for (const [i, r] of rules.entries()) {
    if (!r.existing) await appCreds.insertAccessRule(q, { id: r.id, user_id: user, ...r.rule, created_at: new Date().toISOString() });
    await appCreds.linkAccessRule(q, appCredId, r.id, i);
  }
}
