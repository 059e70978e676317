import type { FastifyInstance } from 'fastify';
import { typed } from '../app-type.js';
import { baseUrl } from '../server.js';
import type { ContainerDeps } from './deps.js';
import { MAX_VERSION, MIN_VERSION, registerMicroversion } from './microversion.js';
import { containerRoutes } from './containers.js';
import { actionRoutes } from './actions.js';
import { hostRoutes } from './hosts.js';
import { imageRoutes } from './images.js';
import { quotaRoutes } from './quotas.js';
import { quotaTreeRoutes } from './quota-tree.js';

export type { ContainerDeps } from './deps.js';

function v1(base: string) {
  return {
    id: 'v1', status: 'CURRENT', min_version: MIN_VERSION, max_version: MAX_VERSION,
    links: [{ href: `${base}/container/v1/`, rel: 'self' }],
  };
}

/** The container service (Zun v1 subset) under /container. */
export async function containerService(app: FastifyInstance, deps: ContainerDeps): Promise<void> {
  await typed(app).register(async (scope) => {
    registerMicroversion(scope);
    scope.get('/', { config: { auth: false } }, async (req) => ({ versions: [v1(baseUrl(req))], default_version: v1(baseUrl(req)) }));
    scope.get('/v1', { config: { auth: false } }, async (req) => ({
      ...v1(baseUrl(req)),
      media_types: [{ base: 'application/json', type: 'application/vnd.openstack.zun.v1+json' }],
      containers: [{ href: `${baseUrl(req)}/container/v1/containers/`, rel: 'self' }],
    }));
    await scope.register(async (api) => {
      containerRoutes(api, deps);
      actionRoutes(api, deps);
      hostRoutes(api, deps);
      imageRoutes(api, deps);
      quotaRoutes(api, deps);
      quotaTreeRoutes(api, deps);
    }, { prefix: '/v1' });
  }, { prefix: '/container' });
}
