import type { FastifyRequest } from 'fastify';
import type { App } from '../app-type.js';
import { BerthError } from '../../core/errors.js';
import type { ContainerAction } from '../../container/state.js';
import type { CallMethod } from '../../agent/protocol.js';
import type { ContainerDeps } from './deps.js';
import { actorOf } from './actor.js';
import { atLeast } from './microversion.js';
import { isTarArchive, splitCommand } from './parse.js';
import { renderAction } from './render.js';
import {
  ActionParams, ArchiveQuery, CommitQuery, ExecQuery, ExecResizeQuery, Ident, KillQuery, LogsQuery, PutArchiveBody,
  RenameQuery, ResizeQuery, TimeoutQuery, TopQuery, truthy,
} from './schemas.js';

export function actionRoutes(app: App, deps: ContainerDeps): void {
  const core = deps.core;
  const who = (req: FastifyRequest) => actorOf(deps.policy, req);
  const id = (req: { params: { id: string } }) => req.params.id;
  /** Runs a call on the container's host through the core; the value only. */
  const call = async <T>(req: FastifyRequest & { params: { id: string } }, action: ContainerAction, method: CallMethod, params: Record<string, unknown>, journal?: false) =>
    (await core.call<T>(who(req), id(req), action, method, params, { journal })).value;

  // Start, stop, reboot, pause, unpause change desired state; the agent converges and reports.
  for (const action of ['stop', 'reboot'] as const) {
    app.post(`/containers/:id/${action}`, { schema: { params: Ident, querystring: TimeoutQuery } }, async (req, reply) => {
      await core.act(who(req), id(req), action, { timeout: req.query.timeout });
      return reply.code(202).send();
    });
  }
  for (const action of ['start', 'pause', 'unpause'] as const) {
    app.post(`/containers/:id/${action}`, { schema: { params: Ident } }, async (req, reply) => {
      await core.act(who(req), id(req), action);
      return reply.code(202).send();
    });
  }

  app.post('/containers/:id/kill', { schema: { params: Ident, querystring: KillQuery } }, async (req, reply) => {
    await call(req, 'kill', 'kill', { signal: req.query.signal ?? 'SIGKILL' });
    return reply.code(202).send();
  });

  app.post('/containers/:id/rename', { schema: { params: Ident, querystring: RenameQuery } }, async (req) => {
    if (atLeast(req, '1.14')) throw new BerthError('not_found', 'The rename action was removed in API version 1.14; use PATCH /containers/{id} with a name.');
    const name = req.query.name;
    const c = await core.update(who(req), id(req), { name });
    return { uuid: c.uuid, name };
  });

  app.get('/containers/:id/logs', { schema: { params: Ident, querystring: LogsQuery } }, async (req, reply) => {
    const f = req.query;
    let stdout = f.stdout === undefined ? true : truthy(f.stdout);
    let stderr = f.stderr === undefined ? true : truthy(f.stderr);
    if (!stdout && !stderr) stdout = stderr = true;
    const since = typeof f.since === 'string' ? Math.floor(Date.parse(f.since) / 1000) : f.since;
    if (since !== undefined && Number.isNaN(since)) throw new BerthError('bad_request', `Invalid since: ${f.since}`);
    const text = await call<string>(req, 'logs', 'logs', { stdout, stderr, timestamps: truthy(f.timestamps), tail: f.tail ?? 'all', since }, false);
    // Zun answers the log text as a JSON string; the client decodes only JSON bodies (text/plain prints None).
    return reply.type('application/json').send(JSON.stringify(text));
  });

  app.post('/containers/:id/execute', { schema: { params: Ident, querystring: ExecQuery } }, async (req) => {
    const f = req.query;
    const command = splitCommand(f.command);
    if (command.length === 0) throw new BerthError('bad_request', 'The command to execute is empty.');
    const run = f.run === undefined ? true : truthy(f.run);
    if (truthy(f.interactive) || !run) {
      const actor = who(req);
      const c = await core.prepare(actor, id(req), 'execute');
      const session = deps.sessions.create({ kind: 'exec', uuid: c.uuid, hostId: c.host_id, projectId: c.project_id, command, tty: true });
      await core.record(actor, c, 'exec', { result: 'Success' });
      return { output: null, exit_code: null, exec_id: session.id, url: null, proxy_url: session.url(req) };
    }
    const r = (await core.call<{ output: string; exit_code: number }>(who(req), id(req), 'execute', 'exec', { command }, { journal: 'exec' })).value;
    return { output: r.output, exit_code: r.exit_code, exec_id: null, url: null };
  });

  app.post('/containers/:id/execute_resize', { schema: { params: Ident, querystring: ExecResizeQuery } }, async (req) => {
    const c = await core.prepare(who(req), id(req), 'execute_resize');
    const f = req.query;
    if (!deps.sessions.resize(f.exec_id, c.uuid, f.w, f.h)) throw new BerthError('not_found', `Exec session ${f.exec_id} could not be found.`);
    return { exec_id: f.exec_id, width: f.w, height: f.h };
  });

  app.get('/containers/:id/attach', { schema: { params: Ident } }, async (req, reply) => {
    const actor = who(req);
    const c = await core.prepare(actor, id(req), 'attach');
    const session = deps.sessions.create({ kind: 'attach', uuid: c.uuid, hostId: c.host_id, projectId: c.project_id });
    await core.record(actor, c, 'attach', { result: 'Success' });
    // The URL as a JSON string, as Zun answers it (the client reads JSON bodies only).
    return reply.type('application/json').send(JSON.stringify(session.url(req)));
  });

  app.post('/containers/:id/resize', { schema: { params: Ident, querystring: ResizeQuery } }, async (req, reply) => {
    const f = req.query;
    const c = await core.prepare(who(req), id(req), 'resize');
    if (!deps.sessions.resizeAttach(c.uuid, f.w, f.h)) await call(req, 'resize', 'resize', { width: f.w, height: f.h }, false);
    return reply.code(200).send({});
  });

  app.get('/containers/:id/top', { schema: { params: Ident, querystring: TopQuery } }, async (req) => {
    // zunclient sends the text "None" when no arguments were given.
    const raw = req.query.ps_args?.trim();
    const psArgs = !raw || raw === 'None' ? undefined : raw;
    try {
      return await call(req, 'top', 'top', { ps_args: psArgs }, false);
    } catch (e) {
      if (psArgs && e instanceof BerthError && e.code === 'internal') throw new BerthError('bad_request', `ps refused the arguments "${psArgs}": ${e.message}`);
      throw e;
    }
  });

  app.get('/containers/:id/stats', { schema: { params: Ident } }, async (req) => {
    const r = await core.call<Record<string, unknown>>(who(req), id(req), 'stats', 'stats', {}, { journal: false });
    return { CONTAINER: r.container.name, ...r.value };
  });

  app.get('/containers/:id/get_archive', { schema: { params: Ident, querystring: ArchiveQuery } }, async (req) => {
    const r = await call<{ data: string; stat: unknown }>(req, 'get_archive', 'get_archive', { path: req.query.path });
    return { data: atLeast(req, '1.25') ? r.data : Buffer.from(r.data, 'base64').toString('latin1'), stat: r.stat };
  });

  app.post('/containers/:id/put_archive', { schema: { params: Ident, querystring: ArchiveQuery, body: PutArchiveBody } }, async (req) => {
    const data = req.body.data;
    const bytes = atLeast(req, '1.25') ? Buffer.from(data, 'base64') : Buffer.from(data, 'latin1');
    if (atLeast(req, '1.25') && bytes.toString('base64').replace(/=+$/, '') !== data.replace(/\s/g, '').replace(/=+$/, ''))
      throw new BerthError('bad_request', 'The archive data is not valid base64.');
    if (!isTarArchive(bytes)) throw new BerthError('bad_request', 'The archive data is not a tar archive.');
    await call(req, 'put_archive', 'put_archive', { path: req.query.path, data: bytes.toString('base64') });
    return {};
  });

  app.post('/containers/:id/commit', { schema: { params: Ident, querystring: CommitQuery } }, async (req, reply) => {
    if (!deps.commit) throw new BerthError('bad_request', 'The image service is not available on this server, so a container cannot be committed.');
    const r = await deps.commit.commit(who(req), id(req), req.query.repository, req.query.tag);
    return reply.code(202).send({ uuid: r.imageId });
  });

  app.get('/containers/:id/container_actions', { schema: { params: Ident } }, async (req) => {
    const r = await core.actions(who(req), id(req));
    return { containerActions: r.actions.map((a) => renderAction(req, a)) };
  });
  app.get('/containers/:id/container_actions/:request_id', { schema: { params: ActionParams } }, async (req) => {
    const a = await core.action(who(req), id(req), req.params.request_id);
    return { ...renderAction(req, a), events: [] };
  });

  // Networks and security groups belong to later work; answer plainly rather than pretend.
  app.get('/containers/:id/network_list', { schema: { params: Ident } }, async (req) => {
    await core.get(who(req), id(req));
    return { networks: [] };
  });
  for (const path of ['network_attach', 'network_detach', 'add_security_group', 'remove_security_group', 'rebuild']) {
    app.post(`/containers/:id/${path}`, { schema: { params: Ident } }, async (req) => {
      const actor = who(req);
      const c = await core.find(actor, id(req));
      actor.authorize('container:update', { project_id: c.project_id });
      throw new BerthError('bad_request', `${path} is not supported by this cloud yet.`);
    });
  }
}
