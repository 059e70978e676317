import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DomainRow, GroupRow, ProjectRow, RoleRow, UserRow } from '../../store/schema.js';
import { baseUrl } from '../server.js';
import type { TokenInfo } from '../../identity/tokens.js';
import { buildCatalog } from '../../identity/catalog.js';
import { complianceOff, passwordExpiresAt, type ComplianceConfig } from '../../identity/compliance.js';
import { parseExtra } from './extra.js';

/** Keystone's JSON shapes, built from rows. */

export const v3 = (req: FastifyRequest) => `${baseUrl(req)}/identity/v3`;
const selfLink = (req: FastifyRequest, path: string) => ({ self: `${v3(req)}/${path}` });

export function listLinks(req: FastifyRequest) {
  return { self: `${baseUrl(req)}${req.url}`, previous: null, next: null };
}

export function renderDomain(req: FastifyRequest, d: DomainRow) {
  return { id: d.id, name: d.name, description: d.description, enabled: d.enabled === 1, tags: [], options: {}, links: selfLink(req, `domains/${d.id}`) };
}

export function renderProject(req: FastifyRequest, p: ProjectRow) {
  return {
    ...parseExtra(p.extra),
    id: p.id, name: p.name, domain_id: p.domain_id, description: p.description, enabled: p.enabled === 1,
    parent_id: p.parent_id ?? p.domain_id, is_domain: false, tags: JSON.parse(p.tags) as string[], options: {},
    links: selfLink(req, `projects/${p.id}`),
  };
}

/** A domain as Keystone shows it through the projects API: a project acting as a domain. */
export function renderDomainProject(req: FastifyRequest, d: DomainRow) {
  return {
    id: d.id, name: d.name, domain_id: null, description: d.description, enabled: d.enabled === 1, parent_id: null,
    is_domain: true, tags: [] as string[], options: {}, links: selfLink(req, `projects/${d.id}`),
  };
}

export function renderUser(req: FastifyRequest, u: UserRow) {
  const out: Record<string, unknown> = {
    ...parseExtra(u.extra),
    id: u.id, name: u.name, domain_id: u.domain_id, enabled: u.enabled === 1, password_expires_at: null, options: {},
    links: selfLink(req, `users/${u.id}`),
  };
  if (u.default_project_id) out.default_project_id = u.default_project_id;
  if (u.email) out.email = u.email;
  if (u.description) out.description = u.description;
  return out;
}

export function renderGroup(req: FastifyRequest, g: GroupRow) {
  return { id: g.id, name: g.name, domain_id: g.domain_id, description: g.description, links: selfLink(req, `groups/${g.id}`) };
}

export function renderRole(req: FastifyRequest, r: RoleRow) {
  return { id: r.id, name: r.name, domain_id: r.domain_id ?? null, description: r.description || null, options: {}, links: selfLink(req, `roles/${r.id}`) };
}

const micro = (iso: string) => iso.replace(/\.(\d{3})Z$/, '.$1000Z');

/** A token as Keystone shows it; `compliance` gives the user's password expiry. */
export function renderToken(req: FastifyRequest, t: TokenInfo, region: string, withCatalog: boolean, compliance: ComplianceConfig = complianceOff) {
  const expires = passwordExpiresAt(compliance, t.passwordChangedAt);
  const token: Record<string, unknown> = {
    methods: t.methods,
    user: { id: t.userId, name: t.userName, domain: { id: t.userDomainId, name: t.userDomainName },
      password_expires_at: expires === null ? null : expires.replace(/\.(\d{3})Z$/, '.$1000') },
    audit_ids: [t.auditId],
    expires_at: micro(t.expiresAt),
    issued_at: micro(t.issuedAt),
  };
  if (t.projectId) {
    token.project = { id: t.projectId, name: t.projectName, domain: { id: t.projectDomainId, name: t.projectDomainName } };
    token.is_domain = false;
  } else if (t.domainId) {
    token.domain = { id: t.domainId, name: t.domainName };
  }
  if (t.appCred) {
    const { id, name, restricted, accessRules } = t.appCred;
    token.application_credential = { id, name, restricted, ...(accessRules.length > 0 ? { access_rules: accessRules } : {}) };
  }
  if (t.projectId || t.domainId) {
    token.roles = t.roles.map((r) => ({ id: r.id, name: r.name }));
    if (withCatalog) token.catalog = buildCatalog(baseUrl(req), region);
  }
  return { token };
}

/**
 * Rendered lists kept with the unchanging (cached) rows they were made from, per base URL and request
 * URL, a few of each: a repeated listing is answered with the JSON text made the first time.
 */
const renderedLists = new WeakMap<object, Map<string, string>>();
const MAX_RENDERINGS = 16;

/** Sends the JSON text of `render()` for these rows and this request, made once per rows and URL. */
export function cachedJson(req: FastifyRequest, reply: FastifyReply, rows: object, render: () => unknown): FastifyReply {
  const key = `${baseUrl(req)} ${req.url}`;
  let byKey = renderedLists.get(rows);
  if (!byKey) renderedLists.set(rows, (byKey = new Map<string, string>()));
  let text = byKey.get(key);
  if (text === undefined) {
    text = JSON.stringify(render());
    if (byKey.size >= MAX_RENDERINGS) byKey.clear();
    byKey.set(key, text);
  }
  return reply.header('content-type', 'application/json; charset=utf-8').send(text);
}
