import type { Kysely } from 'kysely';
import type { Dialect } from './db.js';
import { identitySchema } from './migrations/0001-identity.js';
import { containerSchema } from './migrations/0002-containers.js';
import { admissionSchema } from './migrations/0003-admission.js';
import { agentRouteSchema } from './migrations/0004-agent-routes.js';
import { quotaSchema } from './migrations/0005-quotas.js';
import { imageSchema } from './migrations/0006-images.js';
import { hostImageSchema } from './migrations/0007-host-images.js';
import { identityGroupsSchema } from './migrations/0008-identity-groups.js';
import { hostImageIdSchema } from './migrations/0009-host-image-ids.js';
import { identityInheritSchema } from './migrations/0010-identity-inherit.js';
import { identityRolesSchema } from './migrations/0011-identity-roles.js';
import { identityCredentialsSchema } from './migrations/0012-identity-credentials.js';
import { stackSchema } from './migrations/0013-stacks.js';
import { softwareConfigSchema } from './migrations/0014-software-configs.js';
import { computeSchema } from './migrations/0017-compute.js';
import { identityComplianceSchema } from './migrations/0020-identity-compliance.js';
import { catalogSchema } from './migrations/0019-catalog.js';
import { identityAccessRulesSchema } from './migrations/0021-identity-access-rules.js';
import { computeResizeSchema } from './migrations/0022-compute-resize.js';
import { computeMoveSchema } from './migrations/0023-compute-move.js';
import { flavorAccessSchema } from './migrations/0025-flavor-access.js';
import { computeServerFieldsSchema } from './migrations/0024-compute-server-fields.js';
import { computeSnapshotSchema } from './migrations/0026-compute-snapshot.js';

export interface Migration {
  version: number;
  name: string;
  up: (db: Kysely<any>, dialect: Dialect) => Promise<void>;
}

/**
 * Applied in order, each once, in one transaction at start. Never edit a released migration: add one.
 * Versions need not be contiguous: each is applied when its own number is not recorded yet.
 */
export const migrations: Migration[] = [
  { version: 1, name: 'identity', up: identitySchema },
  { version: 2, name: 'containers', up: containerSchema },
  { version: 3, name: 'admission', up: admissionSchema },
  { version: 4, name: 'agent-routes', up: agentRouteSchema },
  { version: 5, name: 'quotas', up: quotaSchema },
  { version: 6, name: 'images', up: imageSchema },
  { version: 7, name: 'host-images', up: hostImageSchema },
  { version: 8, name: 'identity-groups', up: identityGroupsSchema },
  { version: 9, name: 'host-image-ids', up: hostImageIdSchema },
  { version: 10, name: 'identity-inherit', up: identityInheritSchema },
  { version: 11, name: 'identity-roles', up: identityRolesSchema },
  { version: 12, name: 'identity-credentials', up: identityCredentialsSchema },
  { version: 13, name: 'stacks', up: stackSchema },
  { version: 14, name: 'software-configs', up: softwareConfigSchema },
  { version: 17, name: 'compute', up: computeSchema },
  { version: 19, name: 'catalog', up: catalogSchema },
  { version: 20, name: 'identity-compliance', up: identityComplianceSchema },
  { version: 21, name: 'identity-access-rules', up: identityAccessRulesSchema },
  { version: 22, name: 'compute-resize', up: computeResizeSchema },
  { version: 23, name: 'compute-move', up: computeMoveSchema },
  { version: 24, name: 'compute-server-fields', up: computeServerFieldsSchema },
  { version: 25, name: 'flavor-access', up: flavorAccessSchema },
  { version: 26, name: 'compute-snapshot', up: computeSnapshotSchema },
];
