/**
 * @module
 * `GET /agent/v1/images/{id}/file`: the data of a Glance image (a docker save archive) for a host's
 * agent to `docker load`, streamed from the image store. Opened by a host credential, as the agent
 * channel is (401 otherwise, tenant tokens included); errors are `{"message": …}`.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { BerthError } from '../core/errors.js';
import { hashSecret } from '../core/ids.js';
import type { Database } from '../store/db.js';
import { getHostByCredential } from '../store/container-repo.js';
import type { ContainerImages } from '../image/resolve.js';
import { typed } from './app-type.js';

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export function agentImageRoutes(app: FastifyInstance, deps: { db: Database; images: ContainerImages }): void {
  typed(app).get('/agent/v1/images/:id/file', {
    config: { auth: false },
    schema: { params: Params },
    onRequest: async (req) => {
      const credential = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const host = credential ? await getHostByCredential(deps.db.kysely, hashSecret(credential)) : undefined;
      if (!host) throw new BerthError('unauthorized', 'A valid host credential is required.');
    },
  }, async (req, reply) => {
    const data = await deps.images.openForHost(req.params.id);
    return reply.header('Content-Type', 'application/octet-stream').header('Content-Length', String(data.size)).send(data.stream);
  });
}
