/**
 * @module
 * The receiving side of forwarded agent calls: `POST /agent/v1/forward/call`, which another server of
 * the cloud calls when a client reached it and the host's agent is connected here. Only the cluster
 * secret opens it (401 otherwise, tenant tokens included); the call's own failure travels in the answer.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { BerthError, isBerthError } from '../core/errors.js';
import type { CallMethod } from '../agent/protocol.js';
import type { AgentHub } from '../server/hub.js';
import { FORWARD_CALL_PATH, SECRET_HEADER, SECRET_REQUIRED, secretMatches, type ForwardResult } from '../server/forward-protocol.js';
import { typed } from './app-type.js';

/** Every call method once (the compiler checks the list against CallMethod). */
const METHOD_SET = {
  exec: true, logs: true, top: true, stats: true, get_archive: true, put_archive: true, commit: true, kill: true, resize: true, exec_resize: true,
  image_load: true, image_remove: true,
} satisfies Record<CallMethod, true>;
const METHODS = Object.keys(METHOD_SET) as CallMethod[];

const ForwardCallBody = Type.Object({
  hostId: Type.String({ minLength: 1, maxLength: 200 }),
  method: Type.Union(METHODS.map((m) => Type.Literal(m))),
  uuid: Type.String({ minLength: 1, maxLength: 200 }),
  params: Type.Record(Type.String(), Type.Unknown()),
  timeoutMs: Type.Integer({ minimum: 1, maximum: 600_000 }),
}, { additionalProperties: false });

/** Archives travel base64-encoded in one JSON body, as on the agent channel. */
const BODY_LIMIT = 64 * 1024 * 1024;

export function forwardRoutes(app: FastifyInstance, deps: { hub: AgentHub; clusterSecret: string }): void {
  typed(app).post(FORWARD_CALL_PATH, {
    config: { auth: false },
    bodyLimit: BODY_LIMIT,
    schema: { body: ForwardCallBody },
    onRequest: async (req) => {
      if (!secretMatches(req.headers[SECRET_HEADER], deps.clusterSecret)) throw new BerthError('unauthorized', SECRET_REQUIRED);
    },
  }, async (req): Promise<ForwardResult> => {
    const b = req.body;
    try {
      return { ok: true, value: await deps.hub.callLocal(b.hostId, b.method, b.uuid, b.params, b.timeoutMs) };
    } catch (e) {
      if (!isBerthError(e)) throw e;
      return { ok: false, error: { code: e.code, message: e.message } };
    }
  });
}
