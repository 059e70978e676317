import type { FastifyInstance } from 'fastify';
import { typed } from '../app-type.js';
import { baseUrl } from '../server.js';
import type { IdentityDeps } from './deps.js';
import { tokenRoutes } from './tokens.js';
import { projectRoutes } from './projects.js';
import { projectTagRoutes } from './project-tags.js';
import { groupRoutes } from './groups.js';
import { userRoutes } from './users.js';
import { roleRoutes } from './roles.js';
import { inheritRoutes } from './inherit.js';
import { domainRoutes } from './domains.js';
import { catalogRoutes } from './catalog.js';
import { impliedRoleRoutes } from './implied-roles.js';
import { systemRoleRoutes } from './system-roles.js';
import { credentialRoutes } from './credentials.js';
import { applicationCredentialRoutes } from './application-credentials.js';
import { accessRuleRoutes } from './access-rules.js';

export type { IdentityDeps } from './deps.js';

const UPDATED = '2024-04-01T00:00:00Z';

function version(base: string) {
  return {
    id: 'v3.14', status: 'stable', updated: UPDATED,
    links: [{ rel: 'self', href: `${base}/identity/v3/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
  };
}

/** The identity service (Keystone v3 subset) under /identity. */
export async function identityService(app: FastifyInstance, deps: IdentityDeps): Promise<void> {
  app.get('/identity', { config: { auth: false } }, async (req, reply) => {
    reply.code(300);
    return { versions: { values: [version(baseUrl(req))] } };
  });
  app.get('/identity/v3', { config: { auth: false } }, async (req) => ({ version: version(baseUrl(req)) }));
  await typed(app).register(async (v3) => {
    tokenRoutes(v3, deps);
    projectRoutes(v3, deps);
    projectTagRoutes(v3, deps);
    groupRoutes(v3, deps);
    userRoutes(v3, deps);
    roleRoutes(v3, deps);
    inheritRoutes(v3, deps);
    domainRoutes(v3, deps);
    catalogRoutes(v3, deps);
    impliedRoleRoutes(v3, deps);
    systemRoleRoutes(v3, deps);
    credentialRoutes(v3, deps);
    applicationCredentialRoutes(v3, deps);
    accessRuleRoutes(v3, deps);
  }, { prefix: '/identity/v3' });
}
