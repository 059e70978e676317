/**
 * Application credential rules, as pure functions. An application credential logs its user in to one
 * project with some of the roles the user held there when it was made; it works only while the user
 * still holds every one of them, and until it expires.
 */

/** The instant an expiry names: an ISO 8601 time, UTC when it gives no zone (as Keystone reads it). */
export function expiryMs(expiresAt: string): number {
  return Date.parse(/(Z|[+-]\d\d:?\d\d)$/i.test(expiresAt) ? expiresAt : `${expiresAt}Z`);
}

export function isExpired(expiresAt: string | null, nowMs: number): boolean {
  return expiresAt !== null && expiryMs(expiresAt) <= nowMs;
}

/**
 * The roles a token made with the credential carries: the credential's, when the user still holds all
 * of them on its project; none (no valid token) otherwise.
 */
export function appCredRoles<R extends { id: string }>(held: readonly R[], granted: readonly string[]): R[] {
  const byId = new Map(held.map((r) => [r.id, r]));
  if (granted.length === 0 || granted.some((id) => !byId.has(id))) return [];
  return granted.map((id) => byId.get(id)!);
}
