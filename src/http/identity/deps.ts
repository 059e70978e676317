import type { Database } from '../../store/db.js';
import type { TokenService } from '../../identity/tokens.js';
import type { Policy } from '../../policy/index.js';

export interface IdentityDeps { db: Database; tokens: TokenService; policy: Policy; region: string }
