import type { FastifyRequest } from 'fastify';
import { BerthError } from '../../core/errors.js';
import type { Database } from '../../store/db.js';
import type { Policy } from '../../policy/index.js';
import type { StackCaller, StackService } from '../../stack/service.js';
import { enforce, isAdmin } from '../auth.js';

export interface StackHttpDeps {
  db: Database;
  policy: Policy;
  stacks: StackService;
  /** The addresses of this cloud's Docker endpoint (DockerInc::Docker::Container may name only these). */
  dockerEndpoints: string[];
}

/** The caller's project: the URL's when it names one (it must be the token's, or the caller an admin), else the token's. */
export function projectOf(req: FastifyRequest): string {
  const inUrl = (req.params as { project_id?: string }).project_id;
  const own = req.auth.projectId;
  if (!own) throw new BerthError('forbidden', 'The orchestration service needs a project-scoped token.');
  if (inUrl !== undefined && inUrl !== own && !isAdmin(req)) throw new BerthError('forbidden', `The project in the URL (${inUrl}) is not the project of the token.`);
  return inUrl ?? own;
}

export function callerOf(deps: StackHttpDeps, req: FastifyRequest): StackCaller {
  return {
    userId: req.auth.userId,
    projectId: projectOf(req),
    roles: req.auth.roles.map((r) => r.name),
    admin: isAdmin(req),
    authorize: (rule, target) => enforce(deps.policy, req, rule, { project_id: projectOf(req), ...target }),
    dockerEndpoints: deps.dockerEndpoints,
  };
}

/** Enforces `stacks:<action>` on the caller's project. */
export function allow(deps: StackHttpDeps, req: FastifyRequest, action: string): string {
  const project = projectOf(req);
  enforce(deps.policy, req, `stacks:${action}`, { project_id: project });
  return project;
}
