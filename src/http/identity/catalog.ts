import { Type } from '@sinclair/typebox';
import type { App } from '../app-type.js';
import { BerthError } from '../../core/errors.js';
import { buildCatalog } from '../../identity/catalog.js';
import { enforce } from '../auth.js';
import { baseUrl } from '../server.js';
import { notFoundError } from '../errors.js';
import type { IdentityDeps } from './deps.js';
import { listLinks, v3 } from './render.js';
import { IdParam } from './schemas.js';

const ServiceQuery = Type.Object({ type: Type.Optional(Type.String()) });
const EndpointQuery = Type.Object({
  service_id: Type.Optional(Type.String()), interface: Type.Optional(Type.String()), region_id: Type.Optional(Type.String()),
});

/**
 * Services, endpoints and regions are defined by Berth itself (one entry per service it serves), so
 * they are read-only here; writes answer 403 saying so.
 */
export function catalogRoutes(app: App, deps: IdentityDeps): void {
  const services = (req: Parameters<typeof baseUrl>[0]) => buildCatalog(baseUrl(req), deps.region);
  const svc = (req: Parameters<typeof baseUrl>[0], s: ReturnType<typeof services>[number]) =>
    ({ id: s.id, type: s.type, name: s.name, description: s.description, enabled: true, links: { self: `${v3(req)}/services/${s.id}` } });
  const endpoints = (req: Parameters<typeof baseUrl>[0]) =>
    services(req).flatMap((s) => s.endpoints.map((e) => ({
      id: e.id, interface: e.interface, region: e.region, region_id: e.region_id, service_id: s.id, url: e.url, enabled: true,
      links: { self: `${v3(req)}/endpoints/${e.id}` },
    })));

  app.get('/services', { schema: { querystring: ServiceQuery } }, async (req) => {
    enforce(deps.policy, req, 'identity:list_services');
    const type = req.query.type;
    return { services: services(req).filter((s) => !type || s.type === type).map((s) => svc(req, s)), links: listLinks(req) };
  });
  app.get('/services/:id', { schema: { params: IdParam } }, async (req) => {
    enforce(deps.policy, req, 'identity:get_service');
    const { id } = req.params;
    const s = services(req).find((x) => x.id === id);
    if (!s) throw notFoundError('service', id);
    return { service: svc(req, s) };
  });
  app.get('/endpoints', { schema: { querystring: EndpointQuery } }, async (req) => {
    enforce(deps.policy, req, 'identity:list_endpoints');
    const f = req.query;
    const list = endpoints(req).filter((e) => (!f.service_id || e.service_id === f.service_id) && (!f.interface || e.interface === f.interface) && (!f.region_id || e.region_id === f.region_id));
    return { endpoints: list, links: listLinks(req) };
  });
  app.get('/endpoints/:id', { schema: { params: IdParam } }, async (req) => {
    enforce(deps.policy, req, 'identity:get_endpoint');
    const { id } = req.params;
    const e = endpoints(req).find((x) => x.id === id);
    if (!e) throw notFoundError('endpoint', id);
    return { endpoint: e };
  });
  const region = (req: Parameters<typeof baseUrl>[0]) => ({ id: deps.region, description: '', parent_region_id: null, links: { self: `${v3(req)}/regions/${deps.region}` } });
  app.get('/regions', async (req) => {
    enforce(deps.policy, req, 'identity:list_regions');
    return { regions: [region(req)], links: listLinks(req) };
  });
  app.get('/regions/:id', { schema: { params: IdParam } }, async (req) => {
    enforce(deps.policy, req, 'identity:get_region');
    const { id } = req.params;
    if (id !== deps.region) throw notFoundError('region', id);
    return { region: region(req) };
  });

  const readOnly = async () => {
    throw new BerthError('forbidden', 'The service catalog is defined by Berth and cannot be changed through the API.');
  };
  for (const path of ['/services', '/endpoints', '/regions']) {
    app.post(path, async (req) => { enforce(deps.policy, req, `identity:create_${path.slice(1, -1)}`); return readOnly(); });
    app.patch(`${path}/:id`, { schema: { params: IdParam } }, async (req) => { enforce(deps.policy, req, `identity:update_${path.slice(1, -1)}`); return readOnly(); });
    app.delete(`${path}/:id`, { schema: { params: IdParam } }, async (req) => { enforce(deps.policy, req, `identity:delete_${path.slice(1, -1)}`); return readOnly(); });
  }
}
