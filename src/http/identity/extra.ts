/**
 * Keystone's "extra" attributes: whatever a client sends on a user or project beyond the attributes the
 * API defines is stored as it came and echoed back on every read (tempest sets `project_id` on a user).
 * The stored value is a JSON object; the defined attributes always win over an extra of the same name.
 */

const USER_FIELDS = new Set(['id', 'name', 'domain_id', 'default_project_id', 'password', 'enabled', 'email', 'description',
  'links', 'options', 'password_expires_at', 'federated']);
const PROJECT_FIELDS = new Set(['id', 'name', 'domain_id', 'parent_id', 'description', 'enabled', 'is_domain', 'tags',
  'options', 'links']);

function pick(body: Record<string, unknown>, known: Set<string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([k]) => !known.has(k)));
}

/** The stored extra of a new user or project (`kind`) from its request body. */
export function extraOf(kind: 'user' | 'project', body: object): string {
  return JSON.stringify(pick(body as Record<string, unknown>, kind === 'user' ? USER_FIELDS : PROJECT_FIELDS));
}

/** The stored extra after an update: the body's extras replace those of the same name, the rest stay. */
export function mergeExtra(kind: 'user' | 'project', stored: string, body: object): string {
  return JSON.stringify({ ...parseExtra(stored), ...pick(body as Record<string, unknown>, kind === 'user' ? USER_FIELDS : PROJECT_FIELDS) });
}

export function parseExtra(stored: string): Record<string, unknown> {
  const v: unknown = JSON.parse(stored || '{}');
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
