/**
 * @module
 * Docker's hijacked streams: attach, exec (create, start, inspect) and TTY resizes. Sessions run on the
 * container's host through the agent channel with the engine's bytes relayed unchanged; exec instances
 * are kept in memory on the server that created them, so an exec id is good on that server only.
 */
import { dockerId } from '../../docker/ids.js';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { BerthError, isBerthError } from '../../core/errors.js';
import type { ContainerRow } from '../../store/schema.js';
import type { StreamHandle } from '../../server/hub.js';
import { execInspect, multiplexedStream as multiplexed, parseExecRequest, parseExecStart, queryFlag, type ExecRecord } from '../../docker/exec.js';
import { ExecStore } from '../../docker/exec-store.js';
import { dockerActor } from './auth.js';
import type { DockerDeps } from './deps.js';
import { readHijackBody, type HijackContext } from './hijack.js';
import { relayHijacked } from './stream-relay.js';
import type { Actor } from '../../container/core.js';

/** How long an attach waits for a container still being created on its host. */
const CREATED_WITHIN_MS = 60_000;

const qbool = (q: URLSearchParams, key: string) => queryFlag(q.get(key));

function sizeOf(q: Record<string, unknown>): { width: number; height: number } {
  const h = Number(q.h);
  const w = Number(q.w);
  if (!Number.isInteger(h) || !Number.isInteger(w) || h < 0 || w < 0) throw new BerthError('bad_request', 'h and w must be non-negative integers');
  return { width: w, height: h };
}

/** Finds a container in Docker's words: another project's is "No such container" too. */
async function findContainer(deps: DockerDeps, actor: Actor, ident: string): Promise<ContainerRow> {
  try {
    return await deps.core.get(actor, ident);
  } catch (e) {
    if (isBerthError(e) && e.code === 'not_found') throw new BerthError('not_found', `No such container: ${ident}`);
    throw e;
  }
}

/** The container an exec runs in, checked as the core checks `execute`; its refusals worded as Docker's. */
async function execTarget(deps: DockerDeps, actor: Actor, ident: string): Promise<ContainerRow> {
  try {
    return await deps.core.prepare(actor, ident, 'execute');
  } catch (e) {
    if (!isBerthError(e)) throw e;
    if (e.code === 'not_found') throw new BerthError('not_found', `No such container: ${ident}`);
    if (e.code === 'invalid_state') {
      const paused = /in Paused state/.test(e.message);
      throw new BerthError('conflict', paused ? `Container ${ident} is paused, unpause the container before exec` : `Container ${ident} is not running`);
    }
    throw e;
  }
}

export function streamRoutes(app: FastifyInstance, deps: DockerDeps): void {
  const execs = new ExecStore<StreamHandle>();
  /** Open attach sessions of this server by container, for `POST /containers/{id}/resize`. */
  const attaches = new Map<string, Set<StreamHandle>>();
  app.addHook('onClose', async () => {
    for (const h of execs.lives()) h.close();
    for (const set of attaches.values()) for (const h of set) h.close();
  });

  const execOf = (id: string, projectId: string | null | undefined): ExecRecord => {
    const r = execs.get(id, Date.now());
    if (r.projectId !== projectId) throw new BerthError('not_found', `No such exec instance: ${id}`);
    return r;
  };

  deps.hijack.add('POST', '/containers/:id/attach', async (ctx: HijackContext) => {
    let row = await findContainer(deps, ctx.actor, ctx.params.id);
    ctx.actor.authorize('container:attach', { project_id: row.project_id });
    if (row.status === 'Creating') {
      const timeout = delay(CREATED_WITHIN_MS, undefined, { ref: false });
      const ready = await Promise.race([deps.waiter.until(row.uuid, (c) => c.status !== 'Creating'), timeout]);
      if (!ready) throw new BerthError('conflict', `Container ${ctx.params.id} is not created on its host yet`);
      row = ready;
    }
    const tty = (JSON.parse(row.spec) as { tty?: boolean }).tty === true;
    const q = ctx.query;
    const params = {
      stdin: qbool(q, 'stdin') ?? false, stdout: qbool(q, 'stdout') ?? false, stderr: qbool(q, 'stderr') ?? false,
      logs: qbool(q, 'logs') ?? false, stream: qbool(q, 'stream') ?? false, detachKeys: q.get('detachKeys') ?? undefined,
    };
    let own: StreamHandle | undefined;
    const uuid = row.uuid;
    await relayHijacked({
      hub: deps.hub, socket: ctx.socket, head: ctx.head, hostId: row.host_id, kind: 'attach', uuid, params,
      multiplexed: multiplexed(tty, ctx.apiVersion), requestId: ctx.requestId,
      onOpen: (h) => {
        own = h;
        const set = attaches.get(uuid) ?? new Set();
        attaches.set(uuid, set.add(h));
      },
      onEnd: () => {
        const set = attaches.get(uuid);
        if (own) set?.delete(own);
        if (set?.size === 0) attaches.delete(uuid);
      },
    });
  });

  app.post<{ Params: { id: string } }>('/containers/:id/exec', async (req, reply) => {
    const actor = dockerActor(deps.policy, req.auth, req.id);
    const request = parseExecRequest(req.body);
    if (request.privileged && !actor.admin) throw new BerthError('forbidden', 'Privileged exec is not allowed: tenants run without extended privileges in Berth.');
    const row = await execTarget(deps, actor, req.params.id);
    const id = randomBytes(32).toString('hex');
    execs.add({
      ...request, id, containerUuid: row.uuid, hostId: row.host_id, projectId: row.project_id,
      started: false, running: false, exitCode: null, pid: 0, createdAt: Date.now(),
    }, Date.now());
    return reply.code(201).send({ Id: id });
  });

  /** Starts an exec: relayed on a hijacked connection, or in the background when detached. */
  const startExec = async (actor: Actor, id: string, projectId: string | null | undefined, detach: boolean) => {
    const r = execOf(id, projectId);
    if (r.started) throw new BerthError('conflict', `Exec ${id} has already been started`);
    const row = await execTarget(deps, actor, r.containerUuid);
    return { r, row, params: {
      command: r.cmd, tty: r.tty, env: r.env, workdir: r.workdir, user: r.user, privileged: r.privileged,
      stdin: detach ? false : r.stdin, stdout: r.stdout, stderr: r.stderr, detachKeys: r.detachKeys, consoleSize: r.consoleSize,
    } };
  };

  deps.hijack.add('POST', '/exec/:id/start', async (ctx: HijackContext) => {
    const raw = await readHijackBody(ctx);
    let body: unknown;
    try {
      body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
    } catch {
      throw new BerthError('bad_request', 'the exec start configuration is not valid JSON');
    }
    const start = parseExecStart(body);
    const { r, row, params } = await startExec(ctx.actor, ctx.params.id, ctx.auth.projectId, start.detach);
    execs.start(r.id, Date.now());
    await relayHijacked({
      hub: deps.hub, socket: ctx.socket, hostId: row.host_id, kind: 'exec', uuid: row.uuid, params,
      multiplexed: multiplexed(r.tty, ctx.apiVersion), requestId: ctx.requestId,
      onOpen: (h) => execs.setLive(r.id, h),
      onEnd: (code) => execs.finish(r.id, code, Date.now()),
      onFail: () => execs.finish(r.id, undefined, Date.now()),
    });
  });

  app.post<{ Params: { id: string } }>('/exec/:id/start', async (req, reply) => {
    const actor = dockerActor(deps.policy, req.auth, req.id);
    const start = parseExecStart(req.body);
    if (!start.detach) throw new BerthError('bad_request', 'An attached exec start needs a hijacked connection (Connection: Upgrade, Upgrade: tcp).');
    const { r, row, params } = await startExec(actor, req.params.id, req.auth.projectId, true);
    execs.start(r.id, Date.now());
    await new Promise<void>((resolve, reject) => {
      let open = false;
      const h = deps.hub.openStream(row.host_id, 'exec', row.uuid, { ...params, raw: true },
        (data) => {
          if (open || data.length) return;
          open = true;
          execs.setLive(r.id, h);
          resolve();
        },
        (code, error) => {
          execs.finish(r.id, code, Date.now());
          if (!open) reject(error ?? new BerthError('unavailable', 'The exec ended before it started.'));
        });
    });
    return reply.code(200).send();
  });

  app.get<{ Params: { id: string } }>('/exec/:id/json', async (req) => {
    const r = execOf(req.params.id, req.auth.projectId);
    return execInspect(r, dockerId(r.containerUuid));
  });

  app.post<{ Params: { id: string }; Querystring: Record<string, unknown> }>('/exec/:id/resize', async (req, reply) => {
    const { width, height } = sizeOf(req.query);
    const r = execOf(req.params.id, req.auth.projectId);
    if (!r.running) throw new BerthError('conflict', `Exec ${r.id} is not running`);
    execs.live(r.id)?.resize(width, height);
    return reply.code(200).send();
  });

  app.post<{ Params: { id: string }; Querystring: Record<string, unknown> }>('/containers/:id/resize', async (req, reply) => {
    const actor = dockerActor(deps.policy, req.auth, req.id);
    const { width, height } = sizeOf(req.query);
    const row = await findContainer(deps, actor, req.params.id);
    const open = attaches.get(row.uuid);
    if (open?.size) {
      actor.authorize('container:resize', { project_id: row.project_id });
      for (const h of open) h.resize(width, height);
    } else {
      await deps.core.call(actor, row.uuid, 'resize', 'resize', { width, height }, { journal: false });
    }
    return reply.code(200).send();
  });
}
