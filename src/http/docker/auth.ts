import type { FastifyInstance } from 'fastify';
import { BerthError } from '../../core/errors.js';
import type { TokenInfo, TokenService } from '../../identity/tokens.js';
import type { Actor } from '../../container/core.js';
import type { Policy } from '../../policy/index.js';
import { credentialsOf } from '../auth.js';
import { accessAllowed, accessRulesDenied } from '../../identity/access-rules.js';

/** What a tenant reads when the docker CLI sends no token or a bad one. */
export const SETUP_HINT =
  'Berth needs a Keystone token on every Docker API request. Set it up with: eval "$(berth docker-env)" ' +
  '(with your OpenStack credentials in OS_* variables), which writes a docker config whose HttpHeaders send X-Auth-Token; run it again when the token expires.';

/**
 * The token's caller, or the 401 to answer; a token without a project cannot own containers. A token
 * limited by application credential access rules needs one for service `docker` matching the request
 * (its method and Docker API path, without the version prefix).
 */
export async function authenticate(tokens: TokenService, header: string | string[] | undefined, request: { method: string; path: string }): Promise<TokenInfo> {
  if (typeof header !== 'string' || header === '') throw new BerthError('unauthorized', `No X-Auth-Token header. ${SETUP_HINT}`);
  const cached = tokens.validateCached(header);
  const info = cached === 'miss' ? await tokens.validate(header) : cached;
  if (!info) throw new BerthError('unauthorized', `The X-Auth-Token is invalid or has expired. ${SETUP_HINT}`);
  if (!info.projectId) throw new BerthError('unauthorized', `The X-Auth-Token is not scoped to a project. ${SETUP_HINT}`);
  if (info.appCred && !accessAllowed(info.appCred.accessRules, request.method, { service: 'docker', path: request.path.split('?')[0] }))
    throw new BerthError('unauthorized', accessRulesDenied);
  return info;
}

/** Every route but the version ping needs a project-scoped token (routes with config.auth false are open). */
export function registerDockerAuth(app: FastifyInstance, tokens: TokenService): void {
  app.decorateRequest('auth', null as unknown as TokenInfo);
  app.addHook('onRequest', (req, _reply, done) => {
    const route = req.routeOptions.config;
    if (route?.auth === false || !route?.url) return done();
    authenticate(tokens, req.headers['x-auth-token'], { method: req.method, path: req.url }).then((info) => {
      req.auth = info;
      done();
    }, (e: unknown) => done(e as Error));
  });
}

/** The container core's view of a Docker caller; a policy denial is Docker-worded. */
export function dockerActor(policy: Policy, auth: TokenInfo, requestId: string): Actor {
  const creds = credentialsOf(auth);
  return {
    userId: auth.userId,
    projectId: auth.projectId ?? null,
    admin: auth.roles.some((r) => r.name === 'admin'),
    requestId,
    authorize: (rule, target = {}) => {
      const full = { project_id: auth.projectId, user_id: auth.userId, domain_id: auth.domainId, ...target };
      if (!policy.check(rule, creds, full)) throw new BerthError('policy_denied', `Policy doesn't allow ${rule} to be performed.`, { rule });
    },
  };
}
