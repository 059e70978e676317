/**
 * One error type for everything Berth refuses on purpose. Each code has a fixed HTTP status; the edge
 * formats it for the client family (Keystone, Zun, Docker). Anything else is unexpected and becomes a 500
 * with a request id only.
 */
export const errorCatalog = {
  bad_request: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  policy_denied: 403,
  not_found: 404,
  not_acceptable: 406,
  conflict: 409,
  name_taken: 409,
  busy: 409,
  invalid_state: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  quota_exceeded: 403,
  no_valid_host: 400,
  /** A feature this cloud does not offer (Docker's swarm, plugins...). */
  not_implemented: 501,
  unavailable: 503,
  /** The compute host's agent is connected to no server, or the server that holds it does not answer. */
  host_unreachable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof errorCatalog;

export class BerthError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'BerthError';
    this.code = code;
    this.status = errorCatalog[code];
    this.details = details;
  }
}

export const badRequest = (m: string) => new BerthError('bad_request', m);
export const notFound = (m: string) => new BerthError('not_found', m);
export const conflict = (m: string) => new BerthError('conflict', m);
export const forbidden = (m: string) => new BerthError('forbidden', m);
export const unauthorized = (m = 'The request you have made requires authentication.') =>
  new BerthError('unauthorized', m);

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(errorCatalog, code);
}

export function isBerthError(e: unknown): e is BerthError {
  return e instanceof BerthError;
}
