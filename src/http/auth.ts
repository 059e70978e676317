import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BerthError } from '../core/errors.js';
import type { TokenInfo, TokenService } from '../identity/tokens.js';
import type { Credentials, Policy, Target } from '../policy/index.js';
import { familyOf } from './server.js';
import { accessAllowed, accessRulesDenied, serviceRequest } from '../identity/access-rules.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The validated token of the caller; set on every route that is not public. */
    auth: TokenInfo;
  }
}

export interface AuthOptions { tokens: TokenService; requireProjectHeader: boolean }

/**
 * One authentication hook for every API: a valid X-Auth-Token or 401; X-Auth-Project-Id, when sent
 * (or when required), must name the token's project or 403.
 */
export function registerAuth(app: FastifyInstance, opts: AuthOptions): void {
  app.decorateRequest('auth', null as unknown as TokenInfo);
  // A callback hook: a token found in the validation cache is checked without a promise, which is most
  // requests of a busy client.
  app.addHook('onRequest', (req, _reply, done) => {
    const route = req.routeOptions.config; // a getter that builds an object: read it once
    if (route?.auth === false) return done();
    if (!route?.url) return done(); // unknown route: the not-found handler answers
    const token = req.headers['x-auth-token'];
    if (typeof token !== 'string' || token === '') return done(unauthorized());
    const cached = opts.tokens.validateCached(token);
    if (cached !== 'miss') return done(admit(req, cached, opts));
    opts.tokens.validate(token).then((info) => done(admit(req, info, opts)), (e: unknown) => done(e as Error));
  });
}

const unauthorized = () => new BerthError('unauthorized', 'The request you have made requires authentication.');

/** Sets req.auth for a valid token, or gives the error to answer with. */
function admit(req: FastifyRequest, info: TokenInfo | undefined, opts: AuthOptions): BerthError | undefined {
  if (!info) return unauthorized();
  if (info.appCred && !accessAllowed(info.appCred.accessRules, req.method, serviceRequest(req.url))) return new BerthError('unauthorized', accessRulesDenied);
  const projectHeader = req.headers['x-auth-project-id'] ?? req.headers['x-project-id'];
  if (projectHeader !== undefined) {
    if (projectHeader !== info.projectId && projectHeader !== info.projectName)
      return new BerthError('forbidden', 'X-Auth-Project-Id does not match the project of the token.');
  } else if (opts.requireProjectHeader && familyOf(req.url) !== 'keystone') {
    return new BerthError('forbidden', 'X-Auth-Project-Id is required on this cloud.');
  }
  req.auth = info;
  return undefined;
}

export function credentialsOf(info: TokenInfo): Credentials {
  return { userId: info.userId, projectId: info.projectId, domainId: info.domainId, projectDomainId: info.projectDomainId, roles: info.roles.map((r) => r.name) };
}

export function isAdmin(req: FastifyRequest): boolean {
  return req.auth.roles.some((r) => r.name === 'admin');
}

/** Enforces a policy rule; a denial is a 403 that names the rule, in the words of the client family. */
export function enforce(policy: Policy, req: FastifyRequest, action: string, target: Target = {}): void {
  const creds = credentialsOf(req.auth);
  const full: Target = { project_id: req.auth.projectId, user_id: req.auth.userId, domain_id: req.auth.domainId, ...target };
  if (policy.check(action, creds, full)) return;
  const message = familyOf(req.url) === 'keystone'
    ? `You are not authorized to perform the requested action: ${action}.`
    : `Policy doesn't allow ${action} to be performed.`;
  throw new BerthError('policy_denied', message, { rule: action });
}
