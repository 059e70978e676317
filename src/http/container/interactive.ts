import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import { hashSecret, newSecret } from '../../core/ids.js';
import type { AgentHub, StreamHandle } from '../../server/hub.js';
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
 * connects to it, and the session is relayed through the host's agent channel. A URL is good for one
 * connection within a minute; its secret is stored hashed.
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

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const id = url.pathname.slice(INTERACTIVE_PREFIX.length);
    const s = this.#sessions.get(id);
    const token = url.searchParams.get('token') ?? '';
    if (!s || s.stream || s.expires < Date.now() || hashSecret(token) !== s.tokenHash) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"message":"This interactive session does not exist or has been used."}');
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#relay(ws, s));
  }

  #relay(ws: WebSocket, s: Session): void {
    let stream: StreamHandle;
    try {
      stream = this.#hub.openStream(s.hostId, s.kind, s.uuid, { command: s.command, tty: s.tty ?? true },
        (data) => { if (ws.readyState === ws.OPEN) ws.send(data); },
        () => { this.#sessions.delete(s.id); ws.close(1000, 'session ended'); });
    } catch (e) {
      ws.close(1011, (e as Error).message.slice(0, 120));
      this.#sessions.delete(s.id);
      return;
    }
    s.stream = stream;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const bytes = isBinary ? data : Buffer.from(String(data), ws.protocol === 'base64' ? 'base64' : 'utf8');
      stream.send(bytes);
    });
    ws.on('close', () => {
      stream.close();
      this.#sessions.delete(s.id);
    });
    ws.on('error', () => undefined);
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
