import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { App } from '../app-type.js';
import { BerthError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { deleteRefusal, ownServices, type CatalogService } from '../../identity/catalog.js';
import * as cat from '../../store/catalog-repo.js';
import type { CatalogServiceRow } from '../../store/schema.js';
import { enforce } from '../auth.js';
import { notFoundError } from '../errors.js';
import type { IdentityDeps } from './deps.js';
import { parseExtra } from './extra.js';
import { listLinks, v3 } from './render.js';
import { IdParam } from './schemas.js';

const Text = Type.String({ maxLength: 255 });
const ServiceCreate = Type.Object({
  service: Type.Object({
    type: Type.String({ minLength: 1, maxLength: 255 }),
    name: Type.Optional(Text),
    description: Type.Optional(Text),
    enabled: Type.Optional(Type.Boolean()),
  }, { additionalProperties: true }),
});
const ServiceUpdate = Type.Object({
  service: Type.Object({
    type: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    name: Type.Optional(Text),
    description: Type.Optional(Text),
    enabled: Type.Optional(Type.Boolean()),
  }, { additionalProperties: true }),
});
const ServiceQuery = Type.Object({ type: Type.Optional(Type.String()), name: Type.Optional(Type.String()) });
const KNOWN = new Set(['id', 'type', 'name', 'description', 'enabled', 'links']);
const extraOf = (body: Record<string, unknown>) => Object.fromEntries(Object.entries(body).filter(([k]) => !KNOWN.has(k)));

export const serviceOfRow = (r: CatalogServiceRow): CatalogService => ({
  id: r.id, type: r.type, name: r.name, description: r.description, enabled: r.enabled === 1, own: false, extra: parseExtra(r.extra),
});

/** Services: Berth's own (read-only) and those admins register, such as an external image service. */
export function serviceRoutes(app: App, deps: IdentityDeps): void {
  const q = () => deps.db.kysely;
  const render = (req: FastifyRequest, s: CatalogService) => ({
    ...s.extra, id: s.id, type: s.type, name: s.name, description: s.description, enabled: s.enabled,
    links: { self: `${v3(req)}/services/${s.id}` },
  });
  const all = async () => [...ownServices(), ...(await cat.listServices(q())).map(serviceOfRow)];
  const load = async (id: string) => {
    const s = (await all()).find((x) => x.id === id);
    if (!s) throw notFoundError('service', id);
    return s;
  };

  app.get('/services', { schema: { querystring: ServiceQuery } }, async (req) => {
    enforce(deps.policy, req, 'identity:list_services');
    const { type, name } = req.query;
    const list = (await all()).filter((s) => (type === undefined || s.type === type) && (name === undefined || s.name === name));
    return { services: list.map((s) => render(req, s)), links: listLinks(req) };
  });
  app.get('/services/:id', { schema: { params: IdParam } }, async (req) => {
    enforce(deps.policy, req, 'identity:get_service');
    return { service: render(req, await load(req.params.id)) };
  });
  app.post('/services', { schema: { body: ServiceCreate } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:create_service');
    const b = req.body.service;
    const row: CatalogServiceRow = {
      id: newId(), type: b.type, name: b.name ?? '', description: b.description ?? '', enabled: b.enabled === false ? 0 : 1,
      extra: JSON.stringify(extraOf(b)),
    };
    await cat.insertService(q(), row);
    reply.code(201);
    return { service: render(req, serviceOfRow(row)) };
  });
  app.patch('/services/:id', { schema: { params: IdParam, body: ServiceUpdate } }, async (req) => {
    enforce(deps.policy, req, 'identity:update_service');
    const { id } = req.params;
    const s = await load(id);
    if (s.own) throw new BerthError('forbidden', `Service ${id} is one Berth serves itself and cannot be changed.`);
    const b = req.body.service;
    const row: CatalogServiceRow = {
      id, type: b.type ?? s.type, name: b.name ?? s.name, description: b.description ?? s.description,
      enabled: (b.enabled ?? s.enabled) ? 1 : 0, extra: JSON.stringify({ ...s.extra, ...extraOf(b) }),
    };
    await cat.updateService(q(), id, { type: row.type, name: row.name, description: row.description, enabled: row.enabled, extra: row.extra });
    return { service: render(req, serviceOfRow(row)) };
  });
  app.delete('/services/:id', { schema: { params: IdParam } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:delete_service');
    const { id } = req.params;
    const refusal = deleteRefusal('service', id, deps.region);
    if (refusal) throw new BerthError('forbidden', refusal);
    if (!(await cat.deleteService(q(), id))) throw notFoundError('service', id);
    return reply.code(204).send();
  });
}
