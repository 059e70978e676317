/**
 * @module
 * The receiving side of forwarded interactive sessions: another server of the cloud opens a WebSocket
 * here when a client reached it and the host's agent is connected here. Only the cluster secret opens it.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Logger } from '../core/log.js';
import type { AgentHub } from './hub.js';
import {
  decodeStreamOpen, SECRET_REQUIRED, secretMatches, SECRET_HEADER, STREAM_HEADER, type ForwardStreamOpen, type StreamControl,
} from './forward-protocol.js';

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
