/**
 * @module
 * Image data between the server and hosts' agents, opened by a host credential as the agent channel
 * is (401 otherwise, tenant tokens included); errors are `{"message": …}`.
 * - `GET /agent/v1/images/{id}/file`: the data of a Glance image (a docker save archive) for the agent
 *   to `docker load`, streamed from the image store.
 * - `PUT /agent/v1/images/{id}/file`: a committed container's archive, streamed into the image store
 *   through the image service's upload (checked as a docker save archive, queued → saving → active).
 *   Allowed only with the upload token a server gave this host for this image (upload-token.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PassThrough } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { BerthError } from '../core/errors.js';
import { hashSecret } from '../core/ids.js';
import type { Database } from '../store/db.js';
import type { HostRow } from '../store/schema.js';
import { getHostByCredential } from '../store/container-repo.js';
import type { ContainerImages } from '../image/resolve.js';
import type { ImageTransfer } from '../image/transfer.js';
import type { ImageActor } from '../image/types.js';
import { checkUpload, UPLOAD_TOKEN_HEADER } from '../agent/upload-token.js';
import { typed } from './app-type.js';

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export interface AgentImageDeps {
  db: Database;
  images: ContainerImages;
  /** With both, agents may upload committed containers' data. */
  transfer?: ImageTransfer;
  clusterSecret?: string;
}

/** The server itself storing data a host's agent sent under a server's token (the token is the permission). */
const uploader: ImageActor = { projectId: null, admin: true, allowed: () => true };

export function agentImageRoutes(app: FastifyInstance, deps: AgentImageDeps): void {
  const hostOf = async (req: FastifyRequest): Promise<HostRow> => {
    const credential = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const host = credential ? await getHostByCredential(deps.db.kysely, hashSecret(credential)) : undefined;
    if (!host) throw new BerthError('unauthorized', 'A valid host credential is required.');
    return host;
  };

  typed(app).get('/agent/v1/images/:id/file', {
    config: { auth: false },
    schema: { params: Params },
    onRequest: async (req) => { await hostOf(req); },
  }, async (req, reply) => {
    const data = await deps.images.openForHost(req.params.id);
    return reply.header('Content-Type', 'application/octet-stream').header('Content-Length', String(data.size)).send(data.stream);
  });

  const { transfer, clusterSecret } = deps;
  if (!transfer || !clusterSecret) return;
  void app.register(async (scope) => {
    // The body is streamed by the route, never parsed (and so never held in memory).
    scope.addContentTypeParser('application/octet-stream', (_req, _payload, done) => done(null, undefined));
    typed(scope).put('/agent/v1/images/:id/file', {
      config: { auth: false },
      schema: { params: Params },
      onRequest: async (req) => {
        const host = await hostOf(req);
        const token = req.headers[UPLOAD_TOKEN_HEADER];
        const id = (req.params as { id?: string }).id ?? '';
        if (typeof token !== 'string' || !checkUpload(clusterSecret, token, id, host.id, Date.now())) {
          throw new BerthError('forbidden', `This host has no permission to upload the data of image ${id}.`);
        }
        const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
        if (type !== 'application/octet-stream') throw new BerthError('unsupported_media_type', 'Image data is sent as application/octet-stream.');
      },
    }, async (req, reply) => {
      const length = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
      const body = new PassThrough();
      req.raw.pipe(body);
      try {
        await transfer.upload(uploader, req.params.id, body, Number.isFinite(length) ? length : undefined);
      } catch (e) {
        req.raw.unpipe(body);
        body.destroy();
        req.raw.resume();
        throw e;
      }
      return reply.code(204).send();
    });
  });
}
