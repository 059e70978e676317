/** @module The controller acts as the user who made a stack's last change, with the roles they had then. */
import { BerthError } from '../core/errors.js';
import type { Actor } from '../container/core.js';
import type { Policy } from '../policy/index.js';
import type { StackRow } from '../store/schema.js';

export function stackActor(policy: Policy, s: StackRow): Actor {
  const roles = JSON.parse(s.roles) as string[];
  const creds = { userId: s.user_id, projectId: s.project_id, roles };
  return {
    userId: s.user_id,
    projectId: s.project_id,
    admin: roles.includes('admin'),
    requestId: `req-stack-${s.id}`,
    authorize(rule, target) {
      if (!policy.check(rule, creds, { project_id: s.project_id, user_id: s.user_id, ...target }))
        throw new BerthError('policy_denied', `Policy doesn't allow ${rule} to be performed.`, { rule });
    },
  };
}
