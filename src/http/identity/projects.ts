import type { FastifyRequest } from 'fastify';
import type { App } from '../app-type.js';
import { BerthError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { isUniqueViolation, type Queryable } from '../../store/db.js';
import type { ProjectRow } from '../../store/schema.js';
import * as repo from '../../store/identity-repo.js';
import { deleteCredentialsOfProject } from '../../store/credential-repo.js';
import { DEFAULT_DOMAIN_ID } from '../../identity/bootstrap.js';
import { enforce } from '../auth.js';
import { notFoundError } from '../errors.js';
import type { IdentityDeps } from './deps.js';
import { cachedJson, listLinks, renderDomainProject, renderProject } from './render.js';
import { changeDomain, createDomain, removeDomain } from './domains.js';
import { extraOf, mergeExtra } from './extra.js';
import { IdParam, ProjectCreate, ProjectList, ProjectQuery, ProjectShowQuery, ProjectUpdate, flag } from './schemas.js';
import { tagFilter } from './project-tags.js';

export async function loadProject(q: Queryable, id: string): Promise<ProjectRow> {
  const p = await repo.getProject(q, id);
  if (!p) throw notFoundError('project', id);
  return p;
}

/** Ancestors nearest first, following parent_id to the top of the tree. */
export async function ancestors(q: Queryable, p: ProjectRow): Promise<ProjectRow[]> {
  const out: ProjectRow[] = [];
  let cur = p;
  while (cur.parent_id && out.length < 100) {
    const parent = await repo.getProject(q, cur.parent_id);
    if (!parent) break;
    out.push(parent);
    cur = parent;
  }
  return out;
}

/** Every project below `p`, breadth first. */
export async function descendants(q: Queryable, p: ProjectRow): Promise<ProjectRow[]> {
  const all = await repo.listProjects(q, { domainId: p.domain_id });
  const byParent = new Map<string, ProjectRow[]>();
  for (const x of all) if (x.parent_id) byParent.set(x.parent_id, [...(byParent.get(x.parent_id) ?? []), x]);
  const out: ProjectRow[] = [];
  const queue = [p.id];
  while (queue.length) for (const c of byParent.get(queue.shift()!) ?? []) { out.push(c); queue.push(c.id); }
  return out;
}

function idsTree(chain: ProjectRow[]): Record<string, unknown> | null {
  let tree: Record<string, unknown> | null = null;
  for (const p of [...chain].reverse()) tree = { [p.id]: tree };
  return tree;
}

function subtreeIds(root: string, all: ProjectRow[]): Record<string, unknown> | null {
  const kids = all.filter((p) => p.parent_id === root);
  if (kids.length === 0) return null;
  return Object.fromEntries(kids.map((k) => [k.id, subtreeIds(k.id, all)]));
}

const uniqueViolation = isUniqueViolation;

export function projectRoutes(app: App, deps: IdentityDeps): void {
  const q = () => deps.db.kysely;

  app.get('/projects', { schema: { querystring: ProjectQuery, response: { 200: ProjectList } } }, async (req, reply) => {
    const f = req.query;
    enforce(deps.policy, req, 'identity:list_projects', { 'target.domain_id': f.domain_id });
    if (f.is_domain !== undefined && flag(f.is_domain)) {
      const enabled = f.enabled === undefined ? undefined : flag(f.enabled) ? 1 : 0;
      const domains = f.domain_id !== undefined || f.parent_id !== undefined ? [] : await repo.listDomains(q(), { name: f.name, enabled });
      return { projects: domains.map((d) => renderDomainProject(req, d)), links: listLinks(req) };
    }
    const listing = await repo.listProjectsCached(deps.db, {
      name: f.name, domainId: f.domain_id,
      parentId: f.parent_id && f.parent_id !== (f.domain_id ?? DEFAULT_DOMAIN_ID) ? f.parent_id : undefined,
      enabled: f.enabled === undefined ? undefined : flag(f.enabled) ? 1 : 0,
    });
    let projects = listing;
    if (f.parent_id && f.parent_id === (f.domain_id ?? DEFAULT_DOMAIN_ID)) projects = projects.filter((p) => !p.parent_id);
    const byTags = tagFilter(f);
    if (byTags) projects = projects.filter((p) => byTags(JSON.parse(p.tags) as string[]));
    const render = () => ({ projects: projects.map((p) => renderProject(req, p)), links: listLinks(req) });
    // A listing served from the cache (SQLite) is the same rows until a project changes: so is its text.
    return deps.db.dialect === 'sqlite' && projects === listing ? cachedJson(req, reply, listing, render) : render();
  });

  app.post('/projects', { schema: { body: ProjectCreate } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:create_project');
    const b = req.body.project;
    if (b.is_domain) {
      // Keystone: a project acting as a domain is a domain; it has no domain or parent of its own.
      if (b.parent_id || b.domain_id) throw new BerthError('bad_request', 'A project acting as a domain cannot have a parent or a domain.');
      enforce(deps.policy, req, 'identity:create_domain');
      reply.code(201);
      return { project: renderDomainProject(req, await createDomain(deps, b)) };
    }
    const row = await deps.db.tx(async (trx) => {
      let domainId = b.domain_id ?? undefined;
      let parentId: string | null = null;
      if (b.parent_id) {
        const asDomain = await repo.getDomain(trx, b.parent_id);
        if (asDomain) domainId ??= asDomain.id;
        else {
          const parent = await repo.getProject(trx, b.parent_id);
          if (!parent) throw new BerthError('bad_request', `Could not find parent project: ${b.parent_id}.`);
          if (domainId && domainId !== parent.domain_id) throw new BerthError('bad_request', 'A project must be in the same domain as its parent.');
          domainId = parent.domain_id;
          parentId = parent.id;
        }
      }
      domainId ??= req.auth.projectDomainId ?? req.auth.domainId ?? DEFAULT_DOMAIN_ID;
      const domain = await repo.getDomain(trx, domainId);
      if (!domain) throw new BerthError('bad_request', `Could not find domain: ${domainId}.`);
      if (await repo.getProjectByName(trx, domainId, b.name))
        throw new BerthError('conflict', `Conflict occurred attempting to store project - it is not permitted to have two projects with the same name in the same domain : ${b.name}.`);
      const row: ProjectRow = {
        id: newId(), name: b.name, domain_id: domainId, parent_id: parentId, description: b.description ?? '',
        enabled: b.enabled === false ? 0 : 1, tags: JSON.stringify(b.tags ?? []), created_at: new Date().toISOString(),
        extra: extraOf('project', b),
      };
      try {
        await repo.insertProject(trx, row);
      } catch (e) {
        if (uniqueViolation(e)) throw new BerthError('conflict', `Conflict occurred attempting to store project - duplicate name: ${b.name}.`);
        throw e;
      }
      return row;
    }).finally(repo.projectsChanged);
    reply.code(201);
    return { project: renderProject(req, row) };
  });

  app.get('/projects/:id', { schema: { params: IdParam, querystring: ProjectShowQuery } }, async (req) => {
    const { id } = req.params;
    enforce(deps.policy, req, 'identity:get_project', { 'target.project.id': id });
    const asDomain = (await repo.getProject(q(), id)) ? undefined : await repo.getDomain(q(), id);
    if (asDomain) return { project: renderDomainProject(req, asDomain) };
    const p = await loadProject(q(), id);
    const f = req.query;
    const out: Record<string, unknown> = renderProject(req, p);
    if (flag(f.parents_as_list)) out.parents = (await ancestors(q(), p)).map((x) => ({ project: renderProject(req, x) }));
    if (flag(f.subtree_as_list)) out.subtree = (await descendants(q(), p)).map((x) => ({ project: renderProject(req, x) }));
    if (flag(f.parents_as_ids)) out.parents = idsTree(await ancestors(q(), p));
    if (flag(f.subtree_as_ids)) out.subtree = subtreeIds(p.id, await repo.listProjects(q(), { domainId: p.domain_id }));
    return { project: out };
  });

  app.patch('/projects/:id', { schema: { params: IdParam, body: ProjectUpdate } }, async (req) => {
    const { id } = req.params;
    enforce(deps.policy, req, 'identity:update_project', { 'target.project.id': id });
    const b = req.body.project;
    if (!(await repo.getProject(q(), id)) && (await repo.getDomain(q(), id))) {
      if ((b.parent_id ?? null) !== null || (b.domain_id ?? null) !== null) throw new BerthError('bad_request', 'A project acting as a domain cannot have a parent or a domain.');
      return { project: renderDomainProject(req, await changeDomain(deps, id, b)) };
    }
    const row = await deps.db.tx(async (trx) => {
      const p = await loadProject(trx, id);
      if (b.domain_id !== undefined && b.domain_id !== p.domain_id) throw new BerthError('bad_request', 'Cannot change the domain of a project.');
      if (b.parent_id !== undefined && b.parent_id !== (p.parent_id ?? p.domain_id)) throw new BerthError('forbidden', 'Cannot change the parent of a project.');
      if (b.name !== undefined && b.name !== p.name && (await repo.getProjectByName(trx, p.domain_id, b.name)))
        throw new BerthError('conflict', `Conflict occurred attempting to store project - it is not permitted to have two projects with the same name in the same domain : ${b.name}.`);
      if (b.enabled === false && p.id === req.auth.projectId && p.enabled)
        throw new BerthError('forbidden', 'You cannot disable the project your token is scoped to.');
      const next: ProjectRow = {
        ...p,
        name: b.name ?? p.name,
        description: b.description === undefined ? p.description : b.description ?? '',
        enabled: b.enabled === undefined ? p.enabled : b.enabled ? 1 : 0,
        tags: b.tags === undefined ? p.tags : JSON.stringify(b.tags),
        extra: mergeExtra('project', p.extra, b),
      };
      await repo.updateProject(trx, id, { name: next.name, description: next.description, enabled: next.enabled, tags: next.tags, extra: next.extra });
      if (p.enabled && !next.enabled) await deps.tokens.revokeProject(trx, id);
      return next;
    }).finally(repo.projectsChanged);
    deps.tokens.forget();
    return { project: renderProject(req, row) };
  });

  app.delete('/projects/:id', { schema: { params: IdParam } }, async (req, reply) => {
    const { id } = req.params;
    enforce(deps.policy, req, 'identity:delete_project', { 'target.project.id': id });
    if (!(await repo.getProject(q(), id)) && (await repo.getDomain(q(), id))) {
      await removeDomain(deps, id);
      return reply.code(204).send();
    }
    await deps.db.tx(async (trx) => {
      await deps.db.lock(trx, 'projects');
      const p = await loadProject(trx, id);
      if (p.id === req.auth.projectId) throw new BerthError('forbidden', 'You cannot delete the project your token is scoped to.');
      if ((await repo.countChildren(trx, id)) > 0)
        throw new BerthError('forbidden', `Cannot delete project ${id}: it has child projects; delete or move them first.`);
      if (await repo.projectHasContainers(trx, id)) throw new BerthError('conflict', `Cannot delete project ${id}: it still owns containers; delete them first.`);
      await repo.deleteAssignmentsOf(trx, { target: { type: 'project', id } });
      await deps.tokens.revokeProject(trx, id);
      await repo.clearDefaultProject(trx, id);
      await deleteCredentialsOfProject(trx, id);
      await repo.deleteProject(trx, id);
    }).finally(repo.projectsChanged);
    deps.tokens.forget();
    return reply.code(204).send();
  });
}

export function requestDomain(req: FastifyRequest): string {
  return req.auth.projectDomainId ?? req.auth.domainId ?? DEFAULT_DOMAIN_ID;
}
