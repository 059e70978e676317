import type { FastifyInstance } from 'fastify';
import type { Config } from '../core/config.js';
import type { Logger } from '../core/log.js';
import type { Database } from '../store/db.js';
import { TokenService } from '../identity/tokens.js';
import { Policy } from '../policy/index.js';
import { createApp } from '../http/server.js';
import { registerAuth } from '../http/auth.js';
import { identityService } from '../http/identity/index.js';

export interface Services {
  app: FastifyInstance;
  tokens: TokenService;
  policy: Policy;
}

/** Wires the HTTP services over one database: the pieces every API shares, then each API. */
export async function buildServices(config: Config, db: Database, log: Logger): Promise<Services> {
  const tokens = new TokenService(db, config.tokenTtlSeconds);
  const policy = Policy.load(config.policyFile);
  const app = createApp({ log });
  registerAuth(app, { tokens, requireProjectHeader: config.requireProjectHeader });
  await identityService(app, { db, tokens, policy, region: config.region });
  return { app, tokens, policy };
}
