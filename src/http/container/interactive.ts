import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import { hashSecret, newSecret } from '../../core/ids.js';
import type { AgentHub, StreamHandle } from '../../server/hub.js';
import { toErrorAnswer, zunErrorBody } from '../errors.js';
import { baseUrl } from '../server.js';

export const INTERACTIVE_PREFIX = '/container/v1/interactive/';
const CONNECT_WITHIN_MS = 60_000;

interface Session {
  id: string;
  kind: 'exec' | 'attach';
  uuid: string;
  hostId: string | null;
  projectId: string;
  command?: string[];
  tty?: boolean;
  tokenHash: string;
  token?: string;
  expires: number;
  stream?: StreamHandle;
}

/**
 * Interactive exec and attach: the API hands out a one-time WebSocket URL (as Zun does), the client
 * connects to it, and the session is relayed through the host's agent channel (forwarded to the server
 * that holds it when that is another one). A URL is good for one connection within a minute; its secret
 * is stored hashed. The session is opened before the WebSocket handshake is answered, so a host that
 * cannot be reached is a 503 in Zun's format rather than a socket that closes at once.
 */
export class InteractiveSessions {
  #hub: AgentHub;
  #sessions = new Map<string, Session>();
  #wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has('binary') ? 'binary' : protocols.has('base64') ? 'base64' : false),
  });

  constructor(hub: AgentHub) {
    this.#hub = hub;
  }

  create(s: Omit<Session, 'id' | 'tokenHash' | 'expires'>): { id: string; url: (req: FastifyRequest) => string } {
    this.#sweep();
    const id = randomUUID();
    const token = newSecret('w');
    this.#sessions.set(id, { ...s, id, tokenHash: hashSecret(token), expires: Date.now() + CONNECT_WITHIN_MS });
    return { id, url: (req) => `${baseUrl(req).replace(/^http/, 'ws')}${INTERACTIVE_PREFIX}${id}?token=${token}` };
  }

  resize(execId: string, uuid: string, width: number, height: number): boolean {
    const s = this.#sessions.get(execId);
    if (!s || s.uuid !== uuid) return false;
    s.stream?.resize(width, height);
    return true;
  }

  resizeAttach(uuid: string, width: number, height: number): boolean {
    let found = false;
    for (const s of this.#sessions.values()) if (s.kind === 'attach' && s.uuid === uuid && s.stream) { s.stream.resize(width, height); found = true; }
    return found;
  }

  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const id = url.pathname.slice(INTERACTIVE_PREFIX.length);
    const s = this.#sessions.get(id);
    const token = url.searchParams.get('token') ?? '';
    if (!s || s.stream || s.expires < Date.now() || hashSecret(token) !== s.tokenHash) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"message":"This interactive session does not exist or has been used."}');
      return;
    }
    // Output and an end that come before the client's socket is ready are kept for it.
    let ws: WebSocket | undefined;
    const early: Buffer[] = [];
    let ended: { code: number; reason: string } | undefined;
    const stream = this.#hub.openStream(s.hostId, s.kind, s.uuid, { command: s.command, tty: s.tty ?? true },
      (data) => {
        if (!ws) early.push(data);
        else if (ws.readyState === ws.OPEN) ws.send(data);
      },
      (_exitCode, error) => {
        this.#sessions.delete(s.id);
        ended = error ? { code: 1011, reason: error.message.slice(0, 120) } : { code: 1000, reason: 'session ended' };
        ws?.close(ended.code, ended.reason);
      });
    s.stream = stream; // taken: the URL opens no second session
    try {
      await stream.ready;
    } catch (e) {
      this.#sessions.delete(s.id);
      const requestId = `req-${randomUUID()}`;
      const a = toErrorAnswer(e, requestId);
      socket.end(`HTTP/1.1 ${a.status} ${a.title}\r\nContent-Type: application/json\r\nX-Openstack-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${JSON.stringify(zunErrorBody(requestId, a))}`);
      return;
    }
    if (socket.destroyed) {
      stream.close();
      this.#sessions.delete(s.id);
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (w) => {
      ws = w;
      for (const d of early.splice(0)) w.send(d);
      if (ended) w.close(ended.code, ended.reason);
      w.on('message', (data: Buffer, isBinary: boolean) => {
        stream.send(isBinary ? data : Buffer.from(String(data), w.protocol === 'base64' ? 'base64' : 'utf8'));
      });
      w.on('close', () => {
        stream.close();
        this.#sessions.delete(s.id);
      });
      w.on('error', () => undefined);
    });
  }

  #sweep(): void {
    const now = Date.now();
    for (const [id, s] of this.#sessions) if (!s.stream && s.expires < now) this.#sessions.delete(id);
  }

  close(): void {
    for (const s of this.#sessions.values()) s.stream?.close();
    this.#sessions.clear();
    this.#wss.close();
  }
}
