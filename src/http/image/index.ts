import type { FastifyInstance, FastifyRequest } from 'fastify';
import { typed } from '../app-type.js';
import { baseUrl } from '../server.js';
import { dataRoutes } from './data.js';
import type { ImageHttpDeps } from './deps.js';
import { imageRoutes } from './images.js';
import { imageSchema, imagesSchema, memberSchema, membersSchema } from './json-schemas.js';
import { memberRoutes } from './members.js';
import { ACCEPT_PATCH } from './parse.js';

export type { ImageHttpDeps } from './deps.js';

/** The versions this subset of Glance v2 answers as (2.5 and earlier: no image import, no multiple stores). */
const VERSIONS = ['2.5', '2.4', '2.3', '2.2', '2.1', '2.0'];

function versions(req: FastifyRequest) {
  const href = `${baseUrl(req)}/image/v2/`;
  return {
    versions: VERSIONS.map((v, i) => ({ id: `v${v}`, status: i === 0 ? 'CURRENT' : 'SUPPORTED', links: [{ rel: 'self', href }] })),
  };
}

/** JSON-patch bodies are JSON whatever their media type says. */
function parseJson(_req: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void): void {
  const text = String(body);
  if (text.trim() === '') return done(null, undefined);
  try {
    done(null, JSON.parse(text));
  } catch (e) {
    done(Object.assign(new Error(`Malformed JSON in request body: ${(e as Error).message}`), { statusCode: 400 }));
  }
}

/** The image service (a Glance v2 subset) under /image; the catalog's URL is /image, clients add /v2. */
export async function imageService(app: FastifyInstance, deps: ImageHttpDeps): Promise<void> {
  await typed(app).register(async (scope) => {
    // Image data is streamed by its route, never parsed (and so never held in memory).
    scope.addContentTypeParser('application/octet-stream', (_req, _payload, done) => done(null, undefined));
    for (const type of ACCEPT_PATCH.split(', ')) scope.addContentTypeParser(type, { parseAs: 'string' }, parseJson);

    // Glance answers its root with 300 Multiple Choices and /versions with 200.
    scope.get('/', { config: { auth: false } }, async (req, reply) => reply.code(300).send(versions(req)));
    scope.get('/versions', { config: { auth: false } }, async (req) => versions(req));
    scope.get('/v2', { config: { auth: false } }, async (req) => versions(req));
    await scope.register(async (api) => {
      imageRoutes(api, deps);
      dataRoutes(api, deps);
      memberRoutes(api, deps);
      api.get('/schemas/image', async () => imageSchema);
      api.get('/schemas/images', async () => imagesSchema);
      api.get('/schemas/member', async () => memberSchema);
      api.get('/schemas/members', async () => membersSchema);
    }, { prefix: '/v2' });
  }, { prefix: '/image' });
}
