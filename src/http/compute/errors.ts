import type { FastifyReply, FastifyRequest } from 'fastify';
import { faultBody, novaQuotaMessage } from '../../compute/faults.js';
import { toErrorAnswer, type ErrorAnswer } from '../errors.js';

/** Answers an error in Nova's format: `{"itemNotFound": {"message": "...", "code": 404}}`. */
export function sendNovaError(reply: FastifyReply, a: ErrorAnswer): FastifyReply {
  const message = a.code === 'quota_exceeded' ? novaQuotaMessage(a.message) : a.message;
  return reply.code(a.status).type('application/json').send(faultBody(a.status, message));
}

/** The compute scope's error handler: anything thrown, mapped once, in Nova's words. */
export function novaErrorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const a = toErrorAnswer(err, req.id);
  if (a.status >= 500) req.log.error({ err }, 'unexpected error');
  return sendNovaError(reply, a);
}
