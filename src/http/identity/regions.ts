import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { App } from '../app-type.js';
import { BerthError } from '../../core/errors.js';
import { newUuid } from '../../core/ids.js';
import { deleteRefusal } from '../../identity/catalog.js';
import { isUniqueViolation } from '../../store/db.js';
import * as cat from '../../store/catalog-repo.js';
import type { CatalogRegionRow } from '../../store/schema.js';
import { enforce } from '../auth.js';
import { notFoundError } from '../errors.js';
import type { IdentityDeps } from './deps.js';
import { parseExtra } from './extra.js';
import { listLinks, v3 } from './render.js';
import { IdParam } from './schemas.js';

const RegionId = Type.String({ minLength: 1, maxLength: 255 });
const RegionBody = Type.Object({
  id: Type.Optional(RegionId),
  description: Type.Optional(Type.String({ maxLength: 255 })),
  parent_region_id: Type.Optional(Type.Union([RegionId, Type.Null()])),
}, { additionalProperties: true });
const RegionCreate = Type.Object({ region: RegionBody });
const RegionQuery = Type.Object({ parent_region_id: Type.Optional(Type.String()) });
const KNOWN = new Set(['id', 'description', 'parent_region_id', 'links']);

const extraOf = (body: Record<string, unknown>) => Object.fromEntries(Object.entries(body).filter(([k]) => !KNOWN.has(k)));

/** Regions: Berth's own (where its endpoints are) and those admins add, optionally under a parent region. */
export function regionRoutes(app: App, deps: IdentityDeps): void {
  const q = () => deps.db.kysely;
  const own = (): CatalogRegionRow => ({ id: deps.region, description: '', parent_region_id: null, extra: '{}' });
  const render = (req: FastifyRequest, r: CatalogRegionRow) => ({
    ...parseExtra(r.extra), id: r.id, description: r.description, parent_region_id: r.parent_region_id,
    links: { self: `${v3(req)}/regions/${r.id}` },
  });
  const find = async (id: string) => (id === deps.region ? own() : await cat.getRegion(q(), id));
  const load = async (id: string) => {
    const r = await find(id);
    if (!r) throw notFoundError('region', id);
    return r;
  };
  const checkParent = async (id: string, parent: string | null | undefined) => {
    if (parent === undefined || parent === null) return;
    if (parent === id) throw new BerthError('bad_request', `Region ${id} cannot be its own parent.`);
    // Walk up from the parent: reaching `id` would make a cycle.
    let at: string | null = parent;
    for (let depth = 0; at !== null && depth < 100; depth++) {
      const r = await find(at);
      if (!r) throw new BerthError('bad_request', `Could not find region: ${at}.`);
      if (r.id === id) throw new BerthError('bad_request', `Region ${parent} is under region ${id}; it cannot be its parent.`);
      at = r.parent_region_id;
    }
  };
  const create = async (req: FastifyRequest, id: string, body: Record<string, unknown> & { description?: string; parent_region_id?: string | null }) => {
    if (await find(id)) throw new BerthError('conflict', `Conflict occurred attempting to store region - Duplicate ID, ${id}.`);
    await checkParent(id, body.parent_region_id);
    const row: CatalogRegionRow = { id, description: body.description ?? '', parent_region_id: body.parent_region_id ?? null, extra: JSON.stringify(extraOf(body)) };
    try {
      await cat.insertRegion(q(), row);
    } catch (e) {
      if (isUniqueViolation(e)) throw new BerthError('conflict', `Conflict occurred attempting to store region - Duplicate ID, ${id}.`);
      throw e;
    }
    return { region: render(req, row) };
  };

  app.get('/regions', { schema: { querystring: RegionQuery } }, async (req) => {
    enforce(deps.policy, req, 'identity:list_regions');
    const parent = req.query.parent_region_id;
    const all = [own(), ...(await cat.listRegions(q()))].filter((r) => parent === undefined || r.parent_region_id === parent);
    return { regions: all.map((r) => render(req, r)), links: listLinks(req) };
  });
  app.get('/regions/:id', { schema: { params: IdParam } }, async (req) => {
    enforce(deps.policy, req, 'identity:get_region');
    return { region: render(req, await load(req.params.id)) };
  });
  app.post('/regions', { schema: { body: RegionCreate } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:create_region');
    const body = req.body.region;
    reply.code(201);
    return create(req, body.id ?? newUuid(), body);
  });
  app.put('/regions/:id', { schema: { params: IdParam, body: RegionCreate } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:create_region');
    const body = req.body.region;
    if (body.id !== undefined && body.id !== req.params.id) throw new BerthError('bad_request', 'The region id in the body does not match the one in the URL.');
    reply.code(201);
    return create(req, req.params.id, body);
  });
  app.patch('/regions/:id', { schema: { params: IdParam, body: RegionCreate } }, async (req) => {
    enforce(deps.policy, req, 'identity:update_region');
    const { id } = req.params;
    const r = await load(id);
    const body = req.body.region;
    if (body.id !== undefined && body.id !== id) throw new BerthError('bad_request', 'The id of a region cannot be changed.');
    if (id === deps.region) throw new BerthError('forbidden', `Region ${id} holds Berth's own endpoints and cannot be changed.`);
    await checkParent(id, body.parent_region_id);
    const next: CatalogRegionRow = {
      id, description: body.description ?? r.description,
      parent_region_id: body.parent_region_id === undefined ? r.parent_region_id : body.parent_region_id,
      extra: JSON.stringify({ ...parseExtra(r.extra), ...extraOf(body) }),
    };
    await cat.updateRegion(q(), id, { description: next.description, parent_region_id: next.parent_region_id, extra: next.extra });
    return { region: render(req, next) };
  });
  app.delete('/regions/:id', { schema: { params: IdParam } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:delete_region');
    const { id } = req.params;
    await load(id);
    const inUse = (await cat.countEndpointsInRegion(q(), id)) + (await cat.countChildRegions(q(), id));
    const refusal = deleteRefusal('region', id, deps.region, inUse);
    if (refusal) throw new BerthError('forbidden', refusal);
    if (!(await cat.deleteRegion(q(), id))) throw notFoundError('region', id);
    return reply.code(204).send();
  });
}
