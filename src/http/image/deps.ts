import type { FastifyRequest } from 'fastify';
import type { Logger } from '../../core/log.js';
import type { ImageMembers } from '../../image/members.js';
import type { ImageService } from '../../image/service.js';
import type { ImageTransfer } from '../../image/transfer.js';
import type { ImageActor } from '../../image/types.js';
import type { Policy } from '../../policy/index.js';
import { credentialsOf, isAdmin } from '../auth.js';

export interface ImageHttpDeps {
  policy: Policy;
  images: ImageService;
  transfer: ImageTransfer;
  members: ImageMembers;
  log: Logger;
}

/** The image service's view of an authenticated request: its project, admin or not, and the policy. */
export function imageActorOf(policy: Policy, req: FastifyRequest): ImageActor {
  const creds = credentialsOf(req.auth);
  return {
    projectId: req.auth.projectId ?? null,
    admin: isAdmin(req),
    allowed: (rule, target) => policy.check(rule, creds, { user_id: req.auth.userId, domain_id: req.auth.domainId, ...target }),
  };
}
