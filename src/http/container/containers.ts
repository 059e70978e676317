import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { App } from '../app-type.js';
import type { Static } from '@sinclair/typebox';
import { BerthError } from '../../core/errors.js';
import type { ContainerRow } from '../../store/schema.js';
import * as repo from '../../store/container-repo.js';
import type { ContainerSpec } from '../../agent/protocol.js';
import type { PlacementRequest } from '../../scheduler/index.js';
import { enforce } from '../auth.js';
import { baseUrl } from '../server.js';
import type { ContainerDeps } from './deps.js';
import { actorOf } from './actor.js';
import { atLeast } from './microversion.js';
import { checkResources, parseMemoryMb, splitCommand } from './parse.js';
import { renderContainer } from './render.js';
import { ContainerCreate, ContainerUpdate, CreateQuery, DeleteQuery, Ident, ListQuery, ShowQuery, fieldVersions, truthy } from './schemas.js';

export const DEFAULT_CPU = 1;
export const DEFAULT_MEMORY_MB = 512;

type CreateBody = Static<typeof ContainerCreate>;

const words = (v: string | string[] | null | undefined) => (v == null ? undefined : Array.isArray(v) ? v : splitCommand(v));

/** Turns a validated create request into the spec, placement and claim, refusing what a tenant may not do. */
function buildNew(deps: ContainerDeps, req: FastifyRequest, b: CreateBody) {
  for (const [field, version] of Object.entries(fieldVersions)) {
    if ((b as Record<string, unknown>)[field] !== undefined && !atLeast(req, version))
      throw new BerthError('bad_request', `Invalid input: additional properties are not allowed ('${field}' was unexpected before API version ${version}).`);
  }
  const target = { project_id: req.auth.projectId };
  if (b.privileged) enforce(deps.policy, req, 'container:create:privileged', target);
  if (b.mounts?.length) {
    if (b.mounts.some((m) => m.type === 'bind')) enforce(deps.policy, req, 'container:create:host_mounts', target);
    throw new BerthError('bad_request', 'Mounts are not supported by this cloud yet.');
  }
  if (b.nets?.length) throw new BerthError('bad_request', 'Networks (nets) are not supported by this cloud yet; containers use the host engine\'s default network.');
  if (b.security_groups?.length) throw new BerthError('bad_request', 'Security groups are not supported by this cloud yet.');
  if (b.runtime && b.runtime !== 'runc') enforce(deps.policy, req, 'container:create:runtime', target);
  if (b.host) enforce(deps.policy, req, 'container:create:requested_destination', target);
  if (b.auto_heal) throw new BerthError('bad_request', 'auto_heal is not supported by this cloud; use restart_policy instead.');
  if (b.auto_remove && b.restart_policy && b.restart_policy.Name !== 'no')
    throw new BerthError('bad_request', 'auto_remove conflicts with a restart policy other than "no".');

  const cpu = b.cpu == null ? DEFAULT_CPU : Number(b.cpu);
  const memoryMb = b.memory == null ? DEFAULT_MEMORY_MB : parseMemoryMb(b.memory);
  checkResources(cpu, memoryMb);
  for (const key of Object.keys(b.labels ?? {}))
    if (key.startsWith('berth.') && key !== 'berth.priority')
      throw new BerthError('bad_request', `Label ${key} is reserved: labels starting with "berth." belong to the cloud (except berth.priority).`);
  for (const key of Object.keys(b.environment ?? {}))
    if (!/^[^=\0]+$/.test(key)) throw new BerthError('bad_request', `Invalid environment variable name: ${key}`);

  const exposed: Record<string, Record<string, never>> = {};
  for (const k of Object.keys(b.exposed_ports ?? {})) {
    const [port, proto = 'tcp'] = k.split('/');
    if (Number(port) < 1 || Number(port) > 65535) throw new BerthError('bad_request', `Invalid exposed port ${k}: ports are 1 to 65535.`);
    exposed[`${Number(port)}/${proto.toLowerCase()}`] = {};
  }
  const hc = b.healthcheck;
  const healthTest = hc?.cmd ?? hc?.test;
  const spec: ContainerSpec = {
    image: b.image,
    command: words(b.command),
    entrypoint: words(b.entrypoint),
    env: b.environment ?? undefined,
    workdir: b.workdir ?? undefined,
    labels: b.labels ?? undefined,
    cpu,
    memoryMb,
    hostname: b.hostname ?? undefined,
    tty: b.tty ?? (atLeast(req, '1.36') ? undefined : b.interactive ?? undefined) ?? undefined,
    interactive: b.interactive ?? undefined,
    restartPolicy: b.restart_policy
      ? { name: b.restart_policy.Name as 'no', maximumRetryCount: Number(b.restart_policy.MaximumRetryCount ?? 0) }
      : undefined,
    autoRemove: b.auto_remove ?? undefined,
    privileged: b.privileged ?? undefined,
    exposedPorts: Object.keys(exposed).length ? exposed : undefined,
    healthcheck: healthTest
      ? { test: ['CMD-SHELL', healthTest], interval: hc?.interval === undefined ? undefined : Number(hc.interval), timeout: hc?.timeout === undefined ? undefined : Number(hc.timeout), retries: hc?.retries === undefined ? undefined : Number(hc.retries) }
      : undefined,
  };
  const hints = b.hints ?? {};
  const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);
  const placement: PlacementRequest = {
    cpu, memoryMb, diskGb: b.disk ?? 0,
    zone: b.availability_zone ?? undefined,
    runtime: b.runtime ?? undefined,
    hints: { sameHost: list(hints.same_host), differentHost: list(hints.different_host), host: b.host ?? undefined },
  };
  const extra = {
    image_pull_policy: b.image_pull_policy ?? null, runtime: b.runtime ?? 'runc', privileged: b.privileged ?? false,
    cpu_policy: b.cpu_policy ?? 'shared',
  };
  return { spec, placement, cpu, memoryMb, extra };
}

/** The next page's link: the same query with the last row as marker (filters kept, so paging stays in them). */
function nextLink(req: FastifyRequest, marker: string, limit: number, f: Static<typeof ListQuery>, all: boolean): string {
  const keep = new URLSearchParams();
  keep.set('limit', String(limit));
  keep.set('marker', marker);
  for (const key of ['sort_key', 'sort_dir', 'project_id', 'name', 'status', 'image', 'host', 'user_id', 'task_state'] as const) {
    const v = f[key];
    if (v !== undefined && v !== null && v !== '') keep.set(key, String(v));
  }
  if (all) keep.set('all_projects', 'True');
  return `${baseUrl(req)}/container/v1/containers?${keep.toString()}`;
}

export function containerRoutes(app: App, deps: ContainerDeps): void {
  const q = () => deps.db.kysely;
  const core = deps.core;
  const who = (req: FastifyRequest) => actorOf(deps.policy, req);
  const showHost = (req: FastifyRequest) => deps.policy.check('container:get_one:host', { userId: req.auth.userId, projectId: req.auth.projectId, roles: req.auth.roles.map((r) => r.name) }, {});

  app.post('/containers', { schema: { body: ContainerCreate, querystring: CreateQuery } }, async (req, reply) => {
    // Policy first, so a caller who may not create learns that before anything about the body.
    enforce(deps.policy, req, 'container:create', { project_id: req.auth.projectId });
    const b = req.body;
    const n = buildNew(deps, req, b);
    const row = await core.create(who(req), {
      name: b.name ?? `container-${randomBytes(4).toString('hex')}`,
      image: b.image, imageDriver: b.image_driver ?? 'docker', cpu: n.cpu, memoryMb: n.memoryMb, diskGb: b.disk ?? 0,
      run: truthy(req.query.run), spec: n.spec, placement: n.placement, extra: n.extra,
    });
    reply.code(202);
    return renderContainer(req, row, await core.hostName(row.host_id), showHost(req));
  });

  app.get('/containers', { schema: { querystring: ListQuery } }, async (req) => {
    const f = req.query;
    const all = truthy(f.all_projects);
    const sortKey = (f.sort_key === 'memory' ? 'memory_mb' : f.sort_key === 'host' ? 'host_id' : f.sort_key ?? 'created_at') as keyof ContainerRow;
    const actor = who(req);
    const marker = f.marker ? await core.find(actor, f.marker, { allProjects: all }) : undefined;
    const hostId = f.host ? (await repo.getHostByName(q(), f.host))?.id ?? 'none' : undefined;
    const limit = f.limit && f.limit > 0 ? Math.min(f.limit, 1000) : undefined;
    const rows = await core.list(actor, {
      allProjects: all, projectId: f.project_id, limit, marker, sortKey, sortDir: f.sort_dir ?? 'asc', name: f.name, status: f.status, image: f.image, hostId,
    });
    const filtered = rows.filter((r) => (!f.user_id || r.user_id === f.user_id) && (!f.task_state || r.task_state === f.task_state));
    // Only the hosts on this page are read for their names.
    const names = new Map((await repo.listHostsById(q(), [...new Set(filtered.flatMap((r) => (r.host_id ? [r.host_id] : [])))])).map((h) => [h.id, h.name]));
    const show = showHost(req);
    const next = limit && rows.length === limit ? nextLink(req, rows[rows.length - 1].uuid, limit, f, all) : null;
    return { containers: filtered.map((r) => renderContainer(req, r, r.host_id ? names.get(r.host_id) : null, show)), next };
  });

  app.get('/containers/:id', { schema: { params: Ident, querystring: ShowQuery } }, async (req) => {
    const all = truthy(req.query.all_projects);
    const row = await core.get(who(req), req.params.id, { allProjects: all });
    return renderContainer(req, row, await core.hostName(row.host_id), showHost(req));
  });

  app.patch('/containers/:id', { schema: { params: Ident, body: ContainerUpdate } }, async (req) => {
    const b = req.body;
    if (b.auto_heal !== undefined) throw new BerthError('bad_request', 'auto_heal is not supported by this cloud; use restart_policy instead.');
    const cpu = b.cpu === undefined ? undefined : Number(b.cpu);
    const memoryMb = b.memory === undefined ? undefined : parseMemoryMb(b.memory);
    checkResources(cpu, memoryMb);
    const row = await core.update(who(req), req.params.id, { name: b.name, cpu, memoryMb });
    return renderContainer(req, row, await core.hostName(row.host_id), showHost(req));
  });

  app.delete('/containers/:id', { schema: { params: Ident, querystring: DeleteQuery } }, async (req, reply) => {
    const f = req.query;
    const force = truthy(f.force);
    const stop = truthy(f.stop);
    if (force && stop) throw new BerthError('bad_request', 'Use either force or stop, not both.');
    await core.remove(who(req), req.params.id, force ? 'delete_force' : stop ? 'delete_after_stop' : 'delete', { allProjects: truthy(f.all_projects) });
    return reply.code(204).send();
  });
}
