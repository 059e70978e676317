import type { App } from '../app-type.js';
import { BerthError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import * as repo from '../../store/identity-repo.js';
import { listGroups } from '../../store/group-repo.js';
import { DEFAULT_DOMAIN_ID } from '../../identity/bootstrap.js';
import { enforce } from '../auth.js';
import { notFoundError } from '../errors.js';
import type { IdentityDeps } from './deps.js';
import { listLinks, renderDomain } from './render.js';
import { DomainCreate, DomainUpdate, IdParam, NameQuery, flag } from './schemas.js';

export function domainRoutes(app: App, deps: IdentityDeps): void {
  const q = () => deps.db.kysely;
  const load = async (id: string) => {
    const d = await repo.getDomain(q(), id);
    if (!d) throw notFoundError('domain', id);
    return d;
  };
  const dup = (name: string) => new BerthError('conflict', `Conflict occurred attempting to store domain - Duplicate entry found with name ${name}.`);

  app.get('/domains', { schema: { querystring: NameQuery } }, async (req) => {
    enforce(deps.policy, req, 'identity:list_domains');
    const f = req.query;
    const domains = await repo.listDomains(q(), { name: f.name, enabled: f.enabled === undefined ? undefined : flag(f.enabled) ? 1 : 0 });
    return { domains: domains.map((d) => renderDomain(req, d)), links: listLinks(req) };
  });
  app.post('/domains', { schema: { body: DomainCreate } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:create_domain');
    const b = req.body.domain;
    const row = { id: newId(), name: b.name, description: b.description ?? '', enabled: b.enabled === false ? 0 : 1, created_at: new Date().toISOString() };
    await deps.db.tx(async (trx) => {
      if (await repo.getDomainByName(trx, b.name)) throw dup(b.name);
      await repo.insertDomain(trx, row);
    });
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
    const row = await deps.db.tx(async (trx) => {
      const d = await repo.getDomain(trx, id);
      if (!d) throw notFoundError('domain', id);
      if (b.enabled === false && id === DEFAULT_DOMAIN_ID) throw new BerthError('forbidden', 'The default domain cannot be disabled.');
      if (b.name !== undefined && b.name !== d.name && (await repo.getDomainByName(trx, b.name))) throw dup(b.name);
      const next = { ...d, name: b.name ?? d.name, description: b.description === undefined ? d.description : b.description ?? '', enabled: b.enabled === undefined ? d.enabled : b.enabled ? 1 : 0 };
      await repo.updateDomain(trx, id, { name: next.name, description: next.description, enabled: next.enabled });
      if (d.enabled && !next.enabled) await deps.tokens.revokeDomain(trx, id);
      return next;
    });
    deps.tokens.forget();
    return { domain: renderDomain(req, row) };
  });
  app.delete('/domains/:id', { schema: { params: IdParam } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:delete_domain');
    const { id } = req.params;
    await deps.db.tx(async (trx) => {
      const d = await repo.getDomain(trx, id);
      if (!d) throw notFoundError('domain', id);
      if (d.enabled) throw new BerthError('forbidden', 'Cannot delete a domain that is enabled, please disable it first.');
      const used = (await repo.listProjects(trx, { domainId: id })).length + (await repo.listUsers(trx, { domainId: id })).length
        + (await listGroups(trx, { domainId: id })).length;
      if (used > 0) throw new BerthError('conflict', `Cannot delete domain ${id}: it still holds projects, users or groups; delete them first.`);
      await repo.deleteAssignmentsOf(trx, { target: { type: 'domain', id } });
      await repo.deleteDomain(trx, id);
    });
    return reply.code(204).send();
  });
}
