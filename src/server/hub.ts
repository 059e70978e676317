import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../core/log.js';
import { BerthError } from '../core/errors.js';
import { hashSecret, newId } from '../core/ids.js';
import type { Database } from '../store/db.js';
import * as repo from '../store/container-repo.js';
import * as routes from '../store/agent-route-repo.js';
import {
  DOWN_AFTER_SECONDS, HEARTBEAT_SECONDS, PROTOCOL_VERSION,
  type AgentMessage, type CallMethod, type HostInfo, type ObservedStatus, type ServerMessage,
} from '../agent/protocol.js';
import type { ChangeBus } from './changes.js';
import { desiredKey, desiredOf } from './desired.js';
import { applyStatuses } from './status.js';
import { recordHostImages } from './host-images.js';
import type { QuotaBook } from '../container/quota-book.js';
import type { StreamKind } from '../agent/protocol.js';
import { decideRoute, type RouteDecision } from './route.js';
import { forwardCall, forwardStream } from './forward-client.js';
import { deferredStream, type StreamClosed, type StreamHandle } from './stream-handle.js';

export type { StreamClosed, StreamHandle } from './stream-handle.js';

interface Connection {
  /** Names this connection in the agent's route, so only its own close clears the route. */
  id: string;
  ws: WebSocket;
  hostId: string;
  hostName: string;
  sent: Map<string, string>;
  /** Containers named by change notifications since the last push; null: anything may have changed. */
  dirty: Set<string> | null;
  /** When the next full push is due (a safety net for a lost notification). */
  nextFull: number;
  /** When last_seen_at was last written for this host. */
  seenWritten: number;
  pushing: Promise<void>;
  pending: boolean;
}

/** Full pushes per host, each host on its own phase so they do not come all at once. */
const RESYNC_MS = 60_000;
/** last_seen_at is written at most this often per host (hosts are down after DOWN_AFTER_SECONDS). */
const SEEN_WRITE_MS = 8_000;
const DEFAULT_CALL_MS = 120_000;
/** A server silent this long has crashed; the next server to start forgets it. */
const STALE_SERVER_MS = 60 * 60 * 1000;

/**
 * The server's end of the agent channel: authenticates agents by host credential, records their host,
 * pushes desired state when the change bus says a container or host changed (and in full every minute), writes
 * what agents report, and relays calls and interactive streams to the host that runs a container.
 *
 * With several servers, each agent is connected to one of them; the database records which (and where
 * each server is reached, with a heartbeat). A call or session for an agent connected elsewhere is
 * forwarded to that server over its internal routes, so callers never need to know where an agent is.
 */
/** An agent's error answer as Berth's own: its 4xx kept, anything else an internal error. */
function agentError(e: { status: number; message: string }): BerthError {
  const status = e.status >= 400 && e.status < 500 ? e.status : 500;
  const code = status === 404 ? 'not_found' : status === 409 ? 'conflict' : status < 500 ? 'bad_request' : 'internal';
  return new BerthError(code, e.message);
}

export class AgentHub {
  #url: string | undefined;
  #db: Database;
  #log: Logger;
  #bus: ChangeBus;
  #cloudId: string;
  #wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  #byHost = new Map<string, Connection>();
  #calls = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  /** Open sessions by stream id, with the connection they went out on. */
  #streams = new Map<string, { connId: string; onData: (d: Buffer) => void; onClose: StreamClosed }>();
  #unsubscribe: () => void;
  #timer: NodeJS.Timeout;
  #presence: NodeJS.Timeout | undefined;
  #closing = false;
  /** This server process; agent routes name it. */
  readonly serverId = newId();
  #clusterSecret: string;

  #quotas: QuotaBook | undefined;
  /** Called when a confirmed delete gave quota back. */
  onQuotaReleased: (() => void) | undefined;

  constructor(deps: { db: Database; log: Logger; bus: ChangeBus; cloudId: string; clusterSecret: string; quotas?: QuotaBook }) {
    this.#quotas = deps.quotas;
    this.#db = deps.db;
    this.#log = deps.log.child({ component: 'hub' });
    this.#bus = deps.bus;
    this.#cloudId = deps.cloudId;
    this.#clusterSecret = deps.clusterSecret;
    this.#unsubscribe = this.#bus.subscribe((hostId, uuid) => this.#schedulePush(hostId, false, uuid));
    this.#timer = setInterval(() => {
      const now = Date.now();
      for (const conn of this.#byHost.values()) {
        if (conn.nextFull > now) continue;
        conn.nextFull = now + RESYNC_MS;
        this.#schedulePush(conn.hostId, true);
      }
    }, 1_000);
    this.#timer.unref();
  }

  connectedHosts(): string[] {
    return [...this.#byHost.keys()];
  }

  /** The host's agent is connected to this server (calls reach it from any server: see call()). */
  isConnected(hostId: string): boolean {
    return this.#byHost.has(hostId);
  }

  /**
   * Records this server and the URL the others reach it on, and keeps its heartbeat; until then, calls
   * forwarded to it find no route. A row removed meanwhile (by a cleanup elsewhere) is written again.
   */
  /** The URL the other servers and agents reach this server on, once announced. */
  get url(): string | undefined {
    return this.#url;
  }

  async announce(url: string): Promise<void> {
    this.#url = url;
    await routes.registerServer(this.#db.kysely, this.serverId, url, new Date().toISOString());
    await routes.removeStaleServers(this.#db.kysely, new Date(Date.now() - STALE_SERVER_MS).toISOString());
    this.#presence = setInterval(() => {
      void (async () => {
        const now = new Date().toISOString();
        const r = await routes.touchServer(this.#db.kysely, this.serverId, now);
        if (Number(r.numUpdatedRows) === 0) await routes.registerServer(this.#db.kysely, this.serverId, url, now);
      })().catch((err) => this.#log.warn({ err }, 'server heartbeat failed'));
    }, HEARTBEAT_SECONDS * 1000);
    this.#presence.unref();
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
    const conn: Connection = {
      id: randomUUID(), ws, hostId, hostName, sent: new Map(), pushing: Promise.resolve(), pending: false, dirty: new Set(),
      nextFull: Date.now() + RESYNC_MS * (1 + Math.random()), seenWritten: Date.now(),
    };
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
      // Calls and sessions that went out on this connection end with it (a newer one holds none of them).
      const gone = new BerthError('host_unreachable', `The compute host ${hostName} disconnected.`);
      for (const [id, c] of this.#calls) if (id.startsWith(`${conn.id}:`)) { clearTimeout(c.timer); c.reject(gone); this.#calls.delete(id); }
      for (const [sid, st] of this.#streams) if (st.connId === conn.id) { this.#streams.delete(sid); st.onClose(undefined, gone); }
      this.#log.info({ host: hostName }, 'agent disconnected');
      if (this.#byHost.get(hostId) !== conn) return;
      this.#byHost.delete(hostId);
      if (!this.#closing) {
        routes.clearAgentRoute(this.#db.kysely, hostId, conn.id).catch((err) => this.#log.warn({ err, host: hostName }, 'agent route not cleared'));
      }
    });
    ws.on('error', () => undefined);
  }

  async #onMessage(conn: Connection, msg: AgentMessage): Promise<void> {
    switch (msg.type) {
      case 'hello':
        await this.#hello(conn, msg.host);
        return;
      case 'heartbeat':
        await this.#seen(conn);
        return;
      case 'status':
        await this.#status(conn, msg.updates);
        return;
      case 'images':
        await recordHostImages(this.#db, conn.hostId, msg.images, msg.full === true);
        return;
      case 'result': {
        const key = `${conn.id}:${msg.id}`;
        const call = this.#calls.get(key);
        if (!call) return;
        this.#calls.delete(key);
        clearTimeout(call.timer);
        if (msg.ok) call.resolve(msg.value);
        else call.reject(agentError(msg.error));
        return;
      }
      case 'stream-data':
        this.#streams.get(msg.sid)?.onData(Buffer.from(msg.data, 'base64'));
        return;
      case 'stream-close': {
        const s = this.#streams.get(msg.sid);
        this.#streams.delete(msg.sid);
        s?.onClose(msg.exitCode, msg.error ? agentError(msg.error) : undefined);
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
    await routes.setAgentRoute(this.#db.kysely, conn.hostId, this.serverId, conn.id, new Date().toISOString());
    // NOTE: the socket may have closed while the route was written; a closed connection is not registered.
    if (conn.ws.readyState !== conn.ws.OPEN) {
      await routes.clearAgentRoute(this.#db.kysely, conn.hostId, conn.id);
      return;
    }
    this.#byHost.set(conn.hostId, conn);
    await this.#bus.publish(conn.hostId);
    this.#send(conn, { type: 'welcome', hostId: conn.hostId, cloudId: this.#cloudId, protocol: PROTOCOL_VERSION });
    this.#log.info({ host: conn.hostName }, 'agent connected');
    this.#schedulePush(conn.hostId, true);
  }

  async #status(conn: Connection, updates: ObservedStatus[]): Promise<void> {
    const changedHosts = await applyStatuses(this.#db, conn.hostId, updates, this.#quotas);
    // The agent forgets a container it reported deleted: no full set is needed to make it forget.
    for (const u of updates) if (u.status === 'Deleted') conn.sent.delete(u.uuid);
    this.#bus.noteStatus(updates.map((u) => u.uuid));
    if (changedHosts) this.onQuotaReleased?.();
    await this.#seen(conn);
    // Other servers' host indexes re-read the host; this server's hub pushes the change to the agent.
    if (changedHosts) await this.#bus.publish(conn.hostId);
  }

  /** Records that the host's agent is alive, at most every SEEN_WRITE_MS. */
  async #seen(conn: Connection): Promise<void> {
    const now = Date.now();
    if (now - conn.seenWritten < SEEN_WRITE_MS) return;
    conn.seenWritten = now;
    await repo.updateHost(this.#db.kysely, conn.hostId, { last_seen_at: new Date(now).toISOString() });
  }

  /**
   * Coalesces pushes per host: at most one in flight and one queued. A notification that names a
   * container adds it to the next push; one that does not (or a full push) reads the whole host.
   */
  #schedulePush(hostId: string, full: boolean, uuid?: string): void {
    const conn = this.#byHost.get(hostId);
    if (!conn) return;
    if (full) conn.sent.clear();
    if (uuid === undefined) conn.dirty = null;
    else conn.dirty?.add(uuid);
    if (conn.pending) return;
    conn.pending = true;
    conn.pushing = conn.pushing.then(async () => {
      conn.pending = false;
      const dirty = conn.dirty;
      conn.dirty = new Set();
      await this.#push(conn, full || conn.sent.size === 0, dirty);
    }).catch((err) => this.#log.error({ err }, 'desired push failed'));
  }

  async #push(conn: Connection, full: boolean, dirty: Set<string> | null = null): Promise<void> {
    if (!full && dirty !== null && dirty.size === 0) return;
    let rows = full || dirty === null
      ? await repo.containersOfHost(this.#db.kysely, conn.hostId)
      : await repo.containersOfHostByUuid(this.#db.kysely, conn.hostId, [...dirty]);
    if (!full) {
      // A container the agent was sent that is no longer on the host (moved to another, or forgotten)
      // leaves the agent's set only with a full set: the agent then removes its engine container at once.
      const here = new Set(rows.map((r) => r.uuid));
      const named = dirty === null ? [...conn.sent.keys()] : [...dirty];
      if (named.some((u) => conn.sent.has(u) && !here.has(u))) {
        full = true;
        if (dirty !== null) rows = await repo.containersOfHost(this.#db.kysely, conn.hostId);
      }
    }
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

  async #decide(hostId: string | null): Promise<RouteDecision> {
    const local = hostId !== null && this.#byHost.has(hostId);
    const route = local || hostId === null ? undefined : await routes.routeOf(this.#db.kysely, hostId);
    // The agent may have connected here during the lookup.
    return decideRoute({
      hostId, local: local || (hostId !== null && this.#byHost.has(hostId)), route, selfId: this.serverId,
      now: Date.now(), serverDownAfterMs: DOWN_AFTER_SECONDS * 1000,
    });
  }

  /**
   * Runs a call on the host's agent and waits for its answer, wherever the agent is connected: here, or
   * through the server that holds its connection. An agent connected nowhere is a host_unreachable 503.
   */
  async call<T = unknown>(hostId: string | null, method: CallMethod, uuid: string, params: Record<string, unknown>, timeoutMs = DEFAULT_CALL_MS): Promise<T> {
    const d = await this.#decide(hostId);
    if (d.kind === 'unreachable') throw new BerthError('host_unreachable', `Cannot run ${method.replace('_', ' ')} on the container: ${d.message}`);
    if (d.kind === 'remote') return (await forwardCall(d, this.#clusterSecret, { hostId: hostId!, method, uuid, params, timeoutMs })) as T;
    return this.callLocal<T>(hostId!, method, uuid, params, timeoutMs);
  }

  /** A call on an agent connected to this server only (the end of a forwarded call). */
  callLocal<T = unknown>(hostId: string, method: CallMethod, uuid: string, params: Record<string, unknown>, timeoutMs = DEFAULT_CALL_MS): Promise<T> {
    const conn = this.#byHost.get(hostId);
    if (!conn) return Promise.reject(new BerthError('host_unreachable', `Cannot run ${method.replace('_', ' ')} on the container: the compute host's agent is no longer connected to the Berth server it was recorded on.`));
    const id = randomUUID();
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#calls.delete(`${conn.id}:${id}`);
        reject(new BerthError('host_unreachable', `The compute host ${conn.hostName} did not answer ${method} within ${timeoutMs / 1000} s.`));
      }, timeoutMs);
      this.#calls.set(`${conn.id}:${id}`, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.#send(conn, { type: 'call', id, method, uuid, params });
    });
  }

  /**
   * Opens an interactive exec or attach session on the host's agent, wherever it is connected. The
   * handle takes input at once; `ready` says whether the session reached the agent, and a failure is
   * also reported once through `onClose`.
   */
  openStream(hostId: string | null, kind: StreamKind, uuid: string, params: Record<string, unknown>,
    onData: (d: Buffer) => void, onClose: StreamClosed): StreamHandle {
    const local = hostId === null ? undefined : this.openLocalStream(hostId, kind, uuid, params, onData, onClose);
    if (local) return local;
    return deferredStream(async () => {
      const d = await this.#decide(hostId);
      if (d.kind === 'unreachable') throw new BerthError('host_unreachable', `Cannot ${kind}: ${d.message}`);
      if (d.kind === 'remote') return forwardStream(d, this.#clusterSecret, { hostId: hostId!, kind, uuid, params }, onData, onClose);
      const h = this.openLocalStream(hostId!, kind, uuid, params, onData, onClose);
      if (!h) throw new BerthError('host_unreachable', `Cannot ${kind}: the compute host is not connected to any Berth server.`);
      return h;
    }, onClose);
  }

  /** A session on an agent connected to this server, or undefined when it is not connected here. */
  openLocalStream(hostId: string, kind: StreamKind, uuid: string, params: Record<string, unknown>,
    onData: (d: Buffer) => void, onClose: StreamClosed): StreamHandle | undefined {
    const conn = this.#byHost.get(hostId);
    if (!conn) return undefined;
    const sid = randomUUID();
    this.#streams.set(sid, { connId: conn.id, onData, onClose });
    this.#send(conn, { type: 'stream-open', sid, kind, uuid, params });
    return {
      ready: Promise.resolve(),
      send: (data) => this.#send(conn, { type: 'stream-data', sid, data: data.toString('base64') }),
      resize: (width, height) => this.#send(conn, { type: 'stream-resize', sid, width, height }),
      close: () => {
        if (this.#streams.delete(sid)) this.#send(conn, { type: 'stream-close', sid });
      },
    };
  }

  async close(): Promise<void> {
    this.#closing = true;
    this.#unsubscribe();
    clearInterval(this.#timer);
    clearInterval(this.#presence);
    await routes.removeServer(this.#db.kysely, this.serverId).catch((err) => this.#log.warn({ err }, 'server record not removed'));
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
