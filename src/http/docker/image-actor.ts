import type { TokenInfo } from '../../identity/tokens.js';
import type { ImageActor } from '../../image/types.js';
import type { Policy } from '../../policy/index.js';
import { credentialsOf } from '../auth.js';

/** The image service's view of a Docker caller. */
export function dockerImageActor(policy: Policy, auth: TokenInfo): ImageActor {
  const creds = credentialsOf(auth);
  return {
    projectId: auth.projectId ?? null,
    admin: auth.roles.some((r) => r.name === 'admin'),
    allowed: (rule, target) => policy.check(rule, creds, { project_id: auth.projectId, ...target }),
  };
}
