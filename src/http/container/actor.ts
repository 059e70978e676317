import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../container/core.js';
import type { Policy } from '../../policy/index.js';
import { enforce, isAdmin } from '../auth.js';

/** The container core's view of an authenticated request: who, in which project, under which policy. */
export function actorOf(policy: Policy, req: FastifyRequest): Actor {
  return {
    userId: req.auth.userId,
    projectId: req.auth.projectId ?? null,
    admin: isAdmin(req),
    requestId: req.id,
    authorize: (rule, target) => enforce(policy, req, rule, target),
  };
}
