/**
 * @module
 * `POST /build` (the classic builder the docker CLI uses with DOCKER_BUILDKIT=0): the query is checked
 * (build-options.ts), the tar context spooled, and the build run on a compute host (server/image-build.ts);
 * the answer is the engine's JSON-lines output as it comes, ending with "Successfully tagged …" once the
 * result is stored as the project's Glance images.
 * `GET /agent/v1/builds/{id}/context` on the main API: where the chosen host's agent fetches the context,
 * with its host credential and the context token of that build (not a tenant route).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { checkUpload } from '../../agent/upload-token.js';
import { BerthError } from '../../core/errors.js';
import { hashSecret } from '../../core/ids.js';
import { parseBuildQuery, type BuildQuery } from '../../docker/build-options.js';
import { CONTEXT_TOKEN_HEADER, contextSubject } from '../../docker/build-params.js';
import { BuildContexts } from '../../server/build-context.js';
import { ImageBuilds } from '../../server/image-build.js';
import { getHostByCredential } from '../../store/container-repo.js';
import { DOCKER_HEADERS } from './app.js';
import type { DockerDeps } from './deps.js';
import { dockerImageActor } from './image-actor.js';

/**
 * Where the chosen host fetches the context: this server's main API as the cloud reaches it (where agents
 * also upload images), or, before it was announced, the address this request reached.
 */
function baseOf(deps: DockerDeps, req: FastifyRequest): string {
  if (deps.hub.url) return deps.hub.url;
  const address = (req.socket.localAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  const host = address.includes(':') ? `[${address}]` : address;
  return `http://${host}:${req.socket.localPort ?? 0}`;
}

export function buildRoutes(app: FastifyInstance, deps: DockerDeps): void {
  const contexts = new BuildContexts();
  const builds = new ImageBuilds({ db: deps.db, hub: deps.hub, images: deps.images, contexts, clusterSecret: deps.clusterSecret, log: deps.log });

  app.post('/build', async (req, reply) => {
    const auth = req.auth;
    if (!auth.projectId) throw new BerthError('unauthorized', 'The X-Auth-Token is not scoped to a project.');
    const asked = parseBuildQuery(req.query as BuildQuery);
    const prepared = await builds.prepare(dockerImageActor(deps.policy, auth), auth.projectId, asked, req.body, baseOf(deps, req));
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { ...DOCKER_HEADERS, ...headersOf(reply.getHeaders()), 'Content-Type': 'application/json' });
    const gone = new AbortController();
    res.on('close', () => { if (!res.writableFinished) gone.abort(); });
    const ok = await builds.run(prepared, (text) => { if (text !== '' && !res.destroyed) res.write(text); }, gone.signal);
    req.log.info({ host: prepared.hostId, ok, images: prepared.targets.map((t) => t.glanceImageId) }, 'docker build');
    res.end();
  });

  deps.api.get('/agent/v1/builds/:id/context', { config: { auth: false } }, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const credential = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const host = credential ? await getHostByCredential(deps.db.kysely, hashSecret(credential)) : undefined;
    if (!host) throw new BerthError('unauthorized', 'A valid host credential is required.');
    const token = req.headers[CONTEXT_TOKEN_HEADER];
    if (typeof token !== 'string' || !checkUpload(deps.clusterSecret, token, contextSubject(id), host.id, Date.now())) {
      throw new BerthError('forbidden', `This host has no permission to fetch build context ${id}.`);
    }
    return reply.header('Content-Type', 'application/x-tar').send(contexts.take(id, host.id));
  });
}

/** Fastify's headers set so far (the endpoint's own), as plain strings. */
function headersOf(h: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
  return out;
}
