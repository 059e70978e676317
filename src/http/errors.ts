import type { FastifyReply, FastifyRequest } from 'fastify';
import { BerthError, isBerthError } from '../core/errors.js';

/** An error as the edge answers it, before the client family's formatting. */
export interface ErrorAnswer { status: number; title: string; message: string; code: string }

const titles: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  406: 'Not Acceptable', 409: 'Conflict', 413: 'Request Entity Too Large', 414: 'Request-URI Too Long', 415: 'Unsupported Media Type',
  500: 'Internal Server Error', 501: 'Not Implemented', 503: 'Service Unavailable',
};
export const titleOf = (status: number) => titles[status] ?? 'Error';

interface FastifyLikeError { statusCode?: number; code?: string; message?: string; validation?: unknown; validationContext?: string }

/**
 * Maps anything thrown by a handler or by Fastify to an answer: BerthError as it says, Fastify's own
 * client errors (bad JSON, body too large, schema validation) as 4xx with a plain message, and anything
 * else as a 500 that says only the request id (the cause is logged once).
 */
export function toErrorAnswer(err: unknown, requestId: string): ErrorAnswer {
  if (isBerthError(err)) return { status: err.status, title: titleOf(err.status), message: err.message, code: err.code };
  const constraint = constraintAnswer(err);
  if (constraint) return constraint;
  const e = err as FastifyLikeError;
  if (e && typeof e === 'object' && e.validation) {
    const where = e.validationContext ?? 'body';
    return { status: 400, title: titleOf(400), message: `Invalid input for ${where}: ${cleanValidation(e.message ?? '')}${unexpected(e.validation)}`, code: 'validation_failed' };
  }
  if (e && typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    let message = e.message ?? titleOf(e.statusCode);
    if ((e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/.test(e.message ?? '') && e.statusCode === 400) && !message.startsWith('Malformed JSON'))
      message = `Malformed JSON in request body: ${e.message}`;
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') message = 'Request body is larger than the limit of 1 MiB.';
    if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') message = `Unsupported Content-Type: ${e.message}`;
    return { status: e.statusCode, title: titleOf(e.statusCode), message, code: e.code ?? 'bad_request' };
  }
  return { status: 500, title: titleOf(500), message: `An unexpected error prevented the server from fulfilling your request. Request id: ${requestId}`, code: 'internal' };
}

interface DatabaseLikeError { code?: unknown; table?: string; message?: string }

/**
 * A write that lost a race to a uniqueness or reference constraint (two creates or renames to one name
 * at once, a grant to a user deleted meanwhile) is a conflict, not a server fault. Handlers check first
 * and answer their own 409; this covers the window between their check and their write, on both
 * databases (PostgreSQL SQLSTATEs 23505/23503, SQLite's extended result codes).
 */
function constraintAnswer(err: unknown): ErrorAnswer | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as DatabaseLikeError;
  const unique = e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  const reference = e.code === '23503' || e.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
  if (!unique && !reference) return undefined;
  const table = e.table ?? /constraint failed: (\w+)\./.exec(e.message ?? '')?.[1];
  const what = table ? table.replace(/s$/, '') : 'the resource';
  const message = unique
    ? `Conflict occurred attempting to store ${what} - Duplicate entry.`
    : `Conflict occurred attempting to store ${what} - it refers to something that no longer exists.`;
  return { status: 409, title: titleOf(409), message, code: 'conflict' };
}

/** Names the field a schema did not expect (Ajv's message alone does not). */
function unexpected(validation: unknown): string {
  const first = Array.isArray(validation) ? (validation[0] as { keyword?: string; params?: { additionalProperty?: unknown } } | undefined) : undefined;
  const field = first?.keyword === 'additionalProperties' ? first.params?.additionalProperty : undefined;
  return typeof field === 'string' ? ` ('${field.slice(0, 64)}' was unexpected)` : '';
}

function cleanValidation(m: string): string {
  return m.replace(/^(body|querystring|params|headers)\/?/, '').trim() || m;
}

export function sendKeystoneError(reply: FastifyReply, a: ErrorAnswer): FastifyReply {
  return reply.code(a.status).type('application/json').send({ error: { code: a.status, title: a.title, message: a.message } });
}

/** Zun's error body: {"errors":[…]} with one entry. */
export function zunErrorBody(requestId: string, a: ErrorAnswer) {
  return { errors: [{ request_id: requestId, code: `berth.${a.code}`, status: a.status, title: a.message, detail: a.message, links: [] }] };
}

export function sendZunError(reply: FastifyReply, req: FastifyRequest, a: ErrorAnswer): FastifyReply {
  return reply.code(a.status).type('application/json').send(zunErrorBody(req.id, a));
}

export function sendPlainError(reply: FastifyReply, a: ErrorAnswer): FastifyReply {
  return reply.code(a.status).type('application/json').send({ message: a.message });
}

export function notFoundError(what: string, id: string): BerthError {
  return new BerthError('not_found', `Could not find ${what}: ${id}.`);
}
