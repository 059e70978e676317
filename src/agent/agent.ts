/**
 * @module
 * The agent of one compute host. It dials the server, says who it is, and then makes its Docker engine
 * match the desired containers the server sends, reporting what it observes. It acts on three triggers
 * (Style 11): a `desired` message, an engine event, and a periodic full resync.
 */
import type { Logger } from '../core/log.js';
import type { DockerEngine, EngineEvent } from '../engine/index.js';
import { runCall } from './calls.js';
import { isImageCall, runImageCall } from './image-calls.js';
import { commitAndUpload, isUploadCommit, type CommitContext } from './image-commit.js';
import { collectImages } from './image-gc.js';
import { markOf } from './glance-mark.js';
import { Connection } from './connection.js';
import { ImageLoader } from './image-loader.js';
import { ImageReporter } from './image-report.js';
import {
  HEARTBEAT_SECONDS,
  LABEL_CLOUD,
  LABEL_HOST,
  LABEL_UUID,
  PROTOCOL_VERSION,
  type AgentMessage,
  type HostInfo,
  type ServerMessage,
} from './protocol.js';
import { Reconciler } from './reconcile.js';
import { StatusBatcher } from './status-batch.js';
import { Streams } from './streams.js';

export interface AgentOptions {
  /** The server's base URL (`http://…`, `https://…`, or `ws(s)://…`). */
  serverUrl: string;
  /** Sent as `Authorization: Bearer …`; never logged. */
  credential: string;
  engine: DockerEngine;
  /** This host's name; also the `berth.host` label of everything the agent creates. */
  name: string;
  /** Replaces what the engine reports about the host (capacity, labels, zone). */
  overrides?: Partial<HostInfo>;
  log: Logger;
  /** Seconds between full resyncs (default 10). */
  resyncSeconds?: number;
}

export const DEFAULT_MAX_CONTAINERS = 256;
export const DEFAULT_ZONE = 'nova';
/** start() resolves after this long even if the server has not answered yet; the agent keeps trying. */
const START_WAIT_MS = 5_000;

const FULL_REPORT_EVERY = 10;

/** Engine actions that can change what the agent reports (exec, attach, resize, archive ... cannot). */
const STATE_ACTIONS = /^(create|start|restart|die|stop|pause|unpause|destroy|oom|health_status|rename|update)\b/;

export class Agent {
  readonly #o: AgentOptions;
  readonly #log: Logger;
  readonly #conn: Connection;
  readonly #reconciler: Reconciler;
  readonly #batcher: StatusBatcher;
  readonly #streams: Streams;
  readonly #images: ImageReporter;
  readonly #loader: ImageLoader;
  #hostId: string | null = null;
  #heartbeat: NodeJS.Timeout | undefined;
  #resync: NodeJS.Timeout | undefined;
  #resyncing = false;
  #resyncs = 0;
  #events: { cloudId: string; abort: AbortController; done: Promise<void> } | undefined;
  #welcomed: (() => void) | undefined;
  #stopped = false;
  #collecting: Promise<void> | undefined;
  #collectAgain = false;

  constructor(opts: AgentOptions) {
    this.#o = opts;
    this.#log = opts.log.child({ component: 'agent', host: opts.name });
    const send = (m: AgentMessage) => this.#conn.send(m);
    this.#batcher = new StatusBatcher((updates) => send({ type: 'status', updates }));
    this.#images = new ImageReporter({ engine: opts.engine, send, log: this.#log, cloudId: () => this.#reconciler.cloudId });
    this.#loader = new ImageLoader({
      serverUrl: opts.serverUrl,
      credential: opts.credential,
      engine: opts.engine,
      log: this.#log,
      markOf: (glanceImageId) => {
        const cloudId = this.#reconciler.cloudId;
        return cloudId ? markOf(glanceImageId, cloudId) : null;
      },
      onLoaded: (glanceImageId, ref) => void this.#images.reportLoaded(glanceImageId, ref).catch(() => undefined),
    });
    this.#reconciler = new Reconciler({
      engine: opts.engine,
      hostName: opts.name,
      log: this.#log,
      report: (s) => this.#batcher.push(s),
      // Images loaded for containers are Berth's copies, removed once no container uses them.
      images: { ensure: (glanceImageId, ref) => this.#loader.ensure(glanceImageId, ref, { mark: true }) },
    });
    this.#streams = new Streams({
      engine: opts.engine, send, log: this.#log,
      server: {
        url: opts.serverUrl, credential: opts.credential, cloudId: () => this.#reconciler.cloudId,
        onMarked: () => {
          this.#images.reset();
          void this.#images.reportAll();
        },
      },
    });
    this.#conn = new Connection({
      serverUrl: opts.serverUrl,
      credential: opts.credential,
      log: this.#log,
      handlers: {
        onOpen: () => void this.#hello(),
        onMessage: (m) => this.#onMessage(m),
        onClose: () => this.#onClose(),
      },
    });
  }

  /** The host id the server gave this agent, once welcomed. */
  get hostId(): string | null {
    return this.#hostId;
  }

  /** Resolves once the server welcomed the agent, or after a few seconds; the agent keeps reconnecting. */
  async start(): Promise<void> {
    this.#stopped = false;
    const welcomed = new Promise<void>((resolve) => (this.#welcomed = resolve));
    this.#conn.start();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([welcomed, new Promise<void>((r) => (timer = setTimeout(r, START_WAIT_MS)))]);
    clearTimeout(timer);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopTimers();
    this.#streams.closeAll();
    this.#batcher.clear();
    this.#loader.stop();
    this.#events?.abort.abort();
    await Promise.all([this.#conn.stop(), this.#events?.done, this.#reconciler.idle(), this.#collecting]);
    this.#events = undefined;
  }

  async #hello(): Promise<void> {
    try {
      const host = await this.#hostInfo();
      this.#conn.send({ type: 'hello', protocol: PROTOCOL_VERSION, host });
    } catch (e) {
      this.#log.warn({ err: e instanceof Error ? e.message : String(e) }, 'cannot read engine info; reconnecting');
      this.#conn.drop('engine unavailable');
    }
  }

  async #hostInfo(): Promise<HostInfo> {
    const info = await this.#o.engine.info();
    const base: HostInfo = {
      name: this.#o.name,
      cpus: info.cpus,
      memoryMb: info.memoryMb,
      diskGb: info.diskGb,
      maxContainers: DEFAULT_MAX_CONTAINERS,
      runtimes: info.runtimes,
      engineVersion: info.version,
      os: info.os,
      labels: {},
      zone: DEFAULT_ZONE,
    };
    return { ...base, ...this.#o.overrides, name: this.#o.name };
  }

  #onMessage(m: ServerMessage): void {
    if (m.type !== 'welcome' && this.#reconciler.cloudId === null) {
      this.#log.warn({ type: m.type }, 'ignoring a message that came before welcome');
      return;
    }
    switch (m.type) {
      case 'welcome':
        this.#onWelcome(m.hostId, m.cloudId, m.protocol);
        break;
      case 'desired': {
        // An image may have lost its last container only when one is deleted (or a full set drops some).
        const removes = m.full === true || (m.containers ?? []).some((c) => c.desired === 'deleted');
        void this.#reconciler.receive(m.containers ?? [], m.full === true).then(() => {
          if (removes) this.#scheduleCollect();
        });
        break;
      }
      case 'call':
        if (m.method === 'commit' && isUploadCommit(m.params)) {
          void commitAndUpload(this.#commitContext(), m.uuid, m.params)
            .then((r) => this.#conn.send(r.ok ? { type: 'result', id: m.id, ok: true, value: r.value } : { type: 'result', id: m.id, ok: false, error: r.error }));
          break;
        }
        if (isImageCall(m.method)) {
          void runImageCall({ engine: this.#o.engine, loader: this.#loader, reporter: this.#images }, m.method, m.params)
            .then((r) => this.#conn.send(r.ok ? { type: 'result', id: m.id, ok: true, value: r.value } : { type: 'result', id: m.id, ok: false, error: r.error }));
          break;
        }
        void runCall(
          { engine: this.#o.engine, statusOf: (u) => this.#reconciler.statusOf(u), execIdOf: (sid) => this.#streams.execIdOf(sid) },
          m.method,
          m.uuid,
          m.params,
        ).then((r) => this.#conn.send(r.ok ? { type: 'result', id: m.id, ok: true, value: r.value } : { type: 'result', id: m.id, ok: false, error: r.error }));
        break;
      case 'stream-open':
      case 'stream-data':
      case 'stream-resize':
      case 'stream-close':
        this.#streams.handle(m);
        break;
      default:
        this.#log.warn({ type: (m as { type: string }).type }, 'ignoring an unknown message type');
    }
  }

  /** Runs an image collection (image-gc.ts) now, or once more after the one under way. */
  #scheduleCollect(): void {
    if (this.#collecting) {
      this.#collectAgain = true;
      return;
    }
    this.#collecting = (async () => {
      do {
        this.#collectAgain = false;
        await this.#collectOnce();
      } while (this.#collectAgain && !this.#stopped);
    })().finally(() => (this.#collecting = undefined));
  }

  async #collectOnce(): Promise<void> {
    const cloudId = this.#reconciler.cloudId;
    // Until the full desired set arrived, what is wanted here is not known: nothing is collected.
    if (cloudId === null || !this.#reconciler.complete || this.#stopped) return;
    try {
      const removed = await collectImages({
        engine: this.#o.engine, cloudId, log: this.#log,
        wanted: () => this.#reconciler.wanted(),
        loading: () => this.#loader.loading(),
      });
      if (removed.length > 0) await this.#images.reportAll();
    } catch (e) {
      this.#log.debug({ err: e instanceof Error ? e.message : String(e) }, 'image collection failed');
    }
  }

  #commitContext(): CommitContext {
    return {
      engine: this.#o.engine,
      serverUrl: this.#o.serverUrl,
      credential: this.#o.credential,
      log: this.#log,
      cloudId: () => this.#reconciler.cloudId,
      onMarked: () => {
        this.#images.reset();
        void this.#images.reportAll();
      },
    };
  }

  #onWelcome(hostId: string, cloudId: string, protocol: number): void {
    if (protocol !== PROTOCOL_VERSION) this.#log.warn({ protocol, ours: PROTOCOL_VERSION }, 'server speaks another protocol version');
    this.#hostId = hostId;
    this.#reconciler.setCloud(cloudId);
    this.#reconciler.reportAgain();
    this.#images.reset();
    void this.#images.reportAll();
    this.#resyncs = 0;
    this.#conn.markHealthy();
    this.#watchEvents(cloudId);
    this.#stopTimers();
    this.#heartbeat = setInterval(() => this.#conn.send({ type: 'heartbeat' }), HEARTBEAT_SECONDS * 1000);
    this.#resync = setInterval(() => void this.#runResync(), (this.#o.resyncSeconds ?? 10) * 1000);
    this.#log.info({ hostId, cloudId }, 'welcomed by server');
    this.#welcomed?.();
  }

  #onClose(): void {
    this.#stopTimers();
    this.#streams.closeAll();
    this.#batcher.clear();
  }

  async #runResync(): Promise<void> {
    if (this.#resyncing || !this.#conn.open) return;
    this.#resyncing = true;
    // Every tenth resync reports everything, unchanged or not (a safety net for a report the server lost).
    if (++this.#resyncs % FULL_REPORT_EVERY === 0) this.#reconciler.reportAgain();
    try {
      await this.#batcher.hold(() => this.#reconciler.resync());
      this.#scheduleCollect();
      await this.#collecting;
      await this.#images.reportAll();
    } finally {
      this.#resyncing = false;
    }
  }

  /** One watch per cloud; it outlives reconnects, so nothing the engine does in between is missed. */
  #watchEvents(cloudId: string): void {
    if (this.#events?.cloudId === cloudId || this.#stopped) return;
    this.#events?.abort.abort();
    const abort = new AbortController();
    const done = this.#o.engine
      .watchEvents({ [LABEL_CLOUD]: cloudId }, (e) => this.#onEvent(e), abort.signal, {
        onError: (err) => this.#log.debug({ err: err instanceof Error ? err.message : String(err) }, 'engine event stream interrupted'),
      })
      .catch((err: unknown) => this.#log.error({ err: err instanceof Error ? err.message : String(err) }, 'engine event watch ended'));
    this.#events = { cloudId, abort, done };
  }

  #onEvent(e: EngineEvent): void {
    if (e.labels[LABEL_HOST] !== this.#o.name || !STATE_ACTIONS.test(e.action)) return;
    const uuid = e.labels[LABEL_UUID];
    if (uuid) this.#reconciler.observe(uuid);
  }

  #stopTimers(): void {
    clearInterval(this.#heartbeat);
    clearInterval(this.#resync);
    this.#heartbeat = undefined;
    this.#resync = undefined;
  }
}
