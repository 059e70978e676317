import type { App } from '../app-type.js';
import { BerthError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import * as repo from '../../store/identity-repo.js';
import { deleteGroup, listGroups } from '../../store/group-repo.js';
import { deleteDomainRoles } from '../../store/role-repo.js';
import { deleteCredentialsOfProject } from '../../store/credential-repo.js';
import type { DomainRow, ProjectRow } from '../../store/schema.js';
import { guardLastAdmin, lockAdmins } from './admins.js';
import { DEFAULT_DOMAIN_ID } from '../../identity/bootstrap.js';
import { enforce } from '../auth.js';
import { notFoundError } from '../errors.js';
import type { IdentityDeps } from './deps.js';
import { listLinks, renderDomain } from './render.js';
import { DomainCreate, DomainUpdate, IdParam, NameQuery, flag } from './schemas.js';

/** Project ids ordered so that every project comes before its parent. */
export function leavesFirst(projects: readonly Pick<ProjectRow, 'id' | 'parent_id'>[]): string[] {
  const byId = new Map(projects.map((p) => [p.id, p]));
  const depth = (p: Pick<ProjectRow, 'id' | 'parent_id'>): number => {
    let n = 0;
    for (let cur = p; cur.parent_id && byId.has(cur.parent_id) && n < projects.length; cur = byId.get(cur.parent_id)!) n++;
    return n;
  };
  return projects.map((p) => ({ id: p.id, d: depth(p) })).sort((a, b) => b.d - a.d).map((p) => p.id);
}

export function domainRoutes(app: App, deps: IdentityDeps): void {
  const q = () => deps.db.kysely;
  const load = async (id: string) => {
    const d = await repo.getDomain(q(), id);
    if (!d) throw notFoundError('domain', id);
    return d;
  };

  app.get('/domains', { schema: { querystring: NameQuery } }, async (req) => {
    enforce(deps.policy, req, 'identity:list_domains');
    const f = req.query;
    const domains = await repo.listDomains(q(), { name: f.name, enabled: f.enabled === undefined ? undefined : flag(f.enabled) ? 1 : 0 });
    return { domains: domains.map((d) => renderDomain(req, d)), links: listLinks(req) };
  });
  app.post('/domains', { schema: { body: DomainCreate } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:create_domain');
    const b = req.body.domain;
    const row = await createDomain(deps, b);
    reply.code(201);
    return { domain: renderDomain(req, row) };
  });
  app.get('/domains/:id', { schema: { params: IdParam } }, async (req) => {
    enforce(deps.policy, req, 'identity:get_domain', { 'target.domain.id': req.params.id });
    return { domain: renderDomain(req, await load(req.params.id)) };
  });
  app.patch('/domains/:id', { schema: { params: IdParam, body: DomainUpdate } }, async (req) => {
    enforce(deps.policy, req, 'identity:update_domain');
    const { id } = req.params;
    const b = req.body.domain;
    const row = await changeDomain(deps, id, b);
    return { domain: renderDomain(req, row) };
  });
  app.delete('/domains/:id', { schema: { params: IdParam } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:delete_domain');
    const { id } = req.params;
    await removeDomain(deps, id);
    return reply.code(204).send();
  });
}

const duplicateDomain = (name: string) => new BerthError('conflict', `Conflict occurred attempting to store domain - Duplicate entry found with name ${name}.`);

/** Creates a domain (also what a project created with is_domain is). */
export async function createDomain(deps: IdentityDeps, b: { id?: string; name: string; description?: string | null; enabled?: boolean }): Promise<DomainRow> {
  const row = { id: b.id ?? newId(), name: b.name, description: b.description ?? '', enabled: b.enabled === false ? 0 : 1, created_at: new Date().toISOString() };
  await deps.db.tx(async (trx) => {
    if (await repo.getDomainByName(trx, b.name)) throw duplicateDomain(b.name);
    await repo.insertDomain(trx, row);
  });
  return row;
}

/** Renames, describes, enables or disables a domain; disabling revokes the tokens scoped to it. */
export async function changeDomain(deps: IdentityDeps, id: string, b: { name?: string; description?: string | null; enabled?: boolean }): Promise<DomainRow> {
  const row = await deps.db.tx(async (trx) => {
      const d = await repo.getDomain(trx, id);
      if (!d) throw notFoundError('domain', id);
      if (b.enabled === false && id === DEFAULT_DOMAIN_ID) throw new BerthError('forbidden', 'The default domain cannot be disabled.');
      if (b.name !== undefined && b.name !== d.name && (await repo.getDomainByName(trx, b.name))) throw duplicateDomain(b.name);
      const next = { ...d, name: b.name ?? d.name, description: b.description === undefined ? d.description : b.description ?? '', enabled: b.enabled === undefined ? d.enabled : b.enabled ? 1 : 0 };
      await repo.updateDomain(trx, id, { name: next.name, description: next.description, enabled: next.enabled });
      if (d.enabled && !next.enabled) await deps.tokens.revokeDomain(trx, id);
      return next;
    });
  deps.tokens.forget();
  return row;
}

/** Deletes a disabled domain and, as Keystone does, what it holds. */
export async function removeDomain(deps: IdentityDeps, id: string): Promise<void> {
    await deps.db.tx(async (trx) => {
      const d = await repo.getDomain(trx, id);
      if (!d) throw notFoundError('domain', id);
      if (d.enabled) throw new BerthError('forbidden', 'Cannot delete a domain that is enabled, please disable it first.');
      await lockAdmins(deps.db, trx);
      await deps.db.lock(trx, 'projects');
      // Keystone deletes what the domain holds with it: projects (leaves first), users, groups, its roles.
      const projects = await repo.listProjects(trx, { domainId: id });
      for (const p of projects)
        if (await repo.projectHasContainers(trx, p.id)) throw new BerthError('conflict', `Cannot delete domain ${id}: its project ${p.id} still owns containers; delete them first.`);
      for (const pid of leavesFirst(projects)) {
        await repo.deleteAssignmentsOf(trx, { target: { type: 'project', id: pid } });
        await deps.tokens.revokeProject(trx, pid);
        await repo.clearDefaultProject(trx, pid);
        await deleteCredentialsOfProject(trx, pid);
        await repo.deleteProject(trx, pid);
      }
      for (const u of await repo.listUsers(trx, { domainId: id })) {
        await repo.deleteAssignmentsOf(trx, { userId: u.id });
        await deps.tokens.revokeUser(trx, u.id);
        await repo.deleteUser(trx, u.id);
      }
      for (const g of await listGroups(trx, { domainId: id })) await deleteGroup(trx, g.id);
      await deleteDomainRoles(trx, id);
      await repo.deleteAssignmentsOf(trx, { target: { type: 'domain', id } });
      await repo.deleteDomain(trx, id);
      await guardLastAdmin(trx, `delete domain ${id}`);
    }).finally(repo.projectsChanged);
    deps.tokens.forget();
}
