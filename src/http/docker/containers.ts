/**
 * @module Docker's container lifecycle: create, start, stop, restart, kill, pause, unpause, rename,
 * update, remove, wait, list and inspect. Every change goes through the container core; the routes only
 * translate Docker's wire format (src/docker/create.ts, render.ts, filters.ts) and wait, through the
 * container waiter, for the agent to report the result, so that Docker's synchronous answers hold.
 */
import { dockerId } from '../../docker/ids.js';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { BerthError, isBerthError } from '../../core/errors.js';
import type { ContainerRow } from '../../store/schema.js';
import type { Actor } from '../../container/core.js';
import { effectiveStatus } from '../../container/state.js';
import { DEFAULT_CPU, DEFAULT_MEMORY_MB } from '../container/containers.js';
import { containerName, DockerCreateBody, translateCreate } from '../../docker/create.js';
import { dockerState, exitCodeOf, renderInspect, renderSummary, waitOver, type WaitCondition } from '../../docker/render.js';
import { listsAll, matches, parseFilters } from '../../docker/filters.js';
import { glanceNames, parseRef } from '../../docker/refs.js';
import type { DockerDeps } from './deps.js';
import { dockerActor } from './auth.js';
import { dockerImageActor } from './image-actor.js';
import { DOCKER_HEADERS } from './app.js';

const Ident = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });
type IdParams = Static<typeof Ident>;
const Bool = Type.Optional(Type.String());
const CreateQuery = Type.Object({ name: Type.Optional(Type.String()), platform: Type.Optional(Type.String()) });
const TimeoutQuery = Type.Object({ t: Type.Optional(Type.Integer()), signal: Type.Optional(Type.String()) });
const KillQuery = Type.Object({ signal: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9+]{1,16}$' })) });
const RenameQuery = Type.Object({ name: Type.String() });
const DeleteQuery = Type.Object({ force: Bool, v: Bool, link: Bool });
const WaitQuery = Type.Object({ condition: Type.Optional(Type.Union([Type.Literal('not-running'), Type.Literal('next-exit'), Type.Literal('removed')])) });
const PruneQuery = Type.Object({ filters: Type.Optional(Type.String()) });
const ListQuery = Type.Object({ all: Bool, limit: Type.Optional(Type.Integer()), size: Bool, filters: Type.Optional(Type.String()) });
const UpdateBody = Type.Object({
  Memory: Type.Optional(Type.Union([Type.Integer(), Type.Null()])), NanoCpus: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  CpuQuota: Type.Optional(Type.Union([Type.Integer(), Type.Null()])), CpuPeriod: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  RestartPolicy: Type.Optional(Type.Union([Type.Object({ Name: Type.Optional(Type.String()) }), Type.Null()])),
});

/** How long a create or an action waits for the agent's report before answering anyway. */
const SETTLE_MS = 60_000;
const MiB = 1024 * 1024;

export const truthy = (v: string | undefined) => v !== undefined && ['1', 'true', 'True', 'yes'].includes(v);

/** Waits for `cond` up to `ms`; the row when it held, undefined when the container is gone, 'timeout' otherwise. */
export async function settle(deps: DockerDeps, uuid: string, cond: (c: ContainerRow) => boolean, ms = SETTLE_MS): Promise<ContainerRow | undefined | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  let expired = false;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      expired = true;
      resolve('timeout');
    }, ms);
  });
  try {
    // The condition also holds once the time is up, so the waiter lets go of the wait.
    return await Promise.race([deps.waiter.until(uuid, (c) => expired || cond(c)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Docker's words for a container the caller cannot see. */
function noSuch(e: unknown, ident: string): unknown {
  return isBerthError(e) && e.code === 'not_found' ? new BerthError('not_found', `No such container: ${ident}`) : e;
}

const applied = (gen: number) => (c: ContainerRow) => c.observed_generation >= gen && c.status !== 'Creating';
const running = (c: ContainerRow) => ['running', 'paused', 'restarting'].includes(dockerState({ status: effectiveStatus(c), engine_id: c.engine_id }));

export function containerRoutes(app: FastifyInstance, deps: DockerDeps): void {
  const core = deps.core;
  const who = (req: FastifyRequest) => dockerActor(deps.policy, req.auth, req.id);
  const find = async (who: Actor, ident: string): Promise<ContainerRow> => {
    let c: ContainerRow;
    try {
      c = await core.get(who, ident.replace(/^\//, ''));
    } catch (e) {
      throw noSuch(e, ident);
    }
    // The Docker endpoint shows the token's project only, to admins too.
    if (c.project_id !== who.projectId) throw new BerthError('not_found', `No such container: ${ident}`);
    return c;
  };
  /** The container once it exists on its engine (a create still under way is waited for). */
  const created = async (who: Actor, ident: string): Promise<ContainerRow> => {
    const c = await find(who, ident);
    if (c.status !== 'Creating') return c;
    const r = await settle(deps, c.uuid, (x) => x.status !== 'Creating');
    if (r === undefined) throw new BerthError('not_found', `No such container: ${ident}`);
    return r === 'timeout' ? c : r;
  };
  const nameTaken = async (actor: Actor, name: string) => {
    const other = await core.find(actor, name).catch(() => undefined);
    return new BerthError('name_taken', `Conflict. The container name "/${name}" is already in use by container "${other ? dockerId(other.uuid) : ''}". You have to remove (or rename) that container to be able to reuse that name.`);
  };

  app.post<{ Querystring: Static<typeof CreateQuery>; Body: DockerCreateBody }>('/containers/create', { schema: { querystring: CreateQuery, body: DockerCreateBody } }, async (req, reply) => {
    const actor = who(req);
    actor.authorize('container:create', { project_id: actor.projectId });
    const plan = translateCreate(req.body, { cpu: DEFAULT_CPU, memoryMb: DEFAULT_MEMORY_MB });
    for (const rule of plan.needs) actor.authorize(rule, { project_id: actor.projectId });
    const name = req.query.name ? containerName(req.query.name) : `berth_${randomBytes(5).toString('hex')}`;
    const affinity = async (names: string[]) => Promise.all(names.map(async (n) => {
      const c = await core.find(actor, n).catch(() => undefined);
      if (!c || c.project_id !== actor.projectId) throw new BerthError('bad_request', `Scheduling hint affinity:container names "${n}", which is no container of this project.`);
      return c.uuid;
    }));
    const same = await affinity(plan.affinity.same);
    const different = await affinity(plan.affinity.different);
    if (same.length || different.length) plan.placement.hints = { ...plan.placement.hints, sameHost: same, differentHost: different };
    const glance = await glanceImage(deps, req, plan.image);
    let row: ContainerRow;
    try {
      row = await core.create(actor, {
        name, image: glance ?? plan.image, imageDriver: glance ? 'glance' : 'docker', cpu: plan.cpu, memoryMb: plan.memoryMb, diskGb: 0,
        run: false, spec: plan.spec, placement: plan.placement, extra: { ...plan.extra, docker_image: plan.image },
      });
    } catch (e) {
      if (isBerthError(e) && e.code === 'name_taken') throw await nameTaken(actor, name);
      throw e;
    }
    const r = await settle(deps, row.uuid, (c) => c.status !== 'Creating');
    if (r === undefined) throw new BerthError('conflict', `Container ${name} was removed while it was being created.`);
    if (r !== 'timeout' && r.status === 'Error') {
      await core.remove(actor, r.uuid, 'delete_force').catch(() => undefined);
      const reason = r.status_reason ?? 'the container could not be created';
      if (!r.host_id) throw new BerthError('no_valid_host', `No host can take this container: ${reason}`);
      if (/no such image|not found|pull access denied|manifest unknown/i.test(reason)) throw new BerthError('not_found', `No such image: ${plan.image}`);
      throw new BerthError('bad_request', reason);
    }
    return reply.code(201).send({ Id: dockerId(row.uuid), Warnings: plan.warnings });
  });

  app.post<{ Params: IdParams }>('/containers/:id/start', { schema: { params: Ident } }, async (req, reply) => {
    const actor = who(req);
    const c = await created(actor, req.params.id);
    const state = effectiveStatus(c);
    if (state === 'Running' || state === 'Restarting') return reply.code(304).send();
    if (state === 'Paused') throw new BerthError('conflict', 'cannot start a paused container, try unpause instead');
    const after = await core.act(actor, c.uuid, 'start');
    const r = await settle(deps, c.uuid, applied(after.generation));
    if (r !== undefined && r !== 'timeout' && r.status === 'Error') throw new BerthError('bad_request', r.status_reason ?? 'The container failed to start.');
    return reply.code(204).send();
  });

  app.post<{ Params: IdParams; Querystring: Static<typeof TimeoutQuery> }>('/containers/:id/stop', { schema: { params: Ident, querystring: TimeoutQuery } }, async (req, reply) => {
    const actor = who(req);
    const c = await created(actor, req.params.id);
    if (!running(c)) return reply.code(304).send();
    const after = await core.act(actor, c.uuid, 'stop', { timeout: req.query.t });
    await settle(deps, c.uuid, applied(after.generation), SETTLE_MS + (req.query.t ?? 10) * 1000);
    return reply.code(204).send();
  });

  app.post<{ Params: IdParams; Querystring: Static<typeof TimeoutQuery> }>('/containers/:id/restart', { schema: { params: Ident, querystring: TimeoutQuery } }, async (req, reply) => {
    const actor = who(req);
    const c = await created(actor, req.params.id);
    const after = await core.act(actor, c.uuid, 'reboot', { timeout: req.query.t });
    const r = await settle(deps, c.uuid, applied(after.generation), SETTLE_MS + (req.query.t ?? 10) * 1000);
    if (r !== undefined && r !== 'timeout' && r.status === 'Error') throw new BerthError('bad_request', r.status_reason ?? 'The container failed to restart.');
    return reply.code(204).send();
  });

  for (const action of ['pause', 'unpause'] as const) {
    app.post<{ Params: IdParams }>(`/containers/:id/${action}`, { schema: { params: Ident } }, async (req, reply) => {
      const actor = who(req);
      const c = await created(actor, req.params.id);
      const state = effectiveStatus(c);
      if (action === 'pause' && state !== 'Running') throw new BerthError('conflict', state === 'Paused' ? `Container ${req.params.id} is already paused` : `Container ${req.params.id} is not running`);
      if (action === 'unpause' && state !== 'Paused') throw new BerthError('conflict', `Container ${req.params.id} is not paused`);
      const after = await core.act(actor, c.uuid, action);
      await settle(deps, c.uuid, applied(after.generation));
      return reply.code(204).send();
    });
  }

  app.post<{ Params: IdParams; Querystring: Static<typeof KillQuery> }>('/containers/:id/kill', { schema: { params: Ident, querystring: KillQuery } }, async (req, reply) => {
    const actor = who(req);
    const c = await created(actor, req.params.id);
    if (!running(c)) throw new BerthError('conflict', `Cannot kill container: ${req.params.id}: Container ${c.uuid} is not running`);
    const raw = (req.query.signal ?? 'KILL').toUpperCase();
    const signal = /^\d+$/.test(raw) || raw.startsWith('SIG') ? raw : `SIG${raw}`;
    await core.call(actor, c.uuid, 'kill', 'kill', { signal });
    // A kill that ends the process shows in `docker ps` right after the CLI returns.
    if (signal === 'SIGKILL' || signal === '9') await settle(deps, c.uuid, (x) => x.status !== 'Running', 10_000);
    return reply.code(204).send();
  });

  app.post<{ Params: IdParams; Querystring: Static<typeof RenameQuery> }>('/containers/:id/rename', { schema: { params: Ident, querystring: RenameQuery } }, async (req, reply) => {
    const actor = who(req);
    const c = await find(actor, req.params.id);
    const name = containerName(req.query.name);
    if (name === c.name) throw new BerthError('conflict', `Renaming a container with the same name as its current name`);
    try {
      await core.update(actor, c.uuid, { name });
    } catch (e) {
      if (isBerthError(e) && e.code === 'name_taken') throw await nameTaken(actor, name);
      throw e;
    }
    return reply.code(204).send();
  });

  app.post<{ Params: IdParams; Body: Static<typeof UpdateBody> }>('/containers/:id/update', { schema: { params: Ident, body: UpdateBody } }, async (req) => {
    const actor = who(req);
    const c = await find(actor, req.params.id);
    const b = req.body;
    if (b.RestartPolicy?.Name) throw new BerthError('bad_request', 'Changing the restart policy of a container is not supported by this cloud yet.');
    if (b.NanoCpus && (b.CpuQuota || b.CpuPeriod)) throw new BerthError('bad_request', 'Conflicting options: Nano CPUs and CPU Period cannot both be set');
    const cpu = b.NanoCpus ? b.NanoCpus / 1e9 : b.CpuQuota && b.CpuQuota > 0 ? b.CpuQuota / (b.CpuPeriod || 100_000) : undefined;
    const memoryMb = b.Memory ? Math.ceil(b.Memory / MiB) : undefined;
    if (b.Memory && b.Memory < 6 * MiB) throw new BerthError('bad_request', 'Minimum memory limit allowed is 6MB');
    if (cpu !== undefined || memoryMb !== undefined) await core.update(actor, c.uuid, { cpu, memoryMb });
    return { Warnings: [] };
  });

  app.delete<{ Params: IdParams; Querystring: Static<typeof DeleteQuery> }>('/containers/:id', { schema: { params: Ident, querystring: DeleteQuery } }, async (req, reply) => {
    const actor = who(req);
    if (truthy(req.query.link)) throw new BerthError('bad_request', 'Links are not supported by this cloud.');
    const force = truthy(req.query.force);
    const c = force ? await find(actor, req.params.id) : await created(actor, req.params.id);
    if (!force && running(c)) throw new BerthError('conflict', `cannot remove container "/${c.name}": container is running: stop the container before removing or force remove`);
    if (!force && c.status === 'Deleting') throw new BerthError('conflict', `removal of container ${req.params.id} is already in progress`);
    await core.remove(actor, c.uuid, force ? 'delete_force' : 'delete');
    await settle(deps, c.uuid, () => false);
    return reply.code(204).send();
  });

  app.get<{ Querystring: Static<typeof ListQuery> }>('/containers/json', { schema: { querystring: ListQuery } }, async (req) => {
    const actor = who(req);
    const q = req.query;
    const f = parseFilters(q.filters);
    const time = async (idents: string[] | undefined) => (idents?.length ? (await find(actor, idents[0])).created_at : undefined);
    const times = { before: await time(f.before), since: await time(f.since) };
    const all = listsAll(f, truthy(q.all), q.limit);
    const rows = await core.list(actor, { allProjects: false, sortKey: 'created_at', sortDir: 'desc' });
    const now = Date.now();
    const shown = rows.filter((r) => (all || running(r)) && matches(r, f, times));
    const limited = q.limit && q.limit > 0 ? shown.slice(0, q.limit) : shown;
    return limited.map((r) => renderSummary(r, now, truthy(q.size)));
  });

  // Removes the project's containers that are not running (created, exited, dead), as Docker's prune does.
  app.post<{ Querystring: Static<typeof PruneQuery> }>('/containers/prune', { schema: { querystring: PruneQuery } }, async (req) => {
    const actor = who(req);
    const f = parseFilters(req.query.filters);
    if (Object.keys(f).some((k) => k !== 'label')) throw new BerthError('bad_request', 'invalid filter: prune takes label filters only');
    const rows = (await core.list(actor, { allProjects: false, sortKey: 'created_at', sortDir: 'asc' }))
      .filter((r) => ['created', 'exited', 'dead'].includes(dockerState(r)) && r.status !== 'Creating' && !running(r) && matches(r, f));
    const deleted: string[] = [];
    for (const r of rows) {
      try {
        await core.remove(actor, r.uuid, 'delete');
        deleted.push(r.uuid);
      } catch (e) {
        // A container that changed meanwhile (started, already removed) is left out, as Docker does.
        if (!isBerthError(e) || !['invalid_state', 'not_found', 'busy'].includes(e.code)) throw e;
      }
    }
    await Promise.all(deleted.map((uuid) => settle(deps, uuid, () => false)));
    return { ContainersDeleted: deleted, SpaceReclaimed: 0 };
  });

  app.get<{ Params: IdParams }>('/containers/:id/json', { schema: { params: Ident, querystring: Type.Object({ size: Bool }) } }, async (req) => {
    const c = await find(who(req), req.params.id);
    return renderInspect(c, await core.hostName(c.host_id));
  });

  // The status line goes out at once: the CLI waits for it before it starts a `docker run`.
  app.post<{ Params: IdParams; Querystring: Static<typeof WaitQuery> }>('/containers/:id/wait', { schema: { params: Ident, querystring: WaitQuery } }, async (req, reply) => {
    const start = await find(who(req), req.params.id);
    const condition: WaitCondition = req.query.condition ?? 'not-running';
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { ...DOCKER_HEADERS, 'Content-Type': 'application/json' });
    res.flushHeaders();
    let closed = false;
    res.on('close', () => {
      closed = true;
    });
    let last = start;
    const r = await deps.waiter.until(start.uuid, (c) => {
      last = c;
      return closed || waitOver(condition, start, c);
    });
    if (closed) return;
    const failed = (r ?? last).status === 'Error' && !(r ?? last).engine_id;
    res.end(JSON.stringify({ StatusCode: exitCodeOf(r ?? last), Error: failed ? { Message: (r ?? last).status_reason ?? 'the container failed' } : null }));
  });
}

/** The Glance image name a reference finds for the caller, or undefined (the engine's own image is used then). */
async function glanceImage(deps: DockerDeps, req: FastifyRequest, image: string): Promise<string | undefined> {
  const ref = parseRef(image);
  if (!ref) throw new BerthError('bad_request', `invalid reference format: ${image}`);
  if (ref.digest) return undefined;
  const actor = dockerImageActor(deps.policy, req.auth);
  for (const name of glanceNames(ref)) {
    try {
      await deps.containerImages.resolve(actor, name);
      return name;
    } catch (e) {
      if (isBerthError(e) && e.code === 'not_found') continue;
      throw e;
    }
  }
  return undefined;
}
