import type { FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { BerthError } from '../../core/errors.js';
import { imageFitProblem } from '../../compute/flavors.js';
import { containerStatusesOf } from '../../compute/status.js';
import { imageActorOf } from '../../container/images.js';
import type { Actor } from '../../container/core.js';
import * as computeRepo from '../../store/compute-repo.js';
import * as containerRepo from '../../store/container-repo.js';
import type { ContainerRow } from '../../store/schema.js';
import type { App } from '../app-type.js';
import { enforce, isAdmin } from '../auth.js';
import { actorOf } from '../container/actor.js';
import { baseUrl } from '../server.js';
import type { ComputeDeps } from './deps.js';
import { imageIdOf, renderBrief, renderServer, type HostInfo } from './render.js';
import { ServerCreate, ServerId, ServerListQuery, ServerUpdate } from './schemas.js';

const lastSegment = (ref: string | number) => String(ref).replace(/\/+$/, '').split('/').pop() ?? '';
const truthy = (v: string | undefined) => v !== undefined && ['1', 'true', 'yes', 'on', 't'].includes(v.toLowerCase());

/** The compute face's view of the servers on a page: their rows of compute_servers and their hosts. */
export async function serverContext(deps: ComputeDeps, rows: ContainerRow[]) {
  const q = deps.db.kysely;
  const [servers, hosts] = await Promise.all([
    computeRepo.serversByUuid(q, rows.map((r) => r.uuid)),
    containerRepo.listHostsById(q, [...new Set(rows.flatMap((r) => (r.host_id ? [r.host_id] : [])))]),
  ]);
  return {
    server: new Map(servers.map((s) => [s.uuid, s])),
    host: new Map(hosts.map((h) => [h.id, { name: h.name, zone: h.zone }])) as Map<string, HostInfo>,
  };
}

/** A container the caller may see as a server (404 otherwise, another project's included). */
export async function findServer(deps: ComputeDeps, req: FastifyRequest, who: Actor, id: string): Promise<ContainerRow> {
  try {
    return await deps.core.get(who, id, { allProjects: who.admin });
  } catch (e) {
    if (e instanceof BerthError && e.code === 'not_found') throw new BerthError('not_found', `Instance ${id} could not be found.`);
    throw e;
  }
}

/** One server in Nova's detailed view. */
export async function renderOne(deps: ComputeDeps, req: FastifyRequest, c: ContainerRow) {
  const ctx = await serverContext(deps, [c]);
  return renderServer(req, c, ctx.server.get(c.uuid), c.host_id ? ctx.host.get(c.host_id) : undefined, showsHost(deps, req));
}

export const showsHost = (deps: ComputeDeps, req: FastifyRequest) =>
  deps.policy.check('os_compute_api:os-extended-server-attributes', { userId: req.auth.userId, projectId: req.auth.projectId, roles: req.auth.roles.map((r) => r.name) }, {});

/** Servers: create (a container through the core, image driver glance, the flavor's sizes), list, show, rename, delete. */
export function serverRoutes(app: App, deps: ComputeDeps): void {
  const q = () => deps.db.kysely;
  const who = (req: FastifyRequest) => actorOf(deps.policy, req);

  const render = (req: FastifyRequest, c: ContainerRow) => renderOne(deps, req, c);

  app.post('/servers', { schema: { body: ServerCreate } }, async (req, reply) => {
    enforce(deps.policy, req, 'os_compute_api:servers:create', { project_id: req.auth.projectId });
    const b = req.body.server;
    const actor = who(req);
    const flavorId = lastSegment(b.flavorRef);
    const flavor = await computeRepo.getFlavor(q(), flavorId);
    if (!flavor) throw new BerthError('bad_request', `Flavor ${flavorId} could not be found.`);
    if (!deps.images) throw new BerthError('bad_request', 'The image service is not available on this server.');
    const imageRef = lastSegment(b.imageRef);
    let image;
    try {
      image = (await deps.images.resolve(imageActorOf(actor), imageRef)).image;
    } catch (e) {
      if (e instanceof BerthError && e.code === 'not_found') throw new BerthError('bad_request', `Image ${imageRef} could not be found.`);
      throw e;
    }
    const fit = imageFitProblem(flavor, image);
    if (fit) throw new BerthError('bad_request', fit);
    const keyName = b.key_name ?? null;
    const key = keyName ? await computeRepo.getKeypair(q(), req.auth.userId, keyName) : undefined;
    if (keyName && !key) throw new BerthError('bad_request', `Invalid key_name provided: keypair ${keyName} was not found.`);
    let zone: string | undefined;
    let host: string | undefined;
    if (b.availability_zone) {
      const [z, h] = b.availability_zone.split(':', 2);
      zone = z || undefined;
      if (h) {
        enforce(deps.policy, req, 'os_compute_api:servers:create:forced_host', { project_id: req.auth.projectId });
        host = h;
      }
    }
    const minCount = Number(b.min_count ?? 1);
    const maxCount = Math.max(Number(b.max_count ?? minCount), minCount);
    const made: ContainerRow[] = [];
    try {
      for (let i = 1; i <= maxCount; i++) {
        const name = maxCount > 1 ? `${b.name}-${i}` : b.name;
        const metadata = JSON.stringify(b.metadata ?? {});
        made.push(await deps.core.create(actor, {
          name, image: image.id, imageDriver: 'glance', cpu: flavor.vcpus, memoryMb: flavor.ram, diskGb: flavor.disk, run: true,
          // A server is a machine that keeps running: its image's command gets a terminal and open stdin,
          // so a shell stays up and its console shows a prompt.
          spec: { image: image.id, cpu: flavor.vcpus, memoryMb: flavor.ram, hostname: name, tty: true, interactive: true, labels: { 'berth.compute.flavor': flavor.id } },
          placement: { cpu: flavor.vcpus, memoryMb: flavor.ram, diskGb: flavor.disk, zone, hints: { host } },
          extra: { flavor_id: flavor.id },
          onInsert: async (trx, row) => void await computeRepo.insertServer(trx, {
            uuid: row.uuid, project_id: row.project_id, flavor_id: flavor.id, image_id: image.id, key_name: keyName, metadata,
            suspended: 0, locked: 0, created_at: row.created_at,
          }),
        }));
      }
    } catch (e) {
      // Fewer than min_count: nothing stays.
      if (made.length < minCount) {
        for (const c of made) await deps.core.remove(actor, c.uuid, 'delete_force').catch(() => undefined);
        throw e;
      }
    }
    // The key goes into each server once it runs (after this answer).
    if (key && deps.keys) for (const c of made) void deps.keys.inject(actor, c.uuid, key.public_key);
    reply.code(202);
    return { server: { ...renderBrief(req, made[0]), 'OS-DCF:diskConfig': 'MANUAL', security_groups: [{ name: 'default' }], adminPass: '' } };
  });

  const list = (detail: boolean) => async (req: FastifyRequest<{ Querystring: Static<typeof ServerListQuery> }>) => {
    const f = req.query;
    const actor = who(req);
    const all = truthy(f.all_tenants) || ((f.project_id ?? f.tenant_id) !== undefined && actor.admin);
    if (all) enforce(deps.policy, req, 'os_compute_api:servers:index:get_all_tenants');
    else enforce(deps.policy, req, detail ? 'os_compute_api:servers:detail' : 'os_compute_api:servers:index', { project_id: req.auth.projectId });
    const admin = showsHost(deps, req);
    const hostId = f.host && admin ? (await containerRepo.getHostByName(q(), f.host))?.id ?? 'none' : undefined;
    let rows = await deps.core.list(actor, { allProjects: all, projectId: f.project_id ?? f.tenant_id, sortKey: 'created_at', sortDir: 'desc', hostId });
    const ctx = await serverContext(deps, rows);
    if (f.name) {
      let match: (s: string) => boolean;
      try {
        const re = new RegExp(f.name);
        match = (s) => re.test(s);
      } catch {
        match = (s) => s.includes(f.name!);
      }
      rows = rows.filter((r) => match(r.name));
    }
    if (f.status) {
      const statuses = containerStatusesOf(f.status);
      rows = rows.filter((r) => statuses.includes(r.status));
    }
    if (f.image) rows = rows.filter((r) => imageIdOf(r, ctx.server.get(r.uuid)) === lastSegment(f.image!));
    if (f.flavor) rows = rows.filter((r) => ctx.server.get(r.uuid)?.flavor_id === lastSegment(f.flavor!));
    if (f['changes-since']) {
      const since = Date.parse(f['changes-since']);
      if (Number.isNaN(since)) throw new BerthError('bad_request', `Invalid changes-since value: ${f['changes-since']}`);
      rows = rows.filter((r) => Date.parse(r.updated_at) >= since);
    }
    if (f.marker) {
      const at = rows.findIndex((r) => r.uuid === f.marker);
      if (at < 0) throw new BerthError('bad_request', `marker [${f.marker}] not found`);
      rows = rows.slice(at + 1);
    }
    const limit = f.limit !== undefined ? Math.min(f.limit, 1000) : undefined;
    const more = limit !== undefined && rows.length > limit;
    if (limit !== undefined) rows = rows.slice(0, limit);
    const servers = rows.map((r) => (detail ? renderServer(req, r, ctx.server.get(r.uuid), r.host_id ? ctx.host.get(r.host_id) : undefined, admin) : renderBrief(req, r)));
    const out: Record<string, unknown> = { servers };
    if (more && rows.length > 0) {
      const next = new URLSearchParams();
      for (const [k, v] of Object.entries(f)) if (k !== 'marker' && v !== undefined) next.set(k, String(v));
      next.set('marker', rows[rows.length - 1].uuid);
      out.servers_links = [{ rel: 'next', href: `${baseUrl(req)}/compute/v2.1/servers${detail ? '/detail' : ''}?${next.toString()}` }];
    }
    return out;
  };
  app.get('/servers', { schema: { querystring: ServerListQuery } }, list(false));
  app.get('/servers/detail', { schema: { querystring: ServerListQuery } }, list(true));

  app.get('/servers/:server_id', { schema: { params: ServerId } }, async (req) => {
    const c = await findServer(deps, req, who(req), req.params.server_id);
    enforce(deps.policy, req, 'os_compute_api:servers:show', { project_id: c.project_id });
    return { server: await render(req, c) };
  });

  app.put('/servers/:server_id', { schema: { params: ServerId, body: ServerUpdate } }, async (req) => {
    const actor = who(req);
    const c = await findServer(deps, req, actor, req.params.server_id);
    enforce(deps.policy, req, 'os_compute_api:servers:update', { project_id: c.project_id });
    const name = req.body.server.name;
    const row = name === undefined || name === c.name ? c : await deps.core.update(actor, c.uuid, { name });
    return { server: await render(req, row) };
  });

  app.delete('/servers/:server_id', { schema: { params: ServerId } }, async (req, reply) => {
    const actor = who(req);
    const c = await findServer(deps, req, actor, req.params.server_id);
    enforce(deps.policy, req, 'os_compute_api:servers:delete', { project_id: c.project_id });
    await requireUnlocked(deps, req, c);
    await deps.core.remove(actor, c.uuid, 'delete_force', { allProjects: actor.admin });
    return reply.code(204).send();
  });
}

/** A locked server refuses changes except from an admin (Nova's unlock_override). */
export async function requireUnlocked(deps: ComputeDeps, req: FastifyRequest, c: ContainerRow): Promise<void> {
  const s = await computeRepo.getServer(deps.db.kysely, c.uuid);
  if (s?.locked === 1 && !isAdmin(req)) throw new BerthError('conflict', `Instance ${c.uuid} is locked`);
}
