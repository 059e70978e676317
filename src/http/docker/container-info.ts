/**
 * @module
 * Docker's reads of one container and its files: logs, top, stats and the archive (docker cp). Each
 * resolves the container through the core, then relays the agent's call or stream in Docker's format.
 */
import { dockerId as idOf } from '../../docker/ids.js';
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { BerthError, isBerthError } from '../../core/errors.js';
import type { ContainerRow } from '../../store/schema.js';
import type { ContainerAction } from '../../container/state.js';
import type { StreamKind } from '../../agent/protocol.js';
import { logsContentType, logsParams, specHasTty, dockerBool } from '../../docker/logs.js';
import { StatsRewriter } from '../../docker/stats.js';
import type { DockerDeps } from './deps.js';
import { dockerActor } from './auth.js';

/** The largest archive `docker cp` may send into a container (it travels base64-encoded to the agent). */
export const MAX_ARCHIVE_BYTES = 40 * 1024 * 1024;
/** A stream that has sent nothing yet still answers its headers after this long (so the client knows it is open). */
const HEADERS_AFTER_MS = 250;

/** The id the Docker endpoint shows for a container. */
export const dockerId = (c: Pick<ContainerRow, 'uuid'>): string => idOf(c.uuid);

const Ident = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });
const LogsQuery = Type.Object({
  stdout: Type.Optional(Type.String()), stderr: Type.Optional(Type.String()), follow: Type.Optional(Type.String()),
  timestamps: Type.Optional(Type.String()), tail: Type.Optional(Type.String()), since: Type.Optional(Type.String()),
  until: Type.Optional(Type.String()), details: Type.Optional(Type.String()),
});
const TopQuery = Type.Object({ ps_args: Type.Optional(Type.String({ maxLength: 200 })) });
const StatsQuery = Type.Object({ stream: Type.Optional(Type.String()), 'one-shot': Type.Optional(Type.String()) });
const ArchiveQuery = Type.Object({
  path: Type.String({ minLength: 1, maxLength: 4096 }),
  noOverwriteDirNonDir: Type.Optional(Type.String()), copyUIDGID: Type.Optional(Type.String()),
});
type IdParams = Static<typeof Ident>;

/**
 * The container `ident` names for the caller, checked for `action` (policy and state) when given;
 * Docker's "No such container" when the project has none by that name, id or id prefix.
 */
export async function dockerContainer(deps: DockerDeps, req: FastifyRequest, ident: string, action?: ContainerAction): Promise<ContainerRow> {
  const actor = dockerActor(deps.policy, req.auth, req.id);
  const noSuch = () => new BerthError('not_found', `No such container: ${ident}`);
  const name = ident.replace(/^\//, '');
  let c: ContainerRow;
  try {
    // NOTE: the state check comes after the project check, so another project's container stays unseen.
    c = await deps.core.get(actor, name);
  } catch (e) {
    throw isBerthError(e) && e.code === 'not_found' ? noSuch() : e;
  }
  // A Docker client sees its project's containers only, an admin's token included.
  if (c.project_id !== req.auth.projectId) throw noSuch();
  return action ? deps.core.prepare(actor, c.uuid, action) : c;
}

export function containerInfoRoutes(app: FastifyInstance, deps: DockerDeps): void {
  app.get<{ Params: IdParams; Querystring: Static<typeof LogsQuery> }>('/containers/:id/logs', { schema: { params: Ident, querystring: LogsQuery } }, async (req, reply) => {
    const params = logsParams(req.query);
    const c = await dockerContainer(deps, req, req.params.id, 'logs');
    return relay(deps, req, reply, c, 'logs', params, logsContentType(specHasTty(c.spec)));
  });

  app.get<{ Params: IdParams; Querystring: Static<typeof TopQuery> }>('/containers/:id/top', { schema: { params: Ident, querystring: TopQuery } }, async (req) => {
    const c = await dockerContainer(deps, req, req.params.id, 'top');
    const actor = dockerActor(deps.policy, req.auth, req.id);
    const psArgs = req.query.ps_args ?? '';
    const { value } = await deps.core.call<{ Titles: string[]; Processes: string[][] }>(actor, c.uuid, 'top', 'top', psArgs === '' ? {} : { ps_args: psArgs }, { journal: false });
    return { Titles: value.Titles ?? [], Processes: value.Processes ?? [] };
  });

  app.get<{ Params: IdParams; Querystring: Static<typeof StatsQuery> }>('/containers/:id/stats', { schema: { params: Ident, querystring: StatsQuery } }, async (req, reply) => {
    const stream = dockerBool(req.query.stream, true);
    const oneShot = dockerBool(req.query['one-shot']);
    if (oneShot && stream) throw new BerthError('bad_request', 'cannot have stream=true and one-shot=true');
    const c = await dockerContainer(deps, req, req.params.id, 'stats');
    return relay(deps, req, reply, c, 'stats', { stream, one_shot: oneShot }, 'application/json', new StatsRewriter(dockerId(c), c.name));
  });

  /** The path's stat and content (`journal`: a copy out, recorded), or its stat alone (a HEAD, not recorded). */
  const stat = async (req: FastifyRequest<{ Params: IdParams; Querystring: Static<typeof ArchiveQuery> }>, journal: boolean) => {
    const c = await dockerContainer(deps, req, req.params.id, 'get_archive');
    const actor = dockerActor(deps.policy, req.auth, req.id);
    try {
      const { value } = await deps.core.call<{ data: string; stat: Record<string, unknown> }>(actor, c.uuid, 'get_archive', 'get_archive', { path: req.query.path, ...(journal ? {} : { stat_only: true }) }, { journal: journal ? 'get_archive' : false });
      return value;
    } catch (e) {
      throw missingPath(e, req.query.path, req.params.id);
    }
  };
  const statHeader = (s: Record<string, unknown>) => Buffer.from(JSON.stringify({
    name: s.name ?? '', size: s.size ?? 0, mode: s.mode ?? 0, mtime: s.mtime ?? '0001-01-01T00:00:00Z', linkTarget: s.linkTarget ?? '',
  })).toString('base64');

  const archiveRoute = { schema: { params: Ident, querystring: ArchiveQuery } };
  app.head<{ Params: IdParams; Querystring: Static<typeof ArchiveQuery> }>('/containers/:id/archive', archiveRoute, async (req, reply) => {
    const value = await stat(req, false);
    return reply.header('X-Docker-Container-Path-Stat', statHeader(value.stat)).header('content-type', 'application/x-tar').send();
  });
  app.get<{ Params: IdParams; Querystring: Static<typeof ArchiveQuery> }>('/containers/:id/archive', archiveRoute, async (req, reply) => {
    const value = await stat(req, true);
    return reply.header('X-Docker-Container-Path-Stat', statHeader(value.stat)).type('application/x-tar').send(Buffer.from(value.data, 'base64'));
  });
  app.put<{ Params: IdParams; Querystring: Static<typeof ArchiveQuery> }>('/containers/:id/archive', archiveRoute, async (req) => {
    const c = await dockerContainer(deps, req, req.params.id, 'put_archive');
    if (Number(req.headers['content-length'] ?? 0) > MAX_ARCHIVE_BYTES) {
      (req.body as Readable | undefined)?.resume?.();
      throw tooLarge(MAX_ARCHIVE_BYTES);
    }
    const data = await readLimited(req.body, MAX_ARCHIVE_BYTES);
    if (data.length === 0) throw new BerthError('bad_request', 'The request body must be a tar archive.');
    const actor = dockerActor(deps.policy, req.auth, req.id);
    try {
      await deps.core.call(actor, c.uuid, 'put_archive', 'put_archive', { path: req.query.path, data: data.toString('base64') });
    } catch (e) {
      throw missingPath(e, req.query.path, req.params.id);
    }
    return '';
  });
}

/** The engine's "not found" names its own container; Docker's words name the one the client typed. */
function missingPath(e: unknown, path: string, ident: string): unknown {
  if (isBerthError(e) && e.code === 'not_found') return new BerthError('not_found', `Could not find the file ${path} in container ${ident}`);
  return e;
}

/** The request body (the raw stream Docker's archive routes get), refused with a 413 beyond `limit` bytes. */
async function readLimited(body: unknown, limit: number): Promise<Buffer> {
  if (Buffer.isBuffer(body)) {
    if (body.length > limit) throw tooLarge(limit);
    return body;
  }
  if (typeof body === 'string') return readLimited(Buffer.from(body), limit);
  if (!body || typeof (body as Readable).on !== 'function') return Buffer.alloc(0);
  const stream = body as Readable;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += b.length;
    if (size > limit) {
      // The rest is read and dropped, so the client (still sending) gets the answer rather than a reset.
      stream.resume();
      throw tooLarge(limit);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

const tooLarge = (limit: number) => new BerthError('payload_too_large', `The archive is larger than the ${limit / (1024 * 1024)} MiB that docker cp may send into a container.`);

interface Rewriter { push(chunk: Buffer): string; end(): string }

/**
 * Relays an agent stream as the answer: its headers once the first bytes come (or shortly after it
 * opened), Docker's error when it fails before that. The client leaving closes the stream.
 */
function relay(deps: DockerDeps, req: FastifyRequest, reply: FastifyReply, c: ContainerRow, kind: StreamKind,
  params: Record<string, unknown>, contentType: string, rewrite?: Rewriter): FastifyReply {
  const res = reply.raw;
  const headers = { ...reply.getHeaders(), 'content-type': contentType } as Record<string, string>;
  reply.hijack();
  let started = false;
  let done = false;
  const start = () => {
    if (started || done) return;
    started = true;
    res.writeHead(200, headers);
    res.flushHeaders();
  };
  const timer = setTimeout(start, HEADERS_AFTER_MS);
  const finish = (err?: BerthError) => {
    if (done) return;
    clearTimeout(timer);
    if (!started && err) {
      done = true;
      const status = err.status >= 500 && err.code !== 'host_unreachable' ? 500 : err.status;
      if (status >= 500) req.log.warn({ err: err.message, kind, uuid: c.uuid }, 'docker stream failed');
      res.writeHead(status, { ...headers, 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: err.message }));
      return;
    }
    start();
    done = true;
    const rest = rewrite?.end();
    if (rest) res.write(rest);
    res.end();
  };
  const handle = deps.hub.openStream(c.host_id, kind, c.uuid, params, (d) => {
    if (done) return;
    start();
    const out = rewrite ? rewrite.push(d) : d;
    if (out.length > 0) res.write(out);
  }, (_code, err) => finish(err));
  res.on('close', () => {
    clearTimeout(timer);
    if (!done) {
      done = true;
      handle.close();
    }
  });
  return reply;
}
