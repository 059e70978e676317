import { hash, randomBytes } from 'node:crypto';
import type { Database, Queryable } from '../store/db.js';
import { hashSecret, newSecret } from '../core/ids.js';
import { rolesOn } from '../store/identity-repo.js';
import * as tokens from '../store/token-repo.js';
import { accessRulesOf, getAppCred } from '../store/app-cred-repo.js';
import type { AccessRule } from './access-rules.js';
import { appCredRoles, isExpired } from './app-creds.js';

export interface Scope { projectId?: string; domainId?: string }

/** What a valid token stands for, read fresh from the database (and cached for a moment). */
export interface TokenInfo {
  hash: string;
  userId: string; userName: string; userDomainId: string; userDomainName: string;
  projectId?: string; projectName?: string; projectDomainId?: string; projectDomainName?: string; projectParentId?: string | null;
  domainId?: string; domainName?: string;
  roles: { id: string; name: string }[];
  methods: string[];
  auditId: string;
  issuedAt: string;
  expiresAt: string;
  /**
   * Set when the token was made with an application credential: its roles are the credential's, and
   * when it has access rules the token is good only for the requests they match.
   */
  appCred?: { id: string; name: string; restricted: boolean; accessRules: (AccessRule & { id: string })[] };
  /** When the user's password was set (null: the user has none); its expiry follows from the security compliance settings. */
  passwordChangedAt: string | null;
}

const CACHE_MS = 2000;

/** hashSecret's SHA-256 in hex, with the one-shot hash (a third of the cost of createHash on every request). */
const tokenHash = (token: string): string => hash('sha256', token, 'hex');

/**
 * Tokens are 32 random bytes; only their SHA-256 is stored, so validation is a primary-key lookup.
 * A token is valid while its row exists, it has not expired, its user, project and their domains are
 * enabled and, for a scoped token, the user still holds a role on the scope. Revocation deletes rows;
 * another server notices within the cache lifetime.
 */
export class TokenService {
  #db: Database;
  #ttlMs: number;
  #cache = new Map<string, { info: TokenInfo; until: number; expiresAtMs: number }>();
  /** Bumped by every revocation: a validation that read the database before it must not cache what it read. */
  #generation = 0;

  /** How long a new token lives. */
  get ttlMs(): number {
    return this.#ttlMs;
  }

  constructor(db: Database, ttlSeconds: number) {
    this.#db = db;
    this.#ttlMs = ttlSeconds * 1000;
  }

  async issue(q: Queryable, userId: string, scope: Scope, methods: string[], expiresAt?: string, appCredId?: string): Promise<{ token: string; info: TokenInfo }> {
    const token = newSecret('b');
    const now = new Date();
    const row = {
      hash: hashSecret(token),
      user_id: userId,
      project_id: scope.projectId ?? null,
      domain_id: scope.domainId ?? null,
      methods: methods.join(','),
      audit_id: randomBytes(16).toString('base64url').slice(0, 22),
      issued_at: now.toISOString(),
      expires_at: expiresAt ?? new Date(now.getTime() + this.#ttlMs).toISOString(),
      app_cred_id: appCredId ?? null,
    };
    await tokens.insertToken(q, row);
    const info = await this.#load(q, row.hash);
    if (!info) throw new Error('token vanished after issue');
    return { token, info };
  }

  /**
   * The answer of the validation cache without touching the database: the token's info, undefined for
   * a cached token that has expired since, or 'miss' when `validate` must look it up.
   */
  validateCached(token: string): TokenInfo | undefined | 'miss' {
    const hit = this.#cache.get(tokenHash(token));
    const now = Date.now();
    if (!hit || hit.until <= now) return 'miss';
    return hit.expiresAtMs > now ? hit.info : undefined;
  }

  async validate(token: string): Promise<TokenInfo | undefined> {
    const hash = tokenHash(token);
    const now = Date.now();
    const hit = this.#cache.get(hash);
    if (hit && hit.until > now) return hit.expiresAtMs > now ? hit.info : undefined;
    const generation = this.#generation;
    const info = await this.#load(this.#db.kysely, hash);
    if (this.#cache.size > 10000) this.#cache.clear();
    if (info && generation === this.#generation) this.#cache.set(hash, { info, until: now + CACHE_MS, expiresAtMs: Date.parse(info.expiresAt) });
    else this.#cache.delete(hash);
    return info;
  }

  async revoke(token: string): Promise<boolean> {
    const hash = tokenHash(token);
    const deleted = await tokens.deleteToken(this.#db.kysely, hash);
    this.#generation++;
    this.#cache.delete(hash);
    return deleted;
  }

  /** Drops cached validations so a revocation made by this server is seen at once. */
  forget(): void {
    this.#generation++;
    this.#cache.clear();
  }

  async revokeUser(q: Queryable, userId: string): Promise<void> {
    await tokens.deleteTokensOf(q, { userId });
    this.forget();
  }
  async revokeProject(q: Queryable, projectId: string): Promise<void> {
    await tokens.deleteTokensOf(q, { projectId });
    this.forget();
  }
  async revokeDomain(q: Queryable, domainId: string): Promise<void> {
    await tokens.deleteTokensOf(q, { domainId });
    this.forget();
  }
  async revokeUserOn(q: Queryable, userId: string, targetType: 'project' | 'domain', targetId: string): Promise<void> {
    await tokens.deleteTokensOf(q, targetType === 'project' ? { userId, projectId: targetId } : { userId, domainId: targetId });
    this.forget();
  }

  async purgeExpired(): Promise<void> {
    await tokens.deleteExpiredTokens(this.#db.kysely, new Date().toISOString());
  }

  async #load(q: Queryable, hash: string): Promise<TokenInfo | undefined> {
    const r = await tokens.getTokenWithScope(q, hash);
    if (!r) return undefined;
    if (Date.parse(r.expires_at) <= Date.now()) return undefined;
    if (!r.user_enabled || !r.user_domain_enabled) return undefined;
    let roles: { id: string; name: string }[] = [];
    if (r.project_id) {
      if (!r.project_name || !r.project_enabled || !r.project_domain_enabled) return undefined;
      roles = await rolesOn(q, r.user_id, 'project', r.project_id);
      if (roles.length === 0) return undefined;
    }
    let appCred: TokenInfo['appCred'];
    if (r.app_cred_id) {
      const c = await getAppCred(q, r.app_cred_id);
      if (!c || isExpired(c.expires_at, Date.now())) return undefined;
      roles = appCredRoles(roles, JSON.parse(c.roles) as string[]);
      if (roles.length === 0) return undefined;
      const accessRules = (await accessRulesOf(q, c.id)).map((a) => ({ id: a.id, service: a.service, method: a.method, path: a.path }));
      appCred = { id: c.id, name: c.name, restricted: c.unrestricted !== 1, accessRules };
    } else if (r.domain_id) {
      if (!r.domain_name || !r.domain_enabled) return undefined;
      roles = await rolesOn(q, r.user_id, 'domain', r.domain_id);
      if (roles.length === 0) return undefined;
    }
    return {
      hash: r.hash,
      userId: r.user_id, userName: r.user_name, userDomainId: r.user_domain_id, userDomainName: r.user_domain_name,
      projectId: r.project_id ?? undefined, projectName: r.project_name ?? undefined,
      projectDomainId: r.project_domain_id ?? undefined, projectDomainName: r.project_domain_name ?? undefined,
      projectParentId: r.project_parent_id ?? null,
      domainId: r.domain_id ?? undefined, domainName: r.domain_name ?? undefined,
      passwordChangedAt: r.user_password_hash ? r.user_password_changed_at : null,
      roles, methods: r.methods.split(','), auditId: r.audit_id, issuedAt: r.issued_at, expiresAt: r.expires_at,
      ...(appCred ? { appCred } : {}),
    };
  }
}
