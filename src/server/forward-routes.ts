/**
 * @module
 * The receiving side of forwarding: the internal routes another server of the cloud calls when a
 * client reached it and the host's agent is connected here. Only the cluster secret opens them.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { BerthError, isBerthError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { CallMethod } from '../agent/protocol.js';
import type { AgentHub } from './hub.js';
import {
  decodeStreamOpen, FORWARD_CALL_PATH, secretMatches, SECRET_HEADER, STREAM_HEADER,
  type ForwardResult, type ForwardStreamOpen, type StreamControl,
} from './forward-protocol.js';

const METHODS: CallMethod[] = ['exec', 'logs', 'top', 'stats', 'get_archive', 'put_archive', 'commit', 'kill', 'resize', 'exec_resize', 'update'];
const ForwardCallBody = Type.Object({
  hostId: Type.String({ minLength: 1, maxLength: 200 }),
  method: Type.Union(METHODS.map((m) => Type.Literal(m))),
  uuid: Type.String({ minLength: 1, maxLength: 200 }),
  params: Type.Record(Type.String(), Type.Unknown()),
  timeoutMs: Type.Integer({ minimum: 1, maximum: 600_000 }),
}, { additionalProperties: false });

const SECRET_REQUIRED = 'This route is for the servers of this cloud only: a valid cluster secret is required.';
/** Archives travel base64-encoded in one JSON body, as on the agent channel. */
const BODY_LIMIT = 64 * 1024 * 1024;

export function forwardRoutes(app: FastifyInstance, deps: { hub: AgentHub; clusterSecret: string }): void {
  app.post(FORWARD_CALL_PATH, {
    config: { auth: false },
    bodyLimit: BODY_LIMIT,
    schema: { body: ForwardCallBody },
    onRequest: async (req) => {
      if (!secretMatches(req.headers[SECRET_HEADER], deps.clusterSecret)) throw new BerthError('unauthorized', SECRET_REQUIRED);
    },
  }, async (req): Promise<ForwardResult> => {
    const b = req.body as Static<typeof ForwardCallBody>;
    try {
      return { ok: true, value: await deps.hub.callLocal(b.hostId, b.method, b.uuid, b.params, b.timeoutMs) };
    } catch (e) {
      if (!isBerthError(e)) throw e;
      return { ok: false, error: { code: e.code, message: e.message } };
    }
  });
}

const refuse = (socket: Duplex, status: string, message: string) =>
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${JSON.stringify({ message })}`);

/** Forwarded interactive sessions: each a WebSocket from another server, relayed to a local agent. */
export class ForwardedStreams {
  #hub: AgentHub;
  #secret: string;
  #log: Logger;
  #wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });

  constructor(deps: { hub: AgentHub; clusterSecret: string; log: Logger }) {
    this.#hub = deps.hub;
    this.#secret = deps.clusterSecret;
    this.#log = deps.log.child({ component: 'forward' });
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!secretMatches(req.headers[SECRET_HEADER], this.#secret)) return void refuse(socket, '401 Unauthorized', SECRET_REQUIRED);
    const open = decodeStreamOpen(req.headers[STREAM_HEADER]);
    if (!open) return void refuse(socket, '400 Bad Request', `The ${STREAM_HEADER} header must hold the session to open.`);
    if (!this.#hub.isConnected(open.hostId)) {
      return void refuse(socket, '503 Service Unavailable', `Cannot ${open.kind}: the compute host's agent is no longer connected to the Berth server it was recorded on.`);
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#relay(ws, open));
  }

  #relay(ws: WebSocket, open: ForwardStreamOpen): void {
    const control = (c: StreamControl) => { if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(c)); };
    const stream = this.#hub.openLocalStream(open.hostId, open.kind, open.uuid, open.params,
      (data) => { if (ws.readyState === ws.OPEN) ws.send(data, { binary: true }); },
      (exitCode, error) => {
        control({ type: 'close', exitCode });
        if (error) ws.close(1011, error.message.slice(0, 120));
        else ws.close(1000, 'session ended');
      });
    if (!stream) {
      ws.close(1011, 'the compute host disconnected');
      return;
    }
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (isBinary) return stream.send(bytes);
      try {
        const c = JSON.parse(bytes.toString('utf8')) as StreamControl;
        if (c.type === 'resize' && Number.isInteger(c.width) && Number.isInteger(c.height)) stream.resize(c.width, c.height);
      } catch {
        this.#log.debug('ignored a control message that is not JSON');
      }
    });
    ws.on('close', () => stream.close());
    ws.on('error', () => undefined);
  }

  close(): void {
    for (const ws of this.#wss.clients) ws.terminate();
    this.#wss.close();
  }
}
