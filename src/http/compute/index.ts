import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BerthError } from '../../core/errors.js';
import { MAX_VERSION, MIN_VERSION, negotiate } from '../../compute/microversion.js';
import { typed } from '../app-type.js';
import { baseUrl } from '../server.js';
import type { ComputeDeps } from './deps.js';
import { novaErrorHandler, sendNovaError } from './errors.js';
import { flavorRoutes } from './flavors.js';
import { serverRoutes } from './servers.js';
import { serverActionRoutes } from './actions.js';
import { keypairRoutes } from './keypairs.js';
import { metadataRoutes } from './metadata.js';
import { quotaRoutes } from './quotas.js';
import { imageRoutes } from './images.js';
import { zoneRoutes } from './zones.js';
import { hypervisorRoutes } from './hypervisors.js';
import { ContainerSnapshot } from '../../container/snapshot.js';
import { ContainerRebuild } from '../../container/rebuild.js';
import { ContainerWaiter } from '../../container/waiter.js';
import { KeyInjector } from '../../compute/key-injector.js';

export type { ComputeDeps } from './deps.js';

function v21(req: FastifyRequest) {
  return {
    id: 'v2.1', status: 'CURRENT', version: MAX_VERSION, min_version: MIN_VERSION, updated: '2013-07-23T11:33:21Z',
    links: [{ rel: 'self', href: `${baseUrl(req)}/compute/v2.1/` }],
  };
}

/** The v2.0 API (Nova's legacy one) is not served; its document is listed first, as Nova lists it. */
function v20(req: FastifyRequest) {
  return {
    id: 'v2.0', status: 'SUPPORTED', version: '', min_version: '', updated: '2011-01-21T11:33:21Z',
    links: [{ rel: 'self', href: `${baseUrl(req)}/compute/v2/` }],
  };
}

const MEDIA_TYPES = (v: string) => [{ base: 'application/json', type: `application/vnd.openstack.compute+json;version=${v}` }];

const header = (req: FastifyRequest, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** The compute service (Nova v2.1 subset, a server is a container) under /compute. */
export async function computeService(app: FastifyInstance, given: ComputeDeps): Promise<void> {
  const deps = { ...given };
  const { hub, bus, imageService, clusterSecret, core, db, log } = deps;
  if (hub && imageService && clusterSecret) deps.snapshots ??= new ContainerSnapshot({ core, hub, images: imageService, clusterSecret, log });
  if (bus) {
    deps.rebuilds ??= new ContainerRebuild({ db, bus, core });
    if (!deps.keys) {
      const waiter = new ContainerWaiter(db, bus);
      const keys = new KeyInjector({ core, waiter, log });
      deps.keys = keys;
      app.addHook('onClose', async () => {
        waiter.close();
        await keys.idle();
        await deps.snapshots?.idle();
      });
    }
  }
  await typed(app).register(async (scope) => {
    scope.setErrorHandler(novaErrorHandler);
    scope.setNotFoundHandler((req, reply) => sendNovaError(reply, {
      status: 404, title: 'Not Found', message: `The resource could not be found: ${req.method} ${req.url.split('?')[0]}`, code: 'not_found',
    }));
    scope.addHook('onRequest', (req, reply, done) => {
      const n = negotiate(header(req, 'x-openstack-nova-api-version'), header(req, 'openstack-api-version'));
      reply.header('Vary', 'OpenStack-API-Version, X-OpenStack-Nova-API-Version');
      // Nova's request id under its compute name too (instance actions are looked up by it).
      reply.header('x-compute-request-id', req.id);
      if (!n.ok) return done(new BerthError(n.status === 406 ? 'not_acceptable' : 'bad_request', n.message));
      const v = `${n.version[0]}.${n.version[1]}`;
      reply.header('X-OpenStack-Nova-API-Version', v);
      reply.header('OpenStack-API-Version', `compute ${v}`);
      done();
    });
    scope.get('/', { config: { auth: false } }, async (req) => ({ versions: [v20(req), v21(req)] }));
    scope.get('/v2', { config: { auth: false } }, async (req) => ({ version: { ...v20(req), 'media-types': MEDIA_TYPES('2') } }));
    scope.get('/v2.1', { config: { auth: false } }, async (req) => ({ version: { ...v21(req), 'media-types': MEDIA_TYPES('2.1') } }));
    await scope.register(async (api) => {
      flavorRoutes(api, deps);
      serverRoutes(api, deps);
      serverActionRoutes(api, deps);
      keypairRoutes(api, deps);
      metadataRoutes(api, deps);
      quotaRoutes(api, deps);
      imageRoutes(api, deps);
      zoneRoutes(api, deps);
      hypervisorRoutes(api, deps);
    }, { prefix: '/v2.1' });
  }, { prefix: '/compute' });
}
