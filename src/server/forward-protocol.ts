import { STREAM_KINDS, type StreamKind } from '../agent/protocol.js';
/**
 * @module
 * The internal routes over which one server hands an agent call to the server that holds the agent's
 * connection. Both carry the cluster secret (shared by every server through the database) in one header
 * and are refused with 401 without it; a tenant token opens neither.
 *
 * - `POST /agent/v1/forward/call` with a {@link ForwardCall} body answers 200 with a {@link ForwardResult}
 *   (the call's own failure travels inside it, with its error code: host_unreachable when the agent is
 *   no longer connected to that server).
 * - `GET /agent/v1/forward/stream` is a WebSocket; the header {@link STREAM_HEADER} carries a
 *   {@link ForwardStreamOpen} as base64url JSON. Binary frames are the session's bytes both ways; text
 *   frames are control messages ({@link StreamControl}). An agent no longer connected there refuses the
 *   handshake with 503; a session its agent's disconnect breaks closes with 1011 and the reason.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ErrorCode } from '../core/errors.js';
import type { CallMethod } from '../agent/protocol.js';

export const FORWARD_CALL_PATH = '/agent/v1/forward/call';
export const FORWARD_STREAM_PATH = '/agent/v1/forward/stream';
export const SECRET_HEADER = 'x-berth-cluster-secret';
export const STREAM_HEADER = 'x-berth-stream';
export const SECRET_REQUIRED = 'This route is for the servers of this cloud only: a valid cluster secret is required.';

export interface ForwardCall { hostId: string; method: CallMethod; uuid: string; params: Record<string, unknown>; timeoutMs: number }
export type ForwardResult = { ok: true; value: unknown } | { ok: false; error: { code: ErrorCode; message: string } };
export interface ForwardStreamOpen { hostId: string; kind: StreamKind; uuid: string; params: Record<string, unknown> }
export type StreamControl = { type: 'resize'; width: number; height: number } | { type: 'close'; exitCode?: number };

/** Compares a presented secret with the cluster's in constant time (over digests, so lengths do not leak). */
export function secretMatches(given: unknown, secret: string): boolean {
  if (typeof given !== 'string' || given === '') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b);
}

export function encodeStreamOpen(o: ForwardStreamOpen): string {
  return Buffer.from(JSON.stringify(o)).toString('base64url');
}

/** The open request of a forwarded stream, or undefined when the header is missing or malformed. */
export function decodeStreamOpen(header: unknown): ForwardStreamOpen | undefined {
  if (typeof header !== 'string') return undefined;
  try {
    const o = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Partial<ForwardStreamOpen>;
    if (typeof o.hostId !== 'string' || typeof o.uuid !== 'string' || !STREAM_KINDS.includes(o.kind as StreamKind)) return undefined;
    if (typeof o.params !== 'object' || o.params === null || Array.isArray(o.params)) return undefined;
    return { hostId: o.hostId, kind: o.kind as StreamKind, uuid: o.uuid, params: o.params };
  } catch {
    return undefined;
  }
}
