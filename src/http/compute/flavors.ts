import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BerthError } from '../../core/errors.js';
import { newUuid } from '../../core/ids.js';
import { extraSizeProblem, flavorIdOf, flavorProblem, isPublicFilter, sizeOf, specsProblem, specText, strictBool } from '../../compute/flavors.js';
import * as computeRepo from '../../store/compute-repo.js';
import * as flavorRepo from '../../store/flavor-repo.js';
import { getProject } from '../../store/identity-repo.js';
import type { FlavorRow } from '../../store/schema.js';
import { isUniqueViolation } from '../../store/db.js';
import type { App } from '../app-type.js';
import { enforce, isAdmin } from '../auth.js';
import type { ComputeDeps } from './deps.js';
import { linksOf } from './links.js';

const FlavorId = Type.Object({ flavor_id: Type.String({ minLength: 1, maxLength: 255 }) });
const SpecKey = Type.Object({ flavor_id: Type.String({ minLength: 1, maxLength: 255 }), key: Type.String({ minLength: 1, maxLength: 255 }) });
/** Nova's flavor sort keys Berth has, and the flavor field each sorts by. */
const SORT_KEYS = { flavorid: 'id', id: 'id', name: 'name', memory_mb: 'ram', vcpus: 'vcpus', root_gb: 'disk' } as const;
const ListQuery = Type.Object({
  is_public: Type.Optional(Type.String({ maxLength: 16 })),
  minRam: Type.Optional(Type.Integer({ minimum: 0 })),
  minDisk: Type.Optional(Type.Integer({ minimum: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 0 })),
  marker: Type.Optional(Type.String({ maxLength: 255 })),
  sort_key: Type.Optional(Type.Union(Object.keys(SORT_KEYS).map((k) => Type.Literal(k)))),
  sort_dir: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
}, { additionalProperties: false });
// Nova's create schema: sizes as integers or digit strings; is_public a boolean or the words Nova reads as one.
const Size = Type.Union([Type.Integer({ minimum: 0, maximum: 2147483647 }), Type.String({ pattern: '^[0-9]{1,10}$' })]);
const BOOL_WORDS = ['True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no'];
const FlavorCreate = Type.Object({
  flavor: Type.Object({
    name: Type.String({ minLength: 1, maxLength: 255, pattern: '^\\S(?:[\\s\\S]*\\S)?$' }),
    id: Type.Optional(Type.Union([
      Type.String({ minLength: 1, maxLength: 255, pattern: '^(?! )[a-zA-Z0-9. _-]+(?<! )$' }), Type.Integer({ minimum: 0 }), Type.Null(),
    ])),
    ram: Size,
    vcpus: Size,
    disk: Size,
    'OS-FLV-EXT-DATA:ephemeral': Type.Optional(Size),
    swap: Type.Optional(Type.Union([Size, Type.Literal('')])),
    rxtx_factor: Type.Optional(Type.Union([Type.Number(), Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?$' })])),
    'os-flavor-access:is_public': Type.Optional(Type.Union([Type.Boolean(), Type.Union(BOOL_WORDS.map((w) => Type.Literal(w)))])),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 65535 }), Type.Null()])),
  }, { additionalProperties: false }),
}, { additionalProperties: false });
const Tenant = Type.Object({ tenant: Type.String({ minLength: 1, maxLength: 255 }) }, { additionalProperties: false });
const FlavorAction = Type.Object({
  addTenantAccess: Type.Optional(Tenant),
  removeTenantAccess: Type.Optional(Tenant),
}, { additionalProperties: false, minProperties: 1, maxProperties: 1 });
const SpecValue = Type.Union([Type.String({ maxLength: 255 }), Type.Number(), Type.Boolean()]);
const SPEC_KEY = '^[a-zA-Z0-9-_:. ]{1,255}$';
const Specs = Type.Object({}, { patternProperties: { [SPEC_KEY]: SpecValue }, additionalProperties: false });
const SpecsBody = Type.Object({ extra_specs: Specs }, { additionalProperties: false });
const OneSpec = Type.Object({}, { patternProperties: { [SPEC_KEY]: SpecValue }, additionalProperties: false, minProperties: 1, maxProperties: 1 });
type SpecMap = Record<string, string | number | boolean>;

export function renderFlavor(req: FastifyRequest, f: FlavorRow, detail: boolean) {
  const brief = { id: f.id, name: f.name, links: linksOf(req, `flavors/${f.id}`) };
  if (!detail) return brief;
  return {
    ...brief, ram: f.ram, disk: f.disk, vcpus: f.vcpus, swap: f.swap === 0 ? '' : f.swap, rxtx_factor: f.rxtx_factor,
    'OS-FLV-EXT-DATA:ephemeral': f.ephemeral, 'OS-FLV-DISABLED:disabled': false, 'os-flavor-access:is_public': f.is_public === 1,
  };
}

const missing = (id: string) => new BerthError('not_found', `Flavor ${id} could not be found.`);
const noSpec = (id: string, key: string) => new BerthError('not_found', `Flavor ${id} has no extra specs with key ${key}.`);

/**
 * Flavors: list and detail (public ones and the private ones the caller's project may use; admins choose
 * with is_public), show, create and delete (admin), the access list of private flavors, extra specs.
 */
export function flavorRoutes(app: App, deps: ComputeDeps): void {
  const q = () => deps.db.kysely;
  const get = async (req: FastifyRequest, id: string) => {
    const f = await flavorRepo.getVisibleFlavor(q(), id, req.auth.projectId ?? '', isAdmin(req));
    if (!f) throw missing(id);
    return f;
  };
  const list = (detail: boolean) => async (req: FastifyRequest<{ Querystring: typeof ListQuery.static }>) => {
    enforce(deps.policy, req, 'os_compute_api:flavors:index');
    const f = req.query;
    const filter = isPublicFilter(f.is_public, isAdmin(req));
    if ('error' in filter) throw new BerthError('bad_request', filter.error);
    if (f.marker !== undefined && !(await flavorRepo.getVisibleFlavor(q(), f.marker, req.auth.projectId ?? '', isAdmin(req)))) {
      throw new BerthError('bad_request', `marker [${f.marker}] not found`);
    }
    const key = SORT_KEYS[(f.sort_key ?? 'flavorid') as keyof typeof SORT_KEYS];
    const byId = key === 'id' && f.sort_dir !== 'desc';
    let rows = await flavorRepo.listVisibleFlavors(q(), {
      isPublic: filter.value, projectId: req.auth.projectId ?? '', minRam: f.minRam, minDisk: f.minDisk,
      ...(byId ? { marker: f.marker, limit: f.limit } : {}),
    });
    if (!byId) {
      // Another order: sorted here (flavors are few), then paged after the marker.
      const dir = f.sort_dir === 'desc' ? -1 : 1;
      rows = [...rows].sort((a, b) => (a[key] < b[key] ? -dir : a[key] > b[key] ? dir : a.id < b.id ? -1 : 1));
      if (f.marker !== undefined) rows = rows.slice(rows.findIndex((r) => r.id === f.marker) + 1);
      if (f.limit !== undefined) rows = rows.slice(0, f.limit);
    }
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
    const sizes = { vcpus: sizeOf(b.vcpus, Number.NaN), ram: sizeOf(b.ram, Number.NaN), disk: sizeOf(b.disk, Number.NaN) };
    const more = { ephemeral: sizeOf(b['OS-FLV-EXT-DATA:ephemeral'], 0), swap: sizeOf(b.swap, 0), rxtx_factor: Number(b.rxtx_factor ?? 1) };
    const problem = flavorProblem(sizes) ?? extraSizeProblem(more);
    if (problem) throw new BerthError('bad_request', problem);
    const id = flavorIdOf(b.id) ?? newUuid();
    const isPublic = b['os-flavor-access:is_public'] === undefined ? true : strictBool(b['os-flavor-access:is_public']) !== false;
    const row: FlavorRow = {
      id, name: b.name, ...sizes, ...more, is_public: isPublic ? 1 : 0,
      description: b.description ?? null, extra_specs: '{}', created_at: new Date().toISOString(),
    };
    const taken = (what: string) => new BerthError('conflict', `Flavor with ${what} already exists.`);
    if (await computeRepo.getFlavorByName(q(), row.name)) throw taken(`name ${row.name}`);
    if (await computeRepo.getFlavor(q(), id)) throw taken(`ID ${id}`);
    try {
      await computeRepo.insertFlavor(q(), row);
    } catch (e) {
      if (isUniqueViolation(e)) throw taken(`name ${row.name} or ID ${id}`);
      throw e;
    }
    return { flavor: renderFlavor(req, row, true) };
  });

  app.delete('/flavors/:flavor_id', { schema: { params: FlavorId } }, async (req, reply) => {
    enforce(deps.policy, req, 'os_compute_api:os-flavor-manage:delete');
    // Servers keep their flavor id; they are shown with it after the flavor is gone, as Nova shows its copy.
    if (!(await flavorRepo.deleteFlavor(deps.db, req.params.flavor_id))) throw missing(req.params.flavor_id);
    return reply.code(202).send();
  });

  const accessList = async (flavorId: string) => ({
    flavor_access: (await flavorRepo.listAccess(q(), flavorId)).map((a) => ({ flavor_id: a.flavor_id, tenant_id: a.project_id })),
  });
  app.get('/flavors/:flavor_id/os-flavor-access', { schema: { params: FlavorId } }, async (req) => {
    enforce(deps.policy, req, 'os_compute_api:os-flavor-access');
    const f = await get(req, req.params.flavor_id);
    if (f.is_public === 1) throw new BerthError('not_found', 'Access list not available for public flavors.');
    return accessList(f.id);
  });
  app.post('/flavors/:flavor_id/action', { schema: { params: FlavorId, body: FlavorAction } }, async (req) => {
    const add = req.body.addTenantAccess;
    const tenant = (add ?? req.body.removeTenantAccess)!.tenant;
    enforce(deps.policy, req, add ? 'os_compute_api:os-flavor-access:add_tenant_access' : 'os_compute_api:os-flavor-access:remove_tenant_access');
    if (!(await getProject(q(), tenant))) throw new BerthError('bad_request', `Project ID ${tenant} is not a valid project.`);
    const f = await get(req, req.params.flavor_id);
    if (add) {
      if (f.is_public === 1) throw new BerthError('conflict', 'Can not add access to a public flavor.');
      try {
        await flavorRepo.addAccess(q(), f.id, tenant);
      } catch (e) {
        if (isUniqueViolation(e)) throw new BerthError('conflict', `Flavor access already exists for flavor ${f.id} and project ${tenant} combination.`);
        throw e;
      }
    } else if (!(await flavorRepo.removeAccess(q(), f.id, tenant))) {
      throw new BerthError('not_found', `Flavor access not found for ${f.id} / ${tenant} combination.`);
    }
    return accessList(f.id);
  });

  app.get('/flavors/:flavor_id/os-extra_specs', { schema: { params: FlavorId } }, async (req) => {
    enforce(deps.policy, req, 'os_compute_api:os-flavor-extra-specs:index');
    return { extra_specs: await flavorRepo.extraSpecs(q(), (await get(req, req.params.flavor_id)).id) };
  });
  const writeSpecs = async (flavorId: string, given: SpecMap) => {
    const problem = specsProblem(given);
    if (problem) throw new BerthError('bad_request', problem);
    const specs = Object.fromEntries(Object.entries(given).map(([k, v]) => [k, specText(v)]));
    await deps.db.tx((t) => flavorRepo.setExtraSpecs(t, flavorId, specs));
    return specs;
  };
  app.post('/flavors/:flavor_id/os-extra_specs', { schema: { params: FlavorId, body: SpecsBody } }, async (req) => {
    enforce(deps.policy, req, 'os_compute_api:os-flavor-extra-specs:create');
    const f = await get(req, req.params.flavor_id);
    return { extra_specs: await writeSpecs(f.id, req.body.extra_specs) };
  });
  app.get('/flavors/:flavor_id/os-extra_specs/:key', { schema: { params: SpecKey } }, async (req) => {
    enforce(deps.policy, req, 'os_compute_api:os-flavor-extra-specs:show');
    const specs = await flavorRepo.extraSpecs(q(), (await get(req, req.params.flavor_id)).id);
    if (!Object.hasOwn(specs, req.params.key)) throw noSpec(req.params.flavor_id, req.params.key);
    return { [req.params.key]: specs[req.params.key] };
  });
  app.put('/flavors/:flavor_id/os-extra_specs/:key', { schema: { params: SpecKey, body: OneSpec } }, async (req) => {
    enforce(deps.policy, req, 'os_compute_api:os-flavor-extra-specs:update');
    const body = req.body as SpecMap;
    if (!Object.hasOwn(body, req.params.key)) throw new BerthError('bad_request', 'Request body and URI mismatch');
    const f = await get(req, req.params.flavor_id);
    return writeSpecs(f.id, body);
  });
  app.delete('/flavors/:flavor_id/os-extra_specs/:key', { schema: { params: SpecKey } }, async (req, reply) => {
    enforce(deps.policy, req, 'os_compute_api:os-flavor-extra-specs:delete');
    const f = await get(req, req.params.flavor_id);
    if (!(await flavorRepo.deleteExtraSpec(q(), f.id, req.params.key))) throw noSpec(req.params.flavor_id, req.params.key);
    return reply.code(200).send();
  });
}
