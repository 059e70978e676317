import type { FastifyRequest } from 'fastify';
import type { App } from '../app-type.js';
import type { Static } from '@sinclair/typebox';
import { BerthError } from '../../core/errors.js';
import type { Queryable } from '../../store/db.js';
import * as repo from '../../store/identity-repo.js';
import { verifyPassword } from '../../identity/password.js';
import { appCredRoles, expiryMs, isExpired } from '../../identity/app-creds.js';
import { getAppCred, getAppCredByName } from '../../store/app-cred-repo.js';
import { buildCatalog } from '../../identity/catalog.js';
import { complianceOff, expiredMessage, isPasswordExpired, lockState, lockedMessage } from '../../identity/compliance.js';
import { recordFailedLogin, resetFailedLogins } from '../../store/password-history-repo.js';
import type { UserRow } from '../../store/schema.js';
import type { Scope } from '../../identity/tokens.js';
import { enforce } from '../auth.js';
import { baseUrl } from '../server.js';
import type { IdentityDeps } from './deps.js';
import { listLinks, renderDomain, renderProject, renderToken } from './render.js';
import { AuthBody, TokenQuery, flag } from './schemas.js';

const denied = () => new BerthError('unauthorized', 'The request you have made requires authentication.');

async function findDomain(q: Queryable, ref: { id?: string; name?: string } | undefined) {
  if (!ref || (ref.id === undefined && ref.name === undefined)) throw new BerthError('bad_request', 'A domain id or name is required.');
  const d = ref.id !== undefined ? await repo.getDomain(q, ref.id) : await repo.getDomainByName(q, ref.name!);
  if (!d || !d.enabled) throw denied();
  return d;
}

/**
 * A password login under Keystone's security compliance: a locked account is refused before its
 * password is looked at, a wrong password counts towards the lock, a good one clears the count.
 */
async function checkPassword(deps: IdentityDeps, user: UserRow, password: string): Promise<void> {
  const q = deps.db.kysely;
  const c = deps.compliance ?? complianceOff;
  const now = Date.now();
  const lock = lockState(c, user.failed_logins ?? 0, user.last_failed_at, now);
  if (lock === 'locked') throw new BerthError('unauthorized', lockedMessage(user.id));
  if (lock === 'expired-lock') await resetFailedLogins(q, user.id);
  if (!(await verifyPassword(password, user.password_hash))) {
    if (c.lockoutFailureAttempts > 0) await recordFailedLogin(q, user.id, new Date(now).toISOString());
    throw denied();
  }
  if (!user.enabled) throw denied();
  if (isPasswordExpired(c, user.password_changed_at, now)) throw new BerthError('unauthorized', expiredMessage(user.id));
  if (lock === 'open' && (user.failed_logins ?? 0) > 0) await resetFailedLogins(q, user.id);
}

/** Who the credentials name, and the expiry a rescoped token keeps. */
async function identify(deps: IdentityDeps, identity: Static<typeof AuthBody>['auth']['identity']) {
  const q = deps.db.kysely;
  if (identity.methods.includes('password')) {
    const u = identity.password?.user;
    if (!u) throw new BerthError('bad_request', "Invalid input for field 'identity/password/user': 'user' is a required property.");
    if (u.id === undefined && u.name === undefined) throw new BerthError('bad_request', 'A user id or a user name with its domain is required.');
    let user;
    if (u.id !== undefined) user = await repo.getUser(q, u.id);
    else user = await repo.getUserByName(q, (await findDomain(q, u.domain)).id, u.name!);
    if (!user) throw denied();
    await checkPassword(deps, user, u.password);
    const domain = await repo.getDomain(q, user.domain_id);
    if (!domain?.enabled) throw denied();
    return { userId: user.id, methods: ['password'], expiresAt: undefined as string | undefined };
  }
  if (identity.methods.includes('token')) {
    const t = identity.token?.id;
    if (!t) throw new BerthError('bad_request', "Invalid input for field 'identity/token': 'id' is a required property.");
    const info = await deps.tokens.validate(t);
    // Keystone answers an unknown, expired or revoked token here with 404 (the token is never echoed).
    if (!info) throw new BerthError('not_found', 'Could not find token.');
    return { userId: info.userId, methods: [...new Set([...info.methods, 'token'])], expiresAt: info.expiresAt };
  }
  if (identity.methods.includes('application_credential')) {
    const a = identity.application_credential;
    if (!a) throw new BerthError('bad_request', "Invalid input for field 'identity/application_credential': it is required by the method.");
    const c = await findAppCred(q, a);
    const user = c && (await repo.getUser(q, c.user_id));
    if (!c || !user?.enabled || !(await verifyPassword(a.secret, c.secret_hash))) throw denied();
    if (isExpired(c.expires_at, Date.now())) throw denied();
    // It works only while its user still holds every role it was given, on an enabled project.
    const project = await repo.getProject(q, c.project_id);
    if (!project?.enabled || appCredRoles(await repo.rolesOn(q, c.user_id, 'project', c.project_id), JSON.parse(c.roles) as string[]).length === 0)
      throw denied();
    const ttlEnd = Date.now() + deps.tokens.ttlMs;
    const expiresAt = c.expires_at !== null && expiryMs(c.expires_at) < ttlEnd ? new Date(expiryMs(c.expires_at)).toISOString() : undefined;
    return { userId: c.user_id, methods: ['application_credential'], expiresAt, appCred: c };
  }
  throw new BerthError('unauthorized', `Attempted to authenticate with an unsupported method: ${identity.methods.join(', ')}.`);
}

/** The application credential an authentication names: by id, or by name with its user. */
async function findAppCred(q: Queryable, a: { id?: string; name?: string; user?: { id?: string; name?: string; domain?: { id?: string; name?: string } } }) {
  if (a.id !== undefined) return getAppCred(q, a.id);
  if (a.name === undefined || !a.user) throw new BerthError('bad_request', 'An application credential id, or its name with its user, is required.');
  let userId = a.user.id;
  if (userId === undefined) {
    if (a.user.name === undefined) throw new BerthError('bad_request', 'A user id or a user name with its domain is required.');
    userId = (await repo.getUserByName(q, (await findDomain(q, a.user.domain)).id, a.user.name))?.id;
  }
  return userId === undefined ? undefined : getAppCredByName(q, userId, a.name);
}

async function resolveScope(deps: IdentityDeps, userId: string, scope: Static<typeof AuthBody>['auth']['scope']): Promise<Scope> {
  const q = deps.db.kysely;
  if (scope === 'unscoped') return {};
  if (!scope) {
    const user = await repo.getUser(q, userId);
    const pid = user?.default_project_id;
    if (pid) {
      const p = await repo.getProject(q, pid);
      if (p?.enabled && (await repo.rolesOn(q, userId, 'project', pid)).length > 0) return { projectId: pid };
    }
    return {};
  }
  if (scope.system) throw new BerthError('bad_request', 'System scope is not supported; scope to a project or a domain.');
  if (scope.project) {
    const ref = scope.project;
    let p;
    if (ref.id !== undefined) p = await repo.getProject(q, ref.id);
    else if (ref.name !== undefined) p = await repo.getProjectByName(q, (await findDomain(q, ref.domain)).id, ref.name);
    else throw new BerthError('bad_request', 'A project id or a project name with its domain is required.');
    if (!p || !p.enabled) throw new BerthError('unauthorized', `Could not find a usable project for this scope: ${ref.id ?? ref.name}.`);
    if ((await repo.rolesOn(q, userId, 'project', p.id)).length === 0)
      throw new BerthError('unauthorized', `User ${userId} has no access to project ${p.id}.`);
    return { projectId: p.id };
  }
  if (scope.domain) {
    const d = await findDomain(q, scope.domain);
    if ((await repo.rolesOn(q, userId, 'domain', d.id)).length === 0)
      throw new BerthError('unauthorized', `User ${userId} has no access to domain ${d.id}.`);
    return { domainId: d.id };
  }
  return {};
}

function subjectToken(req: FastifyRequest): string {
  const t = req.headers['x-subject-token'];
  if (typeof t !== 'string' || t === '') throw new BerthError('bad_request', 'The X-Subject-Token header is required.');
  return t;
}

export function tokenRoutes(app: App, deps: IdentityDeps): void {
  app.post('/auth/tokens', { config: { auth: false }, schema: { body: AuthBody, querystring: TokenQuery } }, async (req, reply) => {
    const body = req.body;
    const who = await identify(deps, body.auth.identity);
    // An application credential is scoped to its project, whatever the request asks.
    const scope = who.appCred ? { projectId: who.appCred.project_id } : await resolveScope(deps, who.userId, body.auth.scope);
    const appCredId = who.appCred?.id;
    const { token, info } = await deps.tokens.issue(deps.db.kysely, who.userId, scope, who.methods, who.expiresAt, appCredId);
    const nocatalog = flag(req.query.nocatalog);
    reply.code(201).header('X-Subject-Token', token);
    return renderToken(req, info, deps.region, !nocatalog, deps.compliance);
  });

  const validateSubject = async (req: FastifyRequest) => {
    const info = await deps.tokens.validate(subjectToken(req));
    if (!info) throw new BerthError('not_found', 'Could not find token.');
    enforce(deps.policy, req, 'identity:validate_token', { 'target.token.user_id': info.userId });
    return info;
  };
  app.get('/auth/tokens', { schema: { querystring: TokenQuery } }, async (req, reply) => {
    const info = await validateSubject(req);
    reply.header('X-Subject-Token', subjectToken(req));
    return renderToken(req, info, deps.region, !flag(req.query.nocatalog), deps.compliance);
  });
  app.head('/auth/tokens', async (req, reply) => {
    await validateSubject(req);
    return reply.code(200).send();
  });
  app.delete('/auth/tokens', async (req, reply) => {
    const subject = subjectToken(req);
    const info = await deps.tokens.validate(subject);
    if (!info) throw new BerthError('not_found', 'Could not find token.');
    enforce(deps.policy, req, 'identity:revoke_token', { 'target.token.user_id': info.userId });
    await deps.tokens.revoke(subject);
    return reply.code(204).send();
  });

  app.get('/auth/catalog', async (req) => {
    enforce(deps.policy, req, 'identity:get_auth_catalog');
    if (!req.auth.projectId && !req.auth.domainId) throw new BerthError('forbidden', 'An unscoped token has no catalog; scope it to a project.');
    return { catalog: buildCatalog(baseUrl(req), deps.region), links: listLinks(req) };
  });
  app.get('/auth/projects', async (req) => {
    enforce(deps.policy, req, 'identity:get_auth_projects');
    const ids = [...new Set((await repo.listEffectiveAssignments(deps.db.kysely, { userId: req.auth.userId, targetType: 'project' })).map((a) => a.target_id))];
    const projects = await repo.listProjects(deps.db.kysely, { ids, enabled: 1 });
    return { projects: projects.map((p) => renderProject(req, p)), links: listLinks(req) };
  });
  app.get('/auth/domains', async (req) => {
    enforce(deps.policy, req, 'identity:get_auth_domains');
    const ids = new Set((await repo.listEffectiveAssignments(deps.db.kysely, { userId: req.auth.userId, targetType: 'domain' })).map((a) => a.target_id));
    const domains = (await repo.listDomains(deps.db.kysely, { enabled: 1 })).filter((d) => ids.has(d.id));
    return { domains: domains.map((d) => renderDomain(req, d)), links: listLinks(req) };
  });
}
