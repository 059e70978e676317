/**
 * @module
 * The agent's end of the server channel: one WebSocket that the agent dials and re-dials forever, with
 * backoff, until stopped. It knows nothing about what the messages mean.
 */
import { WebSocket, type RawData } from 'ws';
import type { Logger } from '../core/log.js';
import { AGENT_PATH, HEARTBEAT_SECONDS, type AgentMessage, type ServerMessage } from './protocol.js';

export const FIRST_RETRY_MS = 200;
export const MAX_RETRY_MS = 5_000;
/** A server that answers no ping for this long is gone even if TCP has not noticed. */
const PONG_TIMEOUT_MS = 3 * HEARTBEAT_SECONDS * 1000;

export interface ConnectionHandlers {
  onOpen: () => void;
  onMessage: (message: ServerMessage) => void;
  onClose: () => void;
}

export interface ConnectionOptions {
  serverUrl: string;
  credential: string;
  log: Logger;
  handlers: ConnectionHandlers;
}

/** `http://h:p/base` → `ws://h:p/base/agent/v1/connect` (https → wss). */
export function agentUrl(serverUrl: string): string {
  const u = new URL(serverUrl);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  else if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new Error(`unsupported server URL scheme ${u.protocol}`);
  u.pathname = u.pathname.replace(/\/+$/, '') + AGENT_PATH;
  u.search = '';
  u.hash = '';
  return u.toString();
}

export class Connection {
  readonly #o: ConnectionOptions;
  readonly #url: string;
  #ws: WebSocket | undefined;
  #stopped = false;
  #delay = FIRST_RETRY_MS;
  #retry: NodeJS.Timeout | undefined;
  #ping: NodeJS.Timeout | undefined;
  #lastPong = 0;
  #failures = 0;

  constructor(options: ConnectionOptions) {
    this.#o = options;
    this.#url = agentUrl(options.serverUrl);
  }

  get open(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  start(): void {
    this.#stopped = false;
    this.#dial();
  }

  /** False when there is no open socket; the message is dropped (the server resyncs after reconnecting). */
  send(message: AgentMessage): boolean {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(message));
    return true;
  }

  /** The server accepted this agent: the next outage starts again from the shortest backoff. */
  markHealthy(): void {
    this.#delay = FIRST_RETRY_MS;
    this.#failures = 0;
  }

  /** Closes the current socket; a new one is dialled after the backoff. */
  drop(reason: string): void {
    this.#ws?.close(1011, reason.slice(0, 120));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    const ws = this.#ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 1_000);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.close(1000, 'agent stopping');
    });
  }

  /** Every retry fails the same way: say it once per outage, then only at debug level. */
  #complain(line: Record<string, unknown>, message: string): void {
    this.#failures++;
    if (this.#failures === 1) this.#o.log.warn(line, message);
    else this.#o.log.debug(line, message);
  }

  #dial(): void {
    if (this.#stopped) return;
    const { log, credential, handlers } = this.#o;
    const ws = new WebSocket(this.#url, {
      headers: { Authorization: `Bearer ${credential}` },
      handshakeTimeout: 10_000,
    });
    this.#ws = ws;
    let opened = false;

    ws.on('open', () => {
      opened = true;
      log.info({ url: this.#url }, 'connected to server');
      this.#lastPong = Date.now();
      this.#ping = setInterval(() => {
        if (Date.now() - this.#lastPong > PONG_TIMEOUT_MS) {
          log.warn('server stopped answering pings');
          ws.terminate();
          return;
        }
        ws.ping();
      }, HEARTBEAT_SECONDS * 1000);
      handlers.onOpen();
    });
    ws.on('pong', () => {
      this.#lastPong = Date.now();
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const message = parse(data, isBinary);
      if (!message) {
        log.warn('ignoring a malformed message from the server');
        return;
      }
      handlers.onMessage(message);
    });
    let refused = false;
    ws.on('unexpected-response', (_req, res) => {
      refused = true;
      this.#complain({ url: this.#url, status: res.statusCode }, 'server refused the agent connection; retrying');
      ws.terminate();
    });
    ws.on('error', (e) => {
      if (!refused) this.#complain({ url: this.#url, err: e.message }, 'cannot reach server; retrying');
    });
    ws.on('close', (code: number) => {
      clearInterval(this.#ping);
      if (this.#ws === ws) this.#ws = undefined;
      if (opened) {
        log.info({ code }, 'disconnected from server');
        handlers.onClose();
      }
      if (this.#stopped) return;
      this.#retry = setTimeout(() => this.#dial(), this.#delay);
      this.#delay = Math.min(this.#delay * 2, MAX_RETRY_MS);
    });
  }
}

function parse(data: RawData, isBinary: boolean): ServerMessage | null {
  if (isBinary) return null;
  const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  const text = buf.toString('utf8');
  try {
    const m = JSON.parse(text) as { type?: unknown };
    return m && typeof m === 'object' && typeof m.type === 'string' ? (m as ServerMessage) : null;
  } catch {
    return null;
  }
}
