import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** Keystone-style id: 32 lowercase hex characters. */
export function newId(): string {
  return randomBytes(16).toString('hex');
}

/** Zun-style uuid with dashes. */
export function newUuid(): string {
  return randomUUID();
}

/** A bearer secret (token, host credential): 32 random bytes, url-safe, with a short kind prefix. */
export function newSecret(prefix = 'b'): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** Secrets are stored only as this hash; a lookup is a primary-key match. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A stable id derived from a name (for catalog entries that exist by definition). */
export function stableId(name: string): string {
  return createHash('sha256').update(name).digest('hex').slice(0, 32);
}
