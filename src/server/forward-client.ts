/**
 * @module
 * The forwarding side: hands a call or an interactive session to the server that holds the agent's
 * connection, over the internal routes of forward-protocol.ts. Whatever keeps the other server from
 * answering (refused connection, timeout, a stale route it reports) is a host_unreachable 503.
 */
import type { IncomingMessage } from 'node:http';
import { WebSocket, type RawData } from 'ws';
import { BerthError, isErrorCode } from '../core/errors.js';
import {
  encodeStreamOpen, FORWARD_CALL_PATH, FORWARD_STREAM_PATH, SECRET_HEADER, STREAM_HEADER,
  type ForwardCall, type ForwardResult, type ForwardStreamOpen, type StreamControl,
} from './forward-protocol.js';
import type { StreamClosed, StreamHandle } from './stream-handle.js';

/** The server that holds a host's agent. */
export interface Peer { url: string; hostName: string }

/** Extra time the forwarding side waits beyond the call's own timeout, which the other server enforces. */
const SLACK_MS = 5_000;
const HANDSHAKE_MS = 10_000;

const unreachable = (peer: Peer, why: string) =>
  new BerthError('host_unreachable', `The compute host ${peer.hostName} is connected to the Berth server at ${peer.url}, which ${why}.`);

function causeOf(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError') return 'timed out';
  return err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
}

/** The message of an error body in any of Berth's formats, or undefined. */
function messageOf(text: string): string | undefined {
  try {
    const j = JSON.parse(text) as { message?: unknown; errors?: { detail?: unknown }[] };
    if (typeof j.message === 'string') return j.message;
    if (typeof j.errors?.[0]?.detail === 'string') return j.errors[0].detail;
  } catch {
    // not JSON
  }
  return undefined;
}

export async function forwardCall(peer: Peer, secret: string, call: ForwardCall): Promise<unknown> {
  let status: number;
  let text: string;
  try {
    const res = await fetch(`${peer.url}${FORWARD_CALL_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SECRET_HEADER]: secret },
      body: JSON.stringify(call),
      signal: AbortSignal.timeout(call.timeoutMs + SLACK_MS),
    });
    status = res.status;
    text = await res.text();
  } catch (e) {
    throw unreachable(peer, `did not answer (${causeOf(e)})`);
  }
  if (status !== 200) throw unreachable(peer, `refused the forwarded call (${status}: ${messageOf(text) ?? 'no reason given'})`);
  let r: ForwardResult;
  try {
    r = JSON.parse(text) as ForwardResult;
  } catch {
    throw unreachable(peer, 'answered the forwarded call with something that is not JSON');
  }
  if (r.ok) return r.value;
  throw new BerthError(isErrorCode(r.error?.code) ? r.error.code : 'internal', String(r.error?.message ?? 'The forwarded call failed.'));
}

function wsUrl(url: string): string {
  return url.replace(/^http/, 'ws') + FORWARD_STREAM_PATH;
}

/** Opens a session on the agent through the server at `peer`; `onClose` is called once, unless close() came first. */
export function forwardStream(peer: Peer, secret: string, open: ForwardStreamOpen, onData: (d: Buffer) => void, onClose: StreamClosed): StreamHandle {
  const ws = new WebSocket(wsUrl(peer.url), {
    headers: { [SECRET_HEADER]: secret, [STREAM_HEADER]: encodeStreamOpen(open) },
    handshakeTimeout: HANDSHAKE_MS,
    maxPayload: 64 * 1024 * 1024,
  });
  let opened = false;
  let ended = false;
  let exitCode: number | undefined;
  const queued: (Buffer | string)[] = [];
  const end = (error?: BerthError) => {
    if (ended) return;
    ended = true;
    onClose(exitCode, error);
  };
  const ready = new Promise<void>((resolve, reject) => {
    const fail = (error: BerthError) => {
      reject(error);
      end(error);
    };
    ws.once('open', () => {
      opened = true;
      for (const m of queued.splice(0)) ws.send(m, { binary: typeof m !== 'string' });
      resolve();
    });
    ws.once('unexpected-response', (req, res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        fail(res.statusCode === 503 && messageOf(text)
          ? new BerthError('host_unreachable', messageOf(text)!)
          : unreachable(peer, `refused the forwarded session (${res.statusCode}: ${messageOf(text) ?? 'no reason given'})`));
        req.destroy();
      });
      res.on('error', () => fail(unreachable(peer, 'broke off its answer')));
    });
    ws.on('error', (e) => {
      if (!opened) fail(unreachable(peer, `did not answer (${causeOf(e)})`));
    });
  });
  ready.catch(() => undefined);
  ws.on('message', (data: RawData, isBinary: boolean) => {
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (isBinary) {
      if (!ended) onData(bytes);
      return;
    }
    try {
      const c = JSON.parse(bytes.toString('utf8')) as StreamControl;
      if (c.type === 'close' && typeof c.exitCode === 'number') exitCode = c.exitCode;
    } catch {
      // ignore what is not a control message
    }
  });
  // 1011: the session broke on the other server (its agent went away); the reason says so.
  ws.on('close', (code: number, reason: Buffer) => end(code === 1011 ? new BerthError('host_unreachable', reason.toString() || unreachable(peer, 'ended the session').message) : undefined));
  const put = (m: Buffer | string) => {
    if (ended) return;
    if (opened) ws.send(m, { binary: typeof m !== 'string' });
    else queued.push(m);
  };
  return {
    ready,
    send: (data) => put(data),
    resize: (width, height) => put(JSON.stringify({ type: 'resize', width, height } satisfies StreamControl)),
    close: () => {
      if (ended) return;
      ended = true;
      if (opened) ws.close(1000, 'session ended');
      else ws.terminate();
    },
  };
}
