import type { App } from '../app-type.js';
import { BerthError } from '../../core/errors.js';
import { isUniqueViolation } from '../../store/db.js';
import { newId } from '../../core/ids.js';
import type { Queryable } from '../../store/db.js';
import type { UserRow } from '../../store/schema.js';
import * as repo from '../../store/identity-repo.js';
import { hashPassword, verifyPassword } from '../../identity/password.js';
import {
  complianceOff, historyKeep, historyMessage, historyWindow, minimumAgeViolation, passwordExpiresAt, regexViolation,
} from '../../identity/compliance.js';
import { latestPasswordHashes, recordPasswordHash, resetFailedLogins } from '../../store/password-history-repo.js';
import { enforce } from '../auth.js';
import { notFoundError } from '../errors.js';
import type { IdentityDeps } from './deps.js';
import { guardLastAdmin, lockAdmins } from './admins.js';
import { requestDomain } from './projects.js';
import { extraOf, mergeExtra } from './extra.js';
import { listLinks, renderProject, renderUser } from './render.js';
import { IdParam, NameQuery, PasswordChange, UserCreate, UserUpdate, flag } from './schemas.js';

export async function loadUser(q: Queryable, id: string): Promise<UserRow> {
  const u = await repo.getUser(q, id);
  if (!u) throw notFoundError('user', id);
  return u;
}

const duplicate = (name: string) =>
  new BerthError('conflict', `Conflict occurred attempting to store user - Duplicate entry found with name ${name} at domain ID default.`);

export function userRoutes(app: App, deps: IdentityDeps): void {
  const q = () => deps.db.kysely;
  const c = deps.compliance ?? complianceOff;
  /** A user as Keystone shows it, with its password's expiry when passwords expire. */
  const show = (req: Parameters<typeof renderUser>[0], u: UserRow) => {
    const at = passwordExpiresAt(c, u.password_hash ? u.password_changed_at : null);
    return { ...renderUser(req, u), password_expires_at: at === null ? null : at.replace(/\.(\d{3})Z$/, '.$1000') };
  };
  /** A self-set password may not be one of the user's latest (the current one included). */
  const checkHistory = async (u: UserRow, password: string) => {
    const n = historyWindow(c);
    if (n === 0) return;
    const stored = await latestPasswordHashes(q(), u.id, n);
    const hashes = u.password_hash && stored[0] !== u.password_hash ? [u.password_hash, ...stored].slice(0, n) : stored;
    for (const h of hashes) if (await verifyPassword(password, h)) throw new BerthError('bad_request', historyMessage(c));
  };
  /** A new password must match the configured pattern (400 otherwise). */
  const checkPattern = (password: string | null | undefined) => {
    const bad = password ? regexViolation(c, password) : undefined;
    if (bad) throw new BerthError('bad_request', bad);
  };

  app.get('/users', { schema: { querystring: NameQuery } }, async (req) => {
    enforce(deps.policy, req, 'identity:list_users');
    const f = req.query;
    const users = await repo.listUsers(q(), { name: f.name, domainId: f.domain_id, enabled: f.enabled === undefined ? undefined : flag(f.enabled) ? 1 : 0 });
    return { users: users.map((u) => show(req, u)), links: listLinks(req) };
  });

  app.post('/users', { schema: { body: UserCreate } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:create_user');
    const b = req.body.user;
    const domainId = b.domain_id ?? requestDomain(req);
    checkPattern(b.password);
    const passwordHash = b.password ? await hashPassword(b.password) : null;
    const row = await deps.db.tx(async (trx) => {
      if (!(await repo.getDomain(trx, domainId))) throw notFoundError('domain', domainId);
      if (b.default_project_id && !(await repo.getProject(trx, b.default_project_id)))
        throw new BerthError('bad_request', `Could not find project: ${b.default_project_id}.`);
      if (await repo.getUserByName(trx, domainId, b.name)) throw duplicate(b.name);
      const now = new Date().toISOString();
      const row: UserRow = {
        id: newId(), name: b.name, domain_id: domainId, default_project_id: b.default_project_id ?? null,
        password_hash: passwordHash, enabled: b.enabled === false ? 0 : 1, email: b.email ?? null,
        description: b.description ?? '', password_changed_at: passwordHash ? now : null, created_at: now,
        extra: extraOf('user', b),
      };
      try {
        await repo.insertUser(trx, row);
      } catch (e) {
        if (isUniqueViolation(e)) throw duplicate(b.name);
        throw e;
      }
      if (passwordHash) await recordPasswordHash(trx, row.id, passwordHash, now, historyKeep(c));
      return row;
    });
    reply.code(201);
    return { user: show(req, row) };
  });

  app.get('/users/:id', { schema: { params: IdParam } }, async (req) => {
    const { id } = req.params;
    enforce(deps.policy, req, 'identity:get_user', { 'target.user.id': id });
    return { user: show(req, await loadUser(q(), id)) };
  });

  app.patch('/users/:id', { schema: { params: IdParam, body: UserUpdate } }, async (req) => {
    const { id } = req.params;
    enforce(deps.policy, req, 'identity:update_user', { 'target.user.id': id });
    const b = req.body.user;
    checkPattern(b.password);
    const passwordHash = b.password ? await hashPassword(b.password) : undefined;
    const row = await deps.db.tx(async (trx) => {
      await lockAdmins(deps.db, trx);
      const u = await loadUser(trx, id);
      if (b.domain_id !== undefined && b.domain_id !== u.domain_id) throw new BerthError('bad_request', 'Cannot change the domain of a user.');
      if (b.name !== undefined && b.name !== u.name && (await repo.getUserByName(trx, u.domain_id, b.name))) throw duplicate(b.name);
      if (b.default_project_id && !(await repo.getProject(trx, b.default_project_id)))
        throw new BerthError('bad_request', `Could not find project: ${b.default_project_id}.`);
      if (b.enabled === false && id === req.auth.userId) throw new BerthError('forbidden', 'You cannot disable your own user.');
      const next: UserRow = {
        ...u,
        name: b.name ?? u.name,
        default_project_id: b.default_project_id === undefined ? u.default_project_id : b.default_project_id,
        email: b.email === undefined ? u.email : b.email,
        description: b.description === undefined ? u.description : b.description ?? '',
        enabled: b.enabled === undefined ? u.enabled : b.enabled ? 1 : 0,
        password_hash: b.password === undefined ? u.password_hash : passwordHash ?? null,
        password_changed_at: b.password === undefined ? u.password_changed_at : new Date().toISOString(),
        password_self_service: b.password === undefined ? u.password_self_service : 0,
        extra: mergeExtra('user', u.extra, b),
      };
      const { id: _id, created_at: _c, domain_id: _d, ...changes } = next;
      await repo.updateUser(trx, id, changes);
      if (passwordHash) await recordPasswordHash(trx, id, passwordHash, next.password_changed_at!, historyKeep(c));
      // Enabling a user, as Keystone does, also lifts a lockout.
      if (b.enabled === true) await resetFailedLogins(trx, id);
      if (u.enabled && !next.enabled) await guardLastAdmin(trx, `disable user ${id}`);
      if ((u.enabled && !next.enabled) || b.password !== undefined) await deps.tokens.revokeUser(trx, id);
      return next;
    });
    deps.tokens.forget();
    return { user: show(req, row) };
  });

  app.delete('/users/:id', { schema: { params: IdParam } }, async (req, reply) => {
    const { id } = req.params;
    enforce(deps.policy, req, 'identity:delete_user', { 'target.user.id': id });
    if (id === req.auth.userId) throw new BerthError('forbidden', 'You cannot delete your own user.');
    await deps.db.tx(async (trx) => {
      await lockAdmins(deps.db, trx);
      await loadUser(trx, id);
      await repo.deleteAssignmentsOf(trx, { userId: id });
      await deps.tokens.revokeUser(trx, id);
      await repo.deleteUser(trx, id);
      await guardLastAdmin(trx, `delete user ${id}`);
    });
    deps.tokens.forget();
    return reply.code(204).send();
  });

  app.post('/users/:id/password', { schema: { params: IdParam, body: PasswordChange } }, async (req, reply) => {
    const { id } = req.params;
    enforce(deps.policy, req, 'identity:change_password', { user_id: id });
    const b = req.body.user;
    const u = await loadUser(q(), id);
    if (!(await verifyPassword(b.original_password, u.password_hash)))
      throw new BerthError('unauthorized', 'The request you have made requires authentication.');
    checkPattern(b.password);
    const now = new Date();
    const young = minimumAgeViolation(c, u.password_changed_at, u.password_self_service === 1, now.getTime());
    if (young) throw new BerthError('bad_request', young);
    await checkHistory(u, b.password);
    const hash = await hashPassword(b.password);
    await deps.db.tx(async (trx) => {
      await repo.updateUser(trx, id, { password_hash: hash, password_changed_at: now.toISOString(), password_self_service: 1 });
      await recordPasswordHash(trx, id, hash, now.toISOString(), historyKeep(c));
      await deps.tokens.revokeUser(trx, id);
    });
    deps.tokens.forget();
    return reply.code(204).send();
  });

  app.get('/users/:id/projects', { schema: { params: IdParam } }, async (req) => {
    const { id } = req.params;
    enforce(deps.policy, req, 'identity:list_user_projects', { 'target.user.id': id });
    await loadUser(q(), id);
    const ids = [...new Set((await repo.listEffectiveAssignments(q(), { userId: id, targetType: 'project' })).map((a) => a.target_id))];
    return { projects: (await repo.listProjects(q(), { ids })).map((p) => renderProject(req, p)), links: listLinks(req) };
  });
}
