import type { FastifyInstance } from 'fastify';
import type { DockerDeps } from './deps.js';

export function imageRoutes(_app: FastifyInstance, _deps: DockerDeps): void {
  // not served yet
}
