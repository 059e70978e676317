import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isBerthError } from '../../core/errors.js';
import { TemplateError } from '../../stack/template/index.js';
import { toErrorAnswer, type ErrorAnswer } from '../errors.js';

const explanations: Record<number, string> = {
  400: 'The server could not comply with the request since it is either malformed or otherwise incorrect.',
  401: 'This server could not verify that you are authorized to access the document you requested.',
  403: 'Access was denied to this resource.',
  404: 'The resource could not be found.',
  405: 'The method specified is not allowed for this resource.',
  409: 'There was a conflict when trying to complete your request.',
  413: 'The request is larger than the server is willing or able to process.',
  415: 'The request media type is not supported by this server.',
  500: 'The server has either erred or is incapable of performing the requested operation.',
  503: 'The server is currently unavailable.',
};

/** Heat's error type names for Berth's error codes. */
const types: Record<string, string> = {
  not_found: 'EntityNotFound', conflict: 'StackExists', busy: 'ActionInProgress', policy_denied: 'Forbidden', forbidden: 'Forbidden',
  unauthorized: 'NotAuthenticated', quota_exceeded: 'OverLimit', validation_failed: 'HTTPBadRequest', bad_request: 'StackValidationFailed',
};

/** Heat's names for errors of the web layer (bad JSON, schema validation, unknown paths). */
const byStatus: Record<number, string> = { 400: 'HTTPBadRequest', 404: 'HTTPNotFound', 405: 'HTTPMethodNotAllowed', 413: 'RequestLimitExceeded', 415: 'HTTPUnsupportedMediaType', 500: 'HTTPInternalServerError' };

/**
 * Heat's error body, which heatclient prints as `ERROR: <message>`:
 * `{"code", "title", "explanation", "error": {"message", "type", "traceback": null}}`. Template errors are
 * 400 StackValidationFailed with the engine's message.
 */
export function sendHeatError(err: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const a = err instanceof TemplateError
    ? { status: 400, title: 'Bad Request', message: err.message, code: 'bad_request' }
    : toErrorAnswer(err, req.id);
  if (a.status >= 500) req.log.error({ err }, 'unexpected error');
  const type = err instanceof TemplateError ? 'StackValidationFailed' : isBerthError(err) ? types[err.code] ?? err.code : byStatus[a.status] ?? 'HTTPException';
  return sendHeatAnswer(reply, a, type);
}

/** An answer decided before the orchestration routes (the server's framework errors) in Heat's format. */
export function sendHeatAnswer(reply: FastifyReply, a: ErrorAnswer, type = byStatus[a.status] ?? 'HTTPException'): FastifyReply {
  return reply.code(a.status).type('application/json').send({
    code: a.status, title: a.title, explanation: explanations[a.status] ?? a.title,
    error: { message: a.message, type, traceback: null },
  });
}

export const heatErrorHandler = (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => sendHeatError(err, req, reply);
