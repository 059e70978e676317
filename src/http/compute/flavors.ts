import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BerthError } from '../../core/errors.js';
import { newUuid } from '../../core/ids.js';
import { flavorProblem } from '../../compute/flavors.js';
import * as repo from '../../store/compute-repo.js';
import type { FlavorRow } from '../../store/schema.js';
import { isUniqueViolation } from '../../store/db.js';
import type { App } from '../app-type.js';
import { enforce, isAdmin } from '../auth.js';
import type { ComputeDeps } from './deps.js';
import { linksOf } from './links.js';

const FlavorId = Type.Object({ flavor_id: Type.String({ minLength: 1, maxLength: 255 }) });
const SpecKey = Type.Object({ flavor_id: Type.String({ minLength: 1, maxLength: 255 }), key: Type.String({ minLength: 1, maxLength: 255 }) });
const ListQuery = Type.Object({
  is_public: Type.Optional(Type.String({ maxLength: 16 })),
  minRam: Type.Optional(Type.Integer({ minimum: 0 })),
  minDisk: Type.Optional(Type.Integer({ minimum: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 0 })),
  marker: Type.Optional(Type.String({ maxLength: 255 })),
  sort_key: Type.Optional(Type.String({ maxLength: 64 })),
  sort_dir: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
}, { additionalProperties: false });
const Size = Type.Union([Type.Integer(), Type.String({ pattern: '^[0-9]{1,9}$' })]);
const FlavorCreate = Type.Object({
  flavor: Type.Object({
    name: Type.String({ minLength: 1, maxLength: 255, pattern: '\\S' }),
    id: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9._ -]+$' }), Type.Null()])),
    ram: Size,
    vcpus: Size,
    disk: Size,
    'OS-FLV-EXT-DATA:ephemeral': Type.Optional(Size),
    swap: Type.Optional(Type.Union([Size, Type.Literal('')])),
    rxtx_factor: Type.Optional(Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.String({ pattern: '^[0-9.]+$' })])),
    'os-flavor-access:is_public': Type.Optional(Type.Boolean()),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 65535 }), Type.Null()])),
  }, { additionalProperties: false }),
}, { additionalProperties: false });

export function renderFlavor(req: FastifyRequest, f: FlavorRow, detail: boolean) {
  const brief = { id: f.id, name: f.name, links: linksOf(req, `flavors/${f.id}`) };
  if (!detail) return brief;
  return {
    ...brief, ram: f.ram, disk: f.disk, vcpus: f.vcpus, swap: f.swap === 0 ? '' : f.swap, rxtx_factor: f.rxtx_factor,
    'OS-FLV-EXT-DATA:ephemeral': f.ephemeral, 'OS-FLV-DISABLED:disabled': false, 'os-flavor-access:is_public': f.is_public === 1,
  };
}

const missing = (id: string) => new BerthError('not_found', `Flavor ${id} could not be found.`);

/** Flavors: list and detail (public ones, all for admins), show, create and delete (admin), extra specs (read). */
export function flavorRoutes(app: App, deps: ComputeDeps): void {
  const q = () => deps.db.kysely;
  const get = async (req: FastifyRequest, id: string) => {
    const f = await repo.getFlavor(q(), id);
    if (!f || (f.is_public === 0 && !isAdmin(req))) throw missing(id);
    return f;
  };
  const list = (detail: boolean) => async (req: FastifyRequest<{ Querystring: typeof ListQuery.static }>) => {
    enforce(deps.policy, req, 'os_compute_api:flavors:index');
    const f = req.query;
    const wanted = (f.is_public ?? 'true').toLowerCase();
    // Nova: is_public=None lists all (admins); anyone else sees the public flavors only.
    const isPublic = !isAdmin(req) ? true : wanted === 'none' ? undefined : !['false', '0', 'no', 'f'].includes(wanted);
    if (f.marker !== undefined && !(await repo.getFlavor(q(), f.marker))) throw new BerthError('bad_request', `marker [${f.marker}] not found`);
    const rows = await repo.listFlavors(q(), { isPublic, minRam: f.minRam, minDisk: f.minDisk, marker: f.marker, limit: f.limit });
    return { flavors: rows.map((r) => renderFlavor(req, r, detail)) };
  };
  app.get('/flavors', { schema: { querystring: ListQuery } }, list(false));
  app.get('/flavors/detail', { schema: { querystring: ListQuery } }, list(true));
  app.get('/flavors/:flavor_id', { schema: { params: FlavorId } }, async (req) => {
    enforce(deps.policy, req, 'os_compute_api:flavors:show');
    return { flavor: renderFlavor(req, await get(req, req.params.flavor_id), true) };
  });

  app.post('/flavors', { schema: { body: FlavorCreate } }, async (req) => {
    enforce(deps.policy, req, 'os_compute_api:os-flavor-manage:create');
    const b = req.body.flavor;
    const sizes = { vcpus: Number(b.vcpus), ram: Number(b.ram), disk: Number(b.disk) };
    const problem = flavorProblem(sizes);
    if (problem) throw new BerthError('bad_request', problem);
    const id = b.id && b.id !== 'auto' ? b.id : newUuid();
    const row: FlavorRow = {
      id, name: b.name.trim(), ...sizes, ephemeral: Number(b['OS-FLV-EXT-DATA:ephemeral'] ?? 0), swap: Number(b.swap || 0),
      rxtx_factor: Number(b.rxtx_factor ?? 1), is_public: b['os-flavor-access:is_public'] === false ? 0 : 1,
      description: b.description ?? null, extra_specs: '{}', created_at: new Date().toISOString(),
    };
    if (!Number.isFinite(row.rxtx_factor) || row.rxtx_factor <= 0) throw new BerthError('bad_request', 'Invalid input for field/attribute rxtx_factor.');
    try {
      await repo.insertFlavor(q(), row);
    } catch (e) {
      if (isUniqueViolation(e)) throw new BerthError('conflict', `Flavor with name ${row.name} or ID ${id} already exists.`);
      throw e;
    }
    return { flavor: renderFlavor(req, row, true) };
  });

  app.delete('/flavors/:flavor_id', { schema: { params: FlavorId } }, async (req, reply) => {
    enforce(deps.policy, req, 'os_compute_api:os-flavor-manage:delete');
    if (!(await repo.deleteFlavor(q(), req.params.flavor_id))) throw missing(req.params.flavor_id);
    return reply.code(202).send();
  });

  app.get('/flavors/:flavor_id/os-extra_specs', { schema: { params: FlavorId } }, async (req) => {
    enforce(deps.policy, req, 'os_compute_api:os-flavor-extra-specs:index');
    return { extra_specs: JSON.parse((await get(req, req.params.flavor_id)).extra_specs) as Record<string, string> };
  });
  app.get('/flavors/:flavor_id/os-extra_specs/:key', { schema: { params: SpecKey } }, async (req) => {
    enforce(deps.policy, req, 'os_compute_api:os-flavor-extra-specs:show');
    const specs = JSON.parse((await get(req, req.params.flavor_id)).extra_specs) as Record<string, string>;
    if (!Object.hasOwn(specs, req.params.key)) throw new BerthError('not_found', `Flavor ${req.params.flavor_id} has no extra specs with key ${req.params.key}.`);
    return { [req.params.key]: specs[req.params.key] };
  });
}
