import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../core/log.js';
import { BerthError } from '../core/errors.js';
import { hashSecret } from '../core/ids.js';
import type { Database } from '../store/db.js';
import * as repo from '../store/container-repo.js';
import { PROTOCOL_VERSION, type AgentMessage, type CallMethod, type HostInfo, type ObservedStatus, type ServerMessage } from '../agent/protocol.js';
import type { ChangeBus } from './changes.js';
import { desiredKey, desiredOf } from './desired.js';
import { applyStatuses } from './status.js';

interface Connection {
  ws: WebSocket;
  hostId: string;
  hostName: string;
  sent: Map<string, string>;
  pushing: Promise<void>;
  pending: boolean;
}

export interface StreamHandle {
  send(data: Buffer): void;
  resize(width: number, height: number): void;
  close(): void;
}

const RESYNC_MS = 10_000;

/**
 * The server's end of the agent channel: authenticates agents by host credential, records their host,
 * pushes desired state when the change bus says a host changed (and in full every ten seconds), writes
 * what agents report, and relays calls and interactive streams to the host that runs a container.
 */
export class AgentHub {
  #db: Database;
  #log: Logger;
  #bus: ChangeBus;
  #cloudId: string;
  #wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  #byHost = new Map<string, Connection>();
  #calls = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  #streams = new Map<string, { onData: (d: Buffer) => void; onClose: (exitCode?: number) => void }>();
  #unsubscribe: () => void;
  #timer: NodeJS.Timeout;

  constructor(deps: { db: Database; log: Logger; bus: ChangeBus; cloudId: string }) {
    this.#db = deps.db;
    this.#log = deps.log.child({ component: 'hub' });
    this.#bus = deps.bus;
    this.#cloudId = deps.cloudId;
    this.#unsubscribe = this.#bus.subscribe((hostId) => this.#schedulePush(hostId, false));
    this.#timer = setInterval(() => { for (const id of this.#byHost.keys()) this.#schedulePush(id, true); }, RESYNC_MS);
    this.#timer.unref();
  }

  connectedHosts(): string[] {
    return [...this.#byHost.keys()];
  }

  isConnected(hostId: string): boolean {
    return this.#byHost.has(hostId);
  }

  /** Handles an HTTP upgrade on the agent path; answers 401 to a bad credential. */
  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const auth = req.headers.authorization ?? '';
    const credential = /^Bearer (.+)$/.exec(auth)?.[1];
    const host = credential ? await repo.getHostByCredential(this.#db.kysely, hashSecret(credential)) : undefined;
    if (!host) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"message":"A valid host credential is required."}');
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, host.id, host.name));
  }

  #accept(ws: WebSocket, hostId: string, hostName: string): void {
    const previous = this.#byHost.get(hostId);
    if (previous) previous.ws.close(4000, 'replaced by a newer connection');
    const conn: Connection = { ws, hostId, hostName, sent: new Map(), pushing: Promise.resolve(), pending: false };
    ws.on('message', (raw) => {
      let msg: AgentMessage;
      try {
        msg = JSON.parse(textOf(raw)) as AgentMessage;
      } catch {
        return;
      }
      this.#onMessage(conn, msg).catch((err) => this.#log.error({ err, host: hostName }, 'agent message failed'));
    });
    ws.on('close', () => {
      if (this.#byHost.get(hostId) === conn) this.#byHost.delete(hostId);
      for (const [id, c] of this.#calls) if (id.startsWith(`${hostId}:`)) { clearTimeout(c.timer); c.reject(new BerthError('conflict', `The compute host ${hostName} disconnected.`)); this.#calls.delete(id); }
      this.#log.info({ host: hostName }, 'agent disconnected');
    });
    ws.on('error', () => undefined);
  }

  async #onMessage(conn: Connection, msg: AgentMessage): Promise<void> {
    switch (msg.type) {
      case 'hello':
        await this.#hello(conn, msg.host);
        return;
      case 'heartbeat':
        await repo.updateHost(this.#db.kysely, conn.hostId, { last_seen_at: new Date().toISOString() });
        return;
      case 'status':
        await this.#status(conn, msg.updates);
        return;
      case 'result': {
        const key = `${conn.hostId}:${msg.id}`;
        const call = this.#calls.get(key);
        if (!call) return;
        this.#calls.delete(key);
        clearTimeout(call.timer);
        if (msg.ok) call.resolve(msg.value);
        else {
          const status = msg.error.status >= 400 && msg.error.status < 500 ? msg.error.status : 500;
          const code = status === 404 ? 'not_found' : status === 409 ? 'conflict' : status < 500 ? 'bad_request' : 'internal';
          call.reject(new BerthError(code, msg.error.message));
        }
        return;
      }
      case 'stream-data':
        this.#streams.get(msg.sid)?.onData(Buffer.from(msg.data, 'base64'));
        return;
      case 'stream-close': {
        const s = this.#streams.get(msg.sid);
        this.#streams.delete(msg.sid);
        s?.onClose(msg.exitCode);
        return;
      }
    }
  }

  async #hello(conn: Connection, info: HostInfo): Promise<void> {
    await repo.updateHost(this.#db.kysely, conn.hostId, {
      cpus: info.cpus, memory_mb: info.memoryMb, disk_gb: info.diskGb, max_containers: info.maxContainers,
      runtimes: JSON.stringify(info.runtimes), engine_version: info.engineVersion, os: info.os,
      labels: JSON.stringify(info.labels ?? {}), zone: info.zone ?? 'nova', last_seen_at: new Date().toISOString(),
    });
    this.#byHost.set(conn.hostId, conn);
    await this.#bus.publish(conn.hostId);
    this.#send(conn, { type: 'welcome', hostId: conn.hostId, cloudId: this.#cloudId, protocol: PROTOCOL_VERSION });
    this.#log.info({ host: conn.hostName }, 'agent connected');
    this.#schedulePush(conn.hostId, true);
  }

  async #status(conn: Connection, updates: ObservedStatus[]): Promise<void> {
    const changedHosts = await applyStatuses(this.#db, conn.hostId, updates);
    await repo.updateHost(this.#db.kysely, conn.hostId, { last_seen_at: new Date().toISOString() });
    // Other servers' host indexes re-read the host; this server's hub pushes the change to the agent.
    if (changedHosts) await this.#bus.publish(conn.hostId);
  }

  /** Coalesces pushes per host: at most one in flight and one queued. */
  #schedulePush(hostId: string, full: boolean): void {
    const conn = this.#byHost.get(hostId);
    if (!conn) return;
    if (full) conn.sent.clear();
    if (conn.pending) return;
    conn.pending = true;
    conn.pushing = conn.pushing.then(async () => {
      conn.pending = false;
      await this.#push(conn, full || conn.sent.size === 0);
    }).catch((err) => this.#log.error({ err }, 'desired push failed'));
  }

  async #push(conn: Connection, full: boolean): Promise<void> {
    const rows = await repo.containersOfHost(this.#db.kysely, conn.hostId);
    const all = rows.map(desiredOf);
    const changed = full ? all : all.filter((d) => conn.sent.get(d.uuid) !== desiredKey(d));
    if (!full && changed.length === 0) return;
    if (full) conn.sent.clear();
    for (const d of changed) conn.sent.set(d.uuid, desiredKey(d));
    this.#send(conn, { type: 'desired', full, containers: changed });
  }

  #send(conn: Connection, msg: ServerMessage): void {
    if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(JSON.stringify(msg));
  }

  #connection(hostId: string | null, what: string): Connection {
    const conn = hostId ? this.#byHost.get(hostId) : undefined;
    if (!conn) throw new BerthError('conflict', `Cannot ${what}: the compute host of this container is not connected.`);
    return conn;
  }

  /** Runs a call on the host's agent and waits for its answer. */
  call<T = unknown>(hostId: string | null, method: CallMethod, uuid: string, params: Record<string, unknown>, timeoutMs = 120_000): Promise<T> {
    const conn = this.#connection(hostId, method.replace('_', ' '));
    const id = randomUUID();
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#calls.delete(`${conn.hostId}:${id}`);
        reject(new BerthError('conflict', `The compute host did not answer ${method} within ${timeoutMs / 1000} s.`));
      }, timeoutMs);
      this.#calls.set(`${conn.hostId}:${id}`, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.#send(conn, { type: 'call', id, method, uuid, params });
    });
  }

  /** Opens an interactive exec or attach session on the host's agent. */
  openStream(hostId: string | null, kind: 'exec' | 'attach', uuid: string, params: Record<string, unknown>,
    onData: (d: Buffer) => void, onClose: (exitCode?: number) => void): StreamHandle {
    const conn = this.#connection(hostId, kind);
    const sid = randomUUID();
    this.#streams.set(sid, { onData, onClose });
    this.#send(conn, { type: 'stream-open', sid, kind, uuid, params });
    return {
      send: (data) => this.#send(conn, { type: 'stream-data', sid, data: data.toString('base64') }),
      resize: (width, height) => this.#send(conn, { type: 'stream-resize', sid, width, height }),
      close: () => {
        if (this.#streams.delete(sid)) this.#send(conn, { type: 'stream-close', sid });
      },
    };
  }

  async close(): Promise<void> {
    this.#unsubscribe();
    clearInterval(this.#timer);
    for (const c of this.#byHost.values()) c.ws.terminate();
    this.#byHost.clear();
    this.#wss.close();
  }
}

/** A WebSocket message's text, whichever form `ws` delivered it in. */
function textOf(raw: Buffer | ArrayBuffer | Buffer[]): string {
  if (Buffer.isBuffer(raw)) return raw.toString('utf8');
  return (Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw)).toString('utf8');
}
