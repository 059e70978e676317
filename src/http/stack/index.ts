import type { FastifyInstance } from 'fastify';
import { typed, type App } from '../app-type.js';
import { catalogRoutes } from './catalog.js';
import type { StackHttpDeps } from './deps.js';
import { heatErrorHandler, sendHeatError } from './errors.js';
import { partRoutes } from './parts.js';
import { resourceActionRoutes } from './resource-actions.js';
import { softwareRoutes } from './software.js';
import { stackRoutes } from './stacks.js';

export type { StackHttpDeps } from './deps.js';

function routes(api: App, deps: StackHttpDeps): void {
  stackRoutes(api, deps);
  partRoutes(api, deps);
  resourceActionRoutes(api, deps);
  softwareRoutes(api, deps);
  catalogRoutes(api, deps);
}

/**
 * The orchestration service (a Heat v1 subset) under /orchestration/v1, with Heat's error body. Its
 * routes answer both with the project in the path (/orchestration/v1/{project_id}/stacks, as Heat's
 * URLs have it) and without (the project of the token), which is where the catalog points clients.
 */
export async function stackService(app: FastifyInstance, deps: StackHttpDeps): Promise<void> {
  await typed(app).register(async (scope) => {
    scope.setErrorHandler(heatErrorHandler);
    // Heat answers JSON as plain `application/json`, without a charset parameter.
    scope.addHook('onSend', async (_req, reply, payload) => {
      if (String(reply.getHeader('content-type')).startsWith('application/json;')) reply.header('content-type', 'application/json');
      return payload;
    });
    scope.setNotFoundHandler((req, reply) => sendHeatError(Object.assign(new Error(`The resource could not be found: ${req.method} ${req.url.split('?')[0]}`), { statusCode: 404 }), req, reply));
    scope.get('/', { config: { auth: false } }, async (req) => ({
      versions: [{ id: 'v1.0', status: 'CURRENT', links: [{ rel: 'self', href: `${req.protocol}://${req.headers.host ?? 'localhost'}/orchestration/v1/` }] }],
    }));
    await scope.register(async (api) => routes(api, deps), { prefix: '/v1' });
    await scope.register(async (api) => routes(api, deps), { prefix: '/v1/:project_id' });
  }, { prefix: '/orchestration' });
}
