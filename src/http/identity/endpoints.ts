import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { App } from '../app-type.js';
import { BerthError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { deleteRefusal, interfaces, ownEndpoints, ownServices, type CatalogEndpointRecord } from '../../identity/catalog.js';
import * as cat from '../../store/catalog-repo.js';
import type { CatalogEndpointRow } from '../../store/schema.js';
import { enforce } from '../auth.js';
import { notFoundError } from '../errors.js';
import { baseUrl } from '../server.js';
import type { IdentityDeps } from './deps.js';
import { parseExtra } from './extra.js';
import { listLinks, v3 } from './render.js';
import { IdParam } from './schemas.js';

const Interface = Type.Union(interfaces.map((i) => Type.Literal(i)));
const Url = Type.String({ minLength: 1, maxLength: 1024 });
const RegionRef = Type.Union([Type.String({ minLength: 1, maxLength: 255 }), Type.Null()]);
const EndpointCreate = Type.Object({
  endpoint: Type.Object({
    service_id: Type.String({ minLength: 1, maxLength: 64 }),
    interface: Interface,
    url: Url,
    region_id: Type.Optional(RegionRef),
    region: Type.Optional(RegionRef),
    enabled: Type.Optional(Type.Boolean()),
  }, { additionalProperties: true }),
});
const EndpointUpdate = Type.Object({
  endpoint: Type.Object({
    service_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    interface: Type.Optional(Interface),
    url: Type.Optional(Url),
    region_id: Type.Optional(RegionRef),
    region: Type.Optional(RegionRef),
    enabled: Type.Optional(Type.Boolean()),
  }, { additionalProperties: true }),
});
const EndpointQuery = Type.Object({
  service_id: Type.Optional(Type.String()), interface: Type.Optional(Type.String()), region_id: Type.Optional(Type.String()),
});
const KNOWN = new Set(['id', 'service_id', 'interface', 'url', 'region_id', 'region', 'enabled', 'links', 'legacy_endpoint_id']);
const extraOf = (body: Record<string, unknown>) => Object.fromEntries(Object.entries(body).filter(([k]) => !KNOWN.has(k)));

export const endpointOfRow = (r: CatalogEndpointRow): CatalogEndpointRecord => ({
  id: r.id, service_id: r.service_id, region_id: r.region_id, interface: r.interface, url: r.url, enabled: r.enabled === 1,
  own: false, extra: parseExtra(r.extra),
});

/** Every endpoint of the catalog as seen from the request's address: Berth's own, then those admins registered. */
export async function allEndpoints(deps: IdentityDeps, req: FastifyRequest): Promise<CatalogEndpointRecord[]> {
  return [...ownEndpoints(baseUrl(req), deps.region), ...(await cat.listEndpoints(deps.db.kysely)).map(endpointOfRow)];
}

export const renderEndpoint = (req: FastifyRequest, e: CatalogEndpointRecord) => ({
  ...e.extra, id: e.id, interface: e.interface, region: e.region_id, region_id: e.region_id, service_id: e.service_id, url: e.url,
  enabled: e.enabled, links: { self: `${v3(req)}/endpoints/${e.id}` },
});

/** Endpoints: Berth's own (read-only) and those admins register for any service. */
export function endpointRoutes(app: App, deps: IdentityDeps): void {
  const q = () => deps.db.kysely;
  const load = async (req: FastifyRequest, id: string) => {
    const e = (await allEndpoints(deps, req)).find((x) => x.id === id);
    if (!e) throw notFoundError('endpoint', id);
    return e;
  };
  const checkRefs = async (serviceId: string | undefined, regionId: string | null | undefined) => {
    if (serviceId !== undefined && !ownServices().some((s) => s.id === serviceId) && !(await cat.getService(q(), serviceId))) {
      throw new BerthError('bad_request', `Could not find service: ${serviceId}.`);
    }
    if (regionId !== undefined && regionId !== null && regionId !== deps.region && !(await cat.getRegion(q(), regionId))) {
      throw new BerthError('bad_request', `Could not find region: ${regionId}.`);
    }
  };
  const regionOf = (b: { region_id?: string | null; region?: string | null }) => (b.region_id !== undefined ? b.region_id : b.region);
  // Keystone's legacy `region` attribute names a region that is made when it does not exist yet.
  const legacyRegion = async (b: { region_id?: string | null; region?: string | null }) => {
    const name = b.region_id === undefined ? b.region : undefined;
    if (!name || name === deps.region || (await cat.getRegion(q(), name))) return;
    await cat.insertRegion(q(), { id: name, description: '', parent_region_id: null, extra: '{}' });
  };

  app.get('/endpoints', { schema: { querystring: EndpointQuery } }, async (req) => {
    enforce(deps.policy, req, 'identity:list_endpoints');
    const f = req.query;
    const list = (await allEndpoints(deps, req)).filter((e) => (f.service_id === undefined || e.service_id === f.service_id)
      && (f.interface === undefined || e.interface === f.interface) && (f.region_id === undefined || e.region_id === f.region_id));
    return { endpoints: list.map((e) => renderEndpoint(req, e)), links: listLinks(req) };
  });
  app.get('/endpoints/:id', { schema: { params: IdParam } }, async (req) => {
    enforce(deps.policy, req, 'identity:get_endpoint');
    return { endpoint: renderEndpoint(req, await load(req, req.params.id)) };
  });
  app.post('/endpoints', { schema: { body: EndpointCreate } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:create_endpoint');
    const b = req.body.endpoint;
    const regionId = regionOf(b) ?? null;
    await checkRefs(b.service_id, undefined);
    await legacyRegion(b);
    await checkRefs(undefined, regionId);
    const row: CatalogEndpointRow = {
      id: newId(), service_id: b.service_id, region_id: regionId, interface: b.interface, url: b.url,
      enabled: b.enabled === false ? 0 : 1, extra: JSON.stringify(extraOf(b)),
    };
    await cat.insertEndpoint(q(), row);
    reply.code(201);
    return { endpoint: renderEndpoint(req, endpointOfRow(row)) };
  });
  app.patch('/endpoints/:id', { schema: { params: IdParam, body: EndpointUpdate } }, async (req) => {
    enforce(deps.policy, req, 'identity:update_endpoint');
    const { id } = req.params;
    const e = await load(req, id);
    if (e.own) throw new BerthError('forbidden', `Endpoint ${id} is one Berth serves itself and cannot be changed.`);
    const b = req.body.endpoint;
    const regionId = regionOf(b);
    await checkRefs(b.service_id, undefined);
    await legacyRegion(b);
    await checkRefs(undefined, regionId);
    const row: CatalogEndpointRow = {
      id, service_id: b.service_id ?? e.service_id, region_id: regionId === undefined ? e.region_id : regionId,
      interface: b.interface ?? e.interface, url: b.url ?? e.url, enabled: (b.enabled ?? e.enabled) ? 1 : 0,
      extra: JSON.stringify({ ...e.extra, ...extraOf(b) }),
    };
    const { id: _id, ...set } = row;
    await cat.updateEndpoint(q(), id, set);
    return { endpoint: renderEndpoint(req, endpointOfRow(row)) };
  });
  app.delete('/endpoints/:id', { schema: { params: IdParam } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:delete_endpoint');
    const { id } = req.params;
    const refusal = deleteRefusal('endpoint', id, deps.region);
    if (refusal) throw new BerthError('forbidden', refusal);
    if (!(await cat.deleteEndpoint(q(), id))) throw notFoundError('endpoint', id);
    return reply.code(204).send();
  });
}
