import { randomBytes } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { BerthError } from '../../core/errors.js';
import { imageFitProblem } from '../../compute/flavors.js';
import { metadataItemsProblem } from '../../compute/quota.js';
import { isAllTenants, isContainerName, parseIsoTime, serverStateOf } from '../../compute/status.js';
import { imageActorOf } from '../../container/images.js';
import type { Actor } from '../../container/core.js';
import * as computeRepo from '../../store/compute-repo.js';
import * as flavorRepo from '../../store/flavor-repo.js';
import * as containerRepo from '../../store/container-repo.js';
import type { ContainerRow } from '../../store/schema.js';
import type { App } from '../app-type.js';
import { enforce, isAdmin } from '../auth.js';
import { actorOf } from '../container/actor.js';
import { baseUrl } from '../server.js';
import type { ComputeDeps } from './deps.js';
import { displayNameOf, imageIdOf, renderBrief, renderServer, type HostInfo } from './render.js';
import { ensureServerRow } from './actions.js';
import { ServerCreate, ServerId, ServerListQuery, ServerUpdate } from './schemas.js';

const lastSegment = (ref: string | number) => String(ref).replace(/\/+$/, '').split('/').pop() ?? '';
const isBase64 = (v: string) => /^[A-Za-z0-9+/\s]*={0,2}$/.test(v) && v.replace(/\s/g, '').length % 4 === 0;
const generatedName = () => `server-${randomBytes(4).toString('hex')}`;

/** The access addresses of a create or update body, checked (Nova's 400 for a malformed one). */
function accessIps(b: { accessIPv4?: string; accessIPv6?: string }): { access_ipv4?: string; access_ipv6?: string } {
  const out: { access_ipv4?: string; access_ipv6?: string } = {};
  if (b.accessIPv4 !== undefined) {
    if (b.accessIPv4 !== '' && !isIPv4(b.accessIPv4)) throw new BerthError('bad_request', `Invalid input for field/attribute accessIPv4. Value: ${b.accessIPv4}. '${b.accessIPv4}' is not a 'ipv4'`);
    out.access_ipv4 = b.accessIPv4;
  }
  if (b.accessIPv6 !== undefined) {
    if (b.accessIPv6 !== '' && !isIPv6(b.accessIPv6)) throw new BerthError('bad_request', `Invalid input for field/attribute accessIPv6. Value: ${b.accessIPv6}. '${b.accessIPv6}' is not a 'ipv6'`);
    // Stored in its short form, as Nova does (0:0:0:0:0:babe:220.12.22.2 is ::babe:dc0c:1602).
    out.access_ipv6 = b.accessIPv6 === '' ? '' : new URL(`http://[${b.accessIPv6}]/`).hostname.slice(1, -1);
  }
  return out;
}

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
    // A private flavor the project has no access to is not found (Nova's words).
    const flavor = await flavorRepo.getVisibleFlavor(q(), flavorId, req.auth.projectId ?? '', isAdmin(req));
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
      if (zone && !(await containerRepo.listHosts(q())).some((h) => h.zone === zone)) throw new BerthError('bad_request', 'The requested availability zone is not available');
      if (h) {
        enforce(deps.policy, req, 'os_compute_api:servers:create:forced_host', { project_id: req.auth.projectId });
        host = h;
      }
    }
    const minCount = Number(b.min_count ?? 1);
    const maxCount = Number(b.max_count ?? minCount);
    if (b.min_count !== undefined && b.max_count !== undefined && minCount > maxCount) throw new BerthError('bad_request', 'min_count must be <= max_count');
    const access = accessIps(b);
    if (b.user_data !== undefined && !isBase64(b.user_data)) throw new BerthError('bad_request', 'User data needs to be valid base 64.');
    const over = metadataItemsProblem(Object.keys(b.metadata ?? {}).length);
    if (over) throw new BerthError('quota_exceeded', over);
    const made: ContainerRow[] = [];
    try {
      for (let i = 1; i <= Math.max(maxCount, minCount); i++) {
        const displayName = maxCount > 1 ? `${b.name}-${i}` : b.name;
        const metadata = JSON.stringify(b.metadata ?? {});
        const create = (name: string) => deps.core.create(actor, {
          name, image: image.id, imageDriver: 'glance', cpu: flavor.vcpus, memoryMb: flavor.ram, diskGb: flavor.disk, run: true,
          // A server is a machine that keeps running: its image's command gets a terminal and open stdin,
          // so a shell stays up and its console shows a prompt.
          spec: { image: image.id, cpu: flavor.vcpus, memoryMb: flavor.ram, hostname: name, tty: true, interactive: true, labels: { 'berth.compute.flavor': flavor.id } },
          placement: { cpu: flavor.vcpus, memoryMb: flavor.ram, diskGb: flavor.disk, zone, hints: { host } },
          extra: { flavor_id: flavor.id },
          onInsert: async (trx, row) => void await computeRepo.insertServer(trx, {
            uuid: row.uuid, project_id: row.project_id, flavor_id: flavor.id, image_id: image.id, key_name: keyName, metadata,
            suspended: 0, locked: 0, created_at: row.created_at, display_name: displayName, ...access,
          }),
        });
        // Nova's names are free text and need not be unique; the container takes the name when Docker
        // can, and a generated one otherwise.
        made.push(await create(isContainerName(displayName) ? displayName : generatedName()).catch((e: unknown) => {
          if (e instanceof BerthError && e.code === 'name_taken') return create(generatedName());
          throw e;
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
    if (b.return_reservation_id === true || (typeof b.return_reservation_id === 'string' && isAllTenants(b.return_reservation_id))) {
      return { reservation_id: `r-${made[0].uuid.slice(0, 8)}` };
    }
    // No adminPass: a container has no password to set (Nova's enable_instance_password off).
    const { id, links } = renderBrief(req, made[0]);
    return { server: { id, links, 'OS-DCF:diskConfig': 'MANUAL', security_groups: [{ name: 'default' }] } };
  });

  const list = (detail: boolean) => async (req: FastifyRequest<{ Querystring: Static<typeof ServerListQuery> }>) => {
    const f = req.query;
    const actor = who(req);
    // As in Nova, project_id / tenant_id filter only with all_tenants.
    const all = isAllTenants(f.all_tenants);
    if (all) enforce(deps.policy, req, 'os_compute_api:servers:index:get_all_tenants');
    else enforce(deps.policy, req, detail ? 'os_compute_api:servers:detail' : 'os_compute_api:servers:index', { project_id: req.auth.projectId });
    const admin = showsHost(deps, req);
    const hostId = f.host && admin ? (await containerRepo.getHostByName(q(), f.host))?.id ?? 'none' : undefined;
    let rows = await deps.core.list(actor, { allProjects: all, projectId: all ? f.project_id ?? f.tenant_id : undefined, sortKey: 'created_at', sortDir: 'desc', hostId });
    const ctx = await serverContext(deps, rows);
    if (f.name) {
      let match: (s: string) => boolean;
      try {
        const re = new RegExp(f.name);
        match = (s) => re.test(s);
      } catch {
        match = (s) => s.includes(f.name!);
      }
      rows = rows.filter((r) => match(displayNameOf(r, ctx.server.get(r.uuid))));
    }
    if (f.status) {
      const want = f.status.toUpperCase();
      rows = rows.filter((r) => serverStateOf(r, ctx.server.get(r.uuid)).status === want);
    }
    if (f.image) rows = rows.filter((r) => imageIdOf(r, ctx.server.get(r.uuid)) === lastSegment(f.image!));
    if (f.flavor) rows = rows.filter((r) => ctx.server.get(r.uuid)?.flavor_id === lastSegment(f.flavor!));
    if (f['changes-since']) {
      const since = parseIsoTime(f['changes-since']);
      if (since === null) throw new BerthError('bad_request', `Invalid changes-since value: ${f['changes-since']}`);
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
    const servers = rows.map((r) => (detail ? renderServer(req, r, ctx.server.get(r.uuid), r.host_id ? ctx.host.get(r.host_id) : undefined, admin) : renderBrief(req, r, ctx.server.get(r.uuid))));
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
    const b = req.body.server;
    const access = accessIps(b);
    const row = await renameServer(deps, actor, c, b.name, access);
    return { server: updateView(await render(req, row)) };
  });

  app.get('/servers/:server_id/ips', { schema: { params: ServerId } }, async (req) => {
    const c = await findServer(deps, req, who(req), req.params.server_id);
    enforce(deps.policy, req, 'os_compute_api:ips:index', { project_id: c.project_id });
    return { addresses: (await render(req, c)).addresses };
  });
  app.get('/servers/:server_id/ips/:network', { schema: { params: NetworkParams } }, async (req) => {
    const c = await findServer(deps, req, who(req), req.params.server_id);
    enforce(deps.policy, req, 'os_compute_api:ips:show', { project_id: c.project_id });
    const addresses = (await render(req, c)).addresses as Record<string, unknown[]>;
    const found = addresses[req.params.network];
    if (!found) throw new BerthError('not_found', 'Instance is not a member of specified network');
    return { [req.params.network]: found };
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

const NetworkParams = Type.Object({ server_id: Type.String({ minLength: 1, maxLength: 255 }), network: Type.String({ minLength: 1, maxLength: 255 }) });

/** Nova's update and rebuild answers (2.1) carry the common server fields only. */
const UPDATE_FIELDS = ['id', 'name', 'status', 'image', 'flavor', 'fault', 'user_id', 'tenant_id', 'created', 'updated', 'progress', 'metadata', 'links', 'addresses', 'hostId', 'OS-DCF:diskConfig', 'accessIPv4', 'accessIPv6'];
export function updateView(server: Record<string, unknown>): Record<string, unknown> {
  const out = Object.fromEntries(Object.entries(server).filter(([k]) => UPDATE_FIELDS.includes(k)));
  const addresses = (out.addresses ?? {}) as Record<string, { version: number; addr: string }[]>;
  out.addresses = Object.fromEntries(Object.entries(addresses).map(([net, list]) => [net, list.map(({ version, addr }) => ({ version, addr }))]));
  return out;
}

/**
 * A server's new name and access addresses: the Nova name is the server's own; its container follows
 * when Docker takes the name and it is free in the project, and keeps its name otherwise.
 */
export async function renameServer(deps: ComputeDeps, actor: Actor, c: ContainerRow, name: string | undefined, access: { access_ipv4?: string; access_ipv6?: string } = {}): Promise<ContainerRow> {
  await ensureServerRow(deps, c);
  const set = { ...access, ...(name !== undefined ? { display_name: name } : {}) };
  if (Object.keys(set).length > 0) await computeRepo.updateServer(deps.db.kysely, c.uuid, set);
  if (name === undefined || name === c.name || !isContainerName(name)) return deps.core.get(actor, c.uuid, { allProjects: actor.admin });
  return deps.core.update(actor, c.uuid, { name }).catch(async (e: unknown) => {
    if (e instanceof BerthError && e.code === 'name_taken') return deps.core.get(actor, c.uuid, { allProjects: actor.admin });
    throw e;
  });
}
