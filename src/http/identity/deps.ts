import type { Database } from '../../store/db.js';
import type { TokenService } from '../../identity/tokens.js';
import type { Policy } from '../../policy/index.js';
import type { ComplianceConfig } from '../../identity/compliance.js';

export interface IdentityDeps { db: Database; tokens: TokenService; policy: Policy; region: string;
  /** Keystone's [security_compliance] settings; absent: all off. */
  compliance?: ComplianceConfig;
}
