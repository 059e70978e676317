import { serviceDefinitions } from './catalog.js';

/**
 * Application credential access rules, as pure decisions. A rule names a service type, an HTTP method
 * and a path pattern; a token made with an application credential that has rules is accepted only for
 * requests one of them matches. Paths are the service's own, as keystonemiddleware sees them: the part
 * after the service's mount point, version included (`/v3/users/*` for identity, `/v2/images` for the
 * image service). In a pattern `*` is one path segment, `**` any number, `{name}` one segment.
 */
export interface AccessRule { service: string; method: string; path: string }

export const accessRuleMethods = ['HEAD', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Keystone's 400 message for a rule it would refuse, else undefined. */
export function accessRuleProblem(r: AccessRule): string | undefined {
  if (!(accessRuleMethods as readonly string[]).includes(r.method))
    return `Invalid input for field 'method': '${r.method}' is not one of ${accessRuleMethods.join(', ')}.`;
  if (!r.path.startsWith('/')) return `Invalid input for field 'path': '${r.path}' does not start with '/'.`;
  if (r.service === '') return "Invalid input for field 'service': it is empty.";
  return undefined;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The regular expression a path pattern stands for (keystonemiddleware's translation). */
export function pathPattern(pattern: string): RegExp {
  let out = '';
  for (const m of pattern.matchAll(/(\{[^}]*\})|(\*\*)|(\*)|([^{}*])/g)) {
    if (m[1] || m[3]) out += '[^/]+';
    else if (m[2]) out += '.*';
    else out += escape(m[4]);
  }
  return new RegExp(`^${out}$`);
}

export function ruleMatches(r: AccessRule, service: string, method: string, path: string): boolean {
  return r.service === service && r.method === method && pathPattern(r.path).test(path);
}

/**
 * Which of Berth's services a request URL (path and query, as received) is for, and the path the
 * service sees; undefined when it is none of them.
 */
export function serviceRequest(url: string): { service: string; path: string } | undefined {
  const path = url.split('?')[0];
  for (const s of serviceDefinitions) {
    const mount = `/${s.path.split('/')[1]}`;
    if (path === mount || path.startsWith(`${mount}/`)) return { service: s.type, path: path.slice(mount.length) || '/' };
  }
  return undefined;
}

/** The 401 message for a request a token's access rules do not allow. */
export const accessRulesDenied = 'The application credential of this token has access rules, and none of them allows this request.';

/**
 * Whether a token limited to `rules` may make this request. No rules: any request. A request outside
 * Berth's services (the Docker endpoint passes service `docker` and its API path) is allowed only by a
 * rule for that service.
 */
export function accessAllowed(rules: readonly AccessRule[] | undefined, method: string, target: { service: string; path: string } | undefined): boolean {
  if (!rules || rules.length === 0) return true;
  if (!target) return false;
  const m = method.toUpperCase();
  return rules.some((r) => ruleMatches(r, target.service, m, target.path));
}
