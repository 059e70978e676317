import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { BerthError } from '../../core/errors.js';
import { newUuid } from '../../core/ids.js';
import type { ContainerRow } from '../../store/schema.js';
import type { Queryable } from '../../store/db.js';
import * as repo from '../../store/container-repo.js';
import { effectiveStatus, checkAction, desiredAfter, type ContainerAction } from '../../container/state.js';
import type { ContainerSpec } from '../../agent/protocol.js';
import type { CallMethod } from '../../agent/protocol.js';
import { enforce } from '../auth.js';
import type { ContainerDeps } from './deps.js';
import { findContainer } from './lookup.js';
import { atLeast } from './microversion.js';
import { isTarArchive, splitCommand } from './parse.js';
import { renderAction } from './render.js';
import {
  ActionParams, ArchiveQuery, CommitQuery, ExecQuery, ExecResizeQuery, Ident, KillQuery, LogsQuery, PutArchiveBody,
  RenameQuery, ResizeQuery, TimeoutQuery, TopQuery, truthy,
} from './schemas.js';

const policyName: Partial<Record<ContainerAction, string>> = { reboot: 'container:reboot' };

export function actionRoutes(app: FastifyInstance, deps: ContainerDeps): void {
  const q = () => deps.db.kysely;

  /** Loads the container, checks policy and state; the answer is the row as it was. */
  const prepare = async (req: FastifyRequest, action: ContainerAction, qq: Queryable = q()) => {
    const c = await findContainer(qq, req, (req.params as { id: string }).id);
    enforce(deps.policy, req, policyName[action] ?? `container:${action}`, { project_id: c.project_id });
    const check = checkAction(action, effectiveStatus(c), c.uuid);
    if (!check.ok) throw new BerthError('invalid_state', check.message);
    return c;
  };

  const record = (req: FastifyRequest, c: ContainerRow, action: string, done: boolean, message: string | null = null) =>
    repo.insertAction(q(), {
      id: newUuid(), container_uuid: c.uuid, project_id: c.project_id, user_id: req.auth.userId, action, request_id: req.id,
      message, start_time: new Date().toISOString(), finish_time: done ? new Date().toISOString() : null, result: done ? (message ? 'Error' : 'Success') : null,
    });

  /** Runs a call on the container's host and records the action with its outcome. */
  const call = async <T>(req: FastifyRequest, c: ContainerRow, action: string, method: CallMethod, params: Record<string, unknown>, log = true): Promise<T> => {
    try {
      const value = await deps.hub.call<T>(c.host_id, method, c.uuid, params);
      if (log) await record(req, c, action, true);
      return value;
    } catch (e) {
      if (log) await record(req, c, action, true, (e as Error).message);
      throw e;
    }
  };

  // Start, stop, reboot, pause, unpause change desired state; the agent converges and reports.
  for (const action of ['start', 'stop', 'reboot', 'pause', 'unpause'] as const) {
    const schema = action === 'stop' || action === 'reboot' ? { params: Ident, querystring: TimeoutQuery } : { params: Ident };
    app.post(`/containers/:id/${action}`, { schema }, async (req, reply) => {
      const timeout = (req.query as { timeout?: number }).timeout;
      const c = await deps.db.tx(async (trx) => {
        await deps.db.lock(trx, `container:${(req.params as { id: string }).id}`);
        const c = await prepare(req, action, trx);
        const after = desiredAfter[action]!;
        const spec = JSON.parse(c.spec) as ContainerSpec;
        if (timeout !== undefined) spec.stopTimeout = timeout;
        await repo.updateContainer(trx, c.uuid, {
          desired: after.desired, task_state: after.task, generation: c.generation + 1, spec: JSON.stringify(spec),
          restart_generation: action === 'reboot' ? c.restart_generation + 1 : c.restart_generation,
        });
        await repo.insertAction(trx, {
          id: newUuid(), container_uuid: c.uuid, project_id: c.project_id, user_id: req.auth.userId, action, request_id: req.id,
          message: null, start_time: new Date().toISOString(), finish_time: null, result: null,
        });
        return c;
      });
      await deps.bus.publish(c.host_id);
      return reply.code(202).send();
    });
  }

  app.post('/containers/:id/kill', { schema: { params: Ident, querystring: KillQuery } }, async (req, reply) => {
    const c = await prepare(req, 'kill');
    await call(req, c, 'kill', 'kill', { signal: (req.query as { signal?: string }).signal ?? 'SIGKILL' });
    return reply.code(202).send();
  });

  app.post('/containers/:id/rename', { schema: { params: Ident, querystring: RenameQuery } }, async (req) => {
    if (atLeast(req, '1.14')) throw new BerthError('not_found', 'The rename action was removed in API version 1.14; use PATCH /containers/{id} with a name.');
    const c = await prepare(req, 'rename');
    const name = (req.query as { name: string }).name;
    if (name !== c.name && (await repo.findContainersByName(q(), c.project_id, name)).length > 0)
      throw new BerthError('conflict', `A container with name ${name} already exists in this project.`);
    await repo.updateContainer(q(), c.uuid, { name });
    await record(req, c, 'rename', true);
    return { uuid: c.uuid, name };
  });

  app.get('/containers/:id/logs', { schema: { params: Ident, querystring: LogsQuery } }, async (req, reply) => {
    const c = await prepare(req, 'logs');
    const f = req.query as Static<typeof LogsQuery>;
    let stdout = f.stdout === undefined ? true : truthy(f.stdout);
    let stderr = f.stderr === undefined ? true : truthy(f.stderr);
    if (!stdout && !stderr) stdout = stderr = true;
    const since = typeof f.since === 'string' ? Math.floor(Date.parse(f.since) / 1000) : f.since;
    if (since !== undefined && Number.isNaN(since)) throw new BerthError('bad_request', `Invalid since: ${f.since}`);
    const text = await call<string>(req, c, 'logs', 'logs', { stdout, stderr, timestamps: truthy(f.timestamps), tail: f.tail ?? 'all', since }, false);
    // Zun answers the log text as a JSON string; the client decodes only JSON bodies (text/plain prints None).
    return reply.type('application/json').send(JSON.stringify(text));
  });

  app.post('/containers/:id/execute', { schema: { params: Ident, querystring: ExecQuery } }, async (req) => {
    const c = await prepare(req, 'execute');
    const f = req.query as Static<typeof ExecQuery>;
    const command = splitCommand(f.command);
    if (command.length === 0) throw new BerthError('bad_request', 'The command to execute is empty.');
    const run = f.run === undefined ? true : truthy(f.run);
    if (truthy(f.interactive) || !run) {
      const session = deps.sessions.create({ kind: 'exec', uuid: c.uuid, hostId: c.host_id, projectId: c.project_id, command, tty: true });
      await record(req, c, 'exec', true);
      return { output: null, exit_code: null, exec_id: session.id, url: null, proxy_url: session.url(req) };
    }
    const r = await call<{ output: string; exit_code: number }>(req, c, 'exec', 'exec', { command });
    return { output: r.output, exit_code: r.exit_code, exec_id: null, url: null };
  });

  app.post('/containers/:id/execute_resize', { schema: { params: Ident, querystring: ExecResizeQuery } }, async (req) => {
    const c = await prepare(req, 'execute_resize');
    const f = req.query as Static<typeof ExecResizeQuery>;
    if (!deps.sessions.resize(f.exec_id, c.uuid, f.w, f.h)) throw new BerthError('not_found', `Exec session ${f.exec_id} could not be found.`);
    return { exec_id: f.exec_id, width: f.w, height: f.h };
  });

  app.get('/containers/:id/attach', { schema: { params: Ident } }, async (req, reply) => {
    const c = await prepare(req, 'attach');
    const session = deps.sessions.create({ kind: 'attach', uuid: c.uuid, hostId: c.host_id, projectId: c.project_id });
    await record(req, c, 'attach', true);
    // The URL as a JSON string, as Zun answers it (the client reads JSON bodies only).
    return reply.type('application/json').send(JSON.stringify(session.url(req)));
  });

  app.post('/containers/:id/resize', { schema: { params: Ident, querystring: ResizeQuery } }, async (req, reply) => {
    const c = await prepare(req, 'resize');
    const f = req.query as Static<typeof ResizeQuery>;
    if (!deps.sessions.resizeAttach(c.uuid, f.w, f.h)) await call(req, c, 'resize', 'resize', { width: f.w, height: f.h }, false);
    return reply.code(200).send({});
  });

  app.get('/containers/:id/top', { schema: { params: Ident, querystring: TopQuery } }, async (req) => {
    const c = await prepare(req, 'top');
    // zunclient sends the text "None" when no arguments were given.
    const raw = (req.query as { ps_args?: string }).ps_args?.trim();
    const psArgs = !raw || raw === 'None' ? undefined : raw;
    try {
      return await call(req, c, 'top', 'top', { ps_args: psArgs }, false);
    } catch (e) {
      if (psArgs && e instanceof BerthError && e.status >= 500) throw new BerthError('bad_request', `ps refused the arguments "${psArgs}": ${e.message}`);
      throw e;
    }
  });

  app.get('/containers/:id/stats', { schema: { params: Ident } }, async (req) => {
    const c = await prepare(req, 'stats');
    const s = await call<Record<string, unknown>>(req, c, 'stats', 'stats', {}, false);
    return { CONTAINER: c.name, ...s };
  });

  app.get('/containers/:id/get_archive', { schema: { params: Ident, querystring: ArchiveQuery } }, async (req) => {
    const c = await prepare(req, 'get_archive');
    const r = await call<{ data: string; stat: unknown }>(req, c, 'get_archive', 'get_archive', { path: (req.query as { path: string }).path });
    return { data: atLeast(req, '1.25') ? r.data : Buffer.from(r.data, 'base64').toString('latin1'), stat: r.stat };
  });

  app.post('/containers/:id/put_archive', { schema: { params: Ident, querystring: ArchiveQuery, body: PutArchiveBody } }, async (req) => {
    const c = await prepare(req, 'put_archive');
    const data = (req.body as Static<typeof PutArchiveBody>).data;
    const bytes = atLeast(req, '1.25') ? Buffer.from(data, 'base64') : Buffer.from(data, 'latin1');
    if (atLeast(req, '1.25') && bytes.toString('base64').replace(/=+$/, '') !== data.replace(/\s/g, '').replace(/=+$/, ''))
      throw new BerthError('bad_request', 'The archive data is not valid base64.');
    if (!isTarArchive(bytes)) throw new BerthError('bad_request', 'The archive data is not a tar archive.');
    try {
      await call(req, c, 'put_archive', 'put_archive', { path: (req.query as { path: string }).path, data: bytes.toString('base64') });
    } catch (e) {
      // Docker answers a broken archive (a good first header, then garbage or a cut) with a 500.
      if (e instanceof BerthError && e.status >= 500 && /tar/i.test(e.message)) throw new BerthError('bad_request', `The archive could not be extracted: ${e.message}`);
      throw e;
    }
    return {};
  });

  app.post('/containers/:id/commit', { schema: { params: Ident, querystring: CommitQuery } }, async (req, reply) => {
    const c = await prepare(req, 'commit');
    const f = req.query as Static<typeof CommitQuery>;
    const r = await call<{ imageId: string }>(req, c, 'commit', 'commit', { repository: f.repository, tag: f.tag ?? 'latest' });
    reply.code(202);
    return { uuid: r.imageId };
  });

  app.get('/containers/:id/container_actions', { schema: { params: Ident } }, async (req) => {
    const c = await findContainer(q(), req, (req.params as { id: string }).id);
    enforce(deps.policy, req, 'container:actions', { project_id: c.project_id });
    return { containerActions: (await repo.listActions(q(), c.uuid)).map((a) => renderAction(req, a)) };
  });
  app.get('/containers/:id/container_actions/:request_id', { schema: { params: ActionParams } }, async (req) => {
    const c = await findContainer(q(), req, (req.params as { id: string }).id);
    enforce(deps.policy, req, 'container:actions', { project_id: c.project_id });
    const rid = (req.params as { request_id: string }).request_id;
    const a = await repo.getActionByRequest(q(), c.uuid, rid);
    if (!a) throw new BerthError('not_found', `Action ${rid} could not be found for container ${c.uuid}.`);
    return { ...renderAction(req, a), events: [] };
  });

  // Networks and security groups belong to later work; answer plainly rather than pretend.
  app.get('/containers/:id/network_list', { schema: { params: Ident } }, async (req) => {
    const c = await findContainer(q(), req, (req.params as { id: string }).id);
    enforce(deps.policy, req, 'container:get_one', { project_id: c.project_id });
    return { networks: [] };
  });
  for (const path of ['network_attach', 'network_detach', 'add_security_group', 'remove_security_group', 'rebuild']) {
    app.post(`/containers/:id/${path}`, { schema: { params: Ident } }, async (req) => {
      const c = await findContainer(q(), req, (req.params as { id: string }).id);
      enforce(deps.policy, req, 'container:update', { project_id: c.project_id });
      throw new BerthError('bad_request', `${path} is not supported by this cloud yet.`);
    });
  }
}
