import type { FastifyInstance } from 'fastify';
import type { DockerDeps } from './deps.js';
import { systemRoutes } from './system.js';
import { containerRoutes } from './containers.js';
import { containerInfoRoutes } from './container-info.js';
import { streamRoutes } from './streams.js';
import { imageRoutes } from './images.js';
import { buildRoutes } from './build.js';
import { eventRoutes } from './events.js';

/**
 * The Docker Engine API endpoint: each file translates one part of Docker's wire format to the
 * container core and the image service, and back. No lifecycle rule lives here.
 */
export function dockerService(app: FastifyInstance, deps: DockerDeps): void {
  systemRoutes(app, deps);
  containerRoutes(app, deps);
  containerInfoRoutes(app, deps);
  streamRoutes(app, deps);
  imageRoutes(app, deps);
  buildRoutes(app, deps);
  eventRoutes(app, deps);
}
