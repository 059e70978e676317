import type { FastifyInstance } from 'fastify';
import type { DockerDeps } from './deps.js';

export function containerRoutes(_app: FastifyInstance, _deps: DockerDeps): void {
  // not served yet
}
