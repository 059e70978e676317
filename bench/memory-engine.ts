/**
 * @module An engine held in memory, for benchmarks that run thousands of real agents in one process.
 * It answers the calls the agent's reconcile loop makes (info, inspect, create, start, stop, restart,
 * pause, unpause, update, remove, list, events) with the shapes of the Docker adapter; calls that need a
 * real process (exec, logs, archives, attach, stats, top, commit) answer 501.
 *
 * Containers the database already holds when the benchmark starts are "seeded": the engine keeps only
 * their uuid and spec-less facts, and materialises a full state on first touch, so a million of them
 * cost a set of strings, not a million objects.
 */
import { EventEmitter } from 'node:events';
import { EngineError } from '../src/engine/errors.js';
import { LABEL_CLOUD, LABEL_HOST, LABEL_NAME, LABEL_PROJECT, LABEL_UUID } from '../src/agent/protocol.js';
import type { DockerEngine } from '../src/engine/docker.js';
import type { EngineContainerSpec, EngineEvent, EngineImageSummary, EngineInfo, EngineState, EngineStatus, EngineSummary } from '../src/engine/types.js';

const NAME_PREFIX = 'berth-';

export interface SeededFacts { cloudId: string; hostName: string; projectId: string; name: string }

export class MemoryEngine {
  readonly #info: EngineInfo;
  readonly #byId = new Map<string, EngineState>();
  readonly #idByName = new Map<string, string>();
  /** Seeded containers by uuid; materialised (and removed from here) on first touch. */
  readonly #seeded = new Map<string, SeededFacts>();
  readonly #events = new EventEmitter();
  #next = 0;

  constructor(info: Partial<EngineInfo> = {}) {
    this.#info = { name: 'memory', version: '20.10-memory', cpus: 64, memoryMb: 262_144, diskGb: 4_000, runtimes: ['runc'], os: 'linux', ...info };
    this.#events.setMaxListeners(0);
  }

  /** The adapter's type, for the agent: this class answers every call the agent makes. */
  asDocker(): DockerEngine {
    return this as unknown as DockerEngine;
  }

  /** A container the database already holds, in state `created`. */
  seed(uuid: string, facts: SeededFacts): void {
    this.#seeded.set(uuid, facts);
  }

  get size(): number {
    return this.#byId.size + this.#seeded.size;
  }

  async info(): Promise<EngineInfo> {
    return { ...this.#info };
  }

  /** Holds no images: the agent reports an empty list. */
  async listImages(): Promise<EngineImageSummary[]> {
    return [];
  }

  async create(spec: EngineContainerSpec): Promise<string> {
    if (this.#lookup(spec.name)) throw new EngineError(409, `Conflict. The container name "/${spec.name}" is already in use`);
    const id = `mem${(this.#next++).toString(16).padStart(12, '0')}`;
    this.#byId.set(id, {
      id, name: spec.name, labels: { ...spec.labels }, status: 'created', running: false, paused: false, restarting: false,
      exitCode: 0, error: '', startedAt: null, finishedAt: null, oomKilled: false, ports: [], addresses: [],
      image: spec.image, command: spec.command ?? [], tty: spec.tty ?? false, env: { ...spec.env },
      cpu: spec.cpu ?? null, memoryMb: spec.memoryMb ?? null,
    });
    this.#idByName.set(spec.name, id);
    this.#emit(id, 'create');
    return id;
  }

  async start(id: string): Promise<void> {
    this.#set(this.#must(id), 'running', 'start');
  }

  async stop(id: string): Promise<void> {
    const c = this.#must(id);
    if (c.status === 'running' || c.status === 'paused') this.#set(c, 'exited', 'die');
  }

  async restart(id: string): Promise<void> {
    this.#set(this.#must(id), 'running', 'restart');
  }

  async kill(id: string): Promise<void> {
    this.#set(this.#must(id), 'exited', 'die');
  }

  async pause(id: string): Promise<void> {
    this.#set(this.#must(id), 'paused', 'pause');
  }

  async unpause(id: string): Promise<void> {
    this.#set(this.#must(id), 'running', 'unpause');
  }

  async updateResources(id: string, r: { cpu?: number; memoryMb?: number }): Promise<void> {
    const c = this.#must(id);
    if (r.cpu !== undefined) c.cpu = r.cpu;
    if (r.memoryMb !== undefined) c.memoryMb = r.memoryMb;
    this.#emit(c.id, 'update');
  }

  async rename(id: string, name: string): Promise<void> {
    const c = this.#must(id);
    this.#idByName.delete(c.name);
    c.name = name;
    this.#idByName.set(name, c.id);
  }

  async remove(id: string): Promise<void> {
    const c = this.#must(id);
    this.#byId.delete(c.id);
    this.#idByName.delete(c.name);
    this.#emit(c.id, 'destroy', c.labels);
  }

  async inspect(idOrName: string): Promise<EngineState | null> {
    const c = this.#lookup(idOrName);
    return c ? structuredClone(c) : null;
  }

  async list(labels: Record<string, string>): Promise<EngineSummary[]> {
    for (const uuid of [...this.#seeded.keys()]) this.#materialise(uuid);
    const want = Object.entries(labels);
    return [...this.#byId.values()]
      .filter((c) => want.every(([k, v]) => c.labels[k] === v))
      .map((c) => ({ id: c.id, name: c.name, labels: { ...c.labels }, status: c.status, statusText: c.status, image: c.image, command: c.command.join(' '), createdAt: '', ports: [], addresses: [] }));
  }

  watchEvents(labelFilter: Record<string, string>, onEvent: (e: EngineEvent) => void, signal: AbortSignal): Promise<void> {
    const want = Object.entries(labelFilter);
    const listener = (e: EngineEvent) => {
      if (want.every(([k, v]) => e.labels[k] === v)) onEvent(e);
    };
    this.#events.on('event', listener);
    return new Promise<void>((resolve) => {
      const done = () => {
        this.#events.off('event', listener);
        resolve();
      };
      if (signal.aborted) done();
      else signal.addEventListener('abort', done, { once: true });
    });
  }

  /** What `docker stop` from outside Berth does: the container exits and the engine says so. */
  stopOutOfBand(uuid: string): boolean {
    const c = this.#lookup(`${NAME_PREFIX}${uuid}`);
    if (!c || c.status !== 'running') return false;
    this.#set(c, 'exited', 'die');
    return true;
  }

  #lookup(idOrName: string): EngineState | undefined {
    const byId = this.#byId.get(idOrName);
    if (byId) return byId;
    const id = this.#idByName.get(idOrName);
    if (id) return this.#byId.get(id);
    if (idOrName.startsWith(NAME_PREFIX) && this.#seeded.has(idOrName.slice(NAME_PREFIX.length))) {
      return this.#materialise(idOrName.slice(NAME_PREFIX.length));
    }
    return undefined;
  }

  #materialise(uuid: string): EngineState {
    const f = this.#seeded.get(uuid)!;
    this.#seeded.delete(uuid);
    const id = `seed-${uuid}`;
    const name = `${NAME_PREFIX}${uuid}`;
    const state: EngineState = {
      id, name, status: 'created', running: false, paused: false, restarting: false, exitCode: 0, error: '',
      labels: { [LABEL_CLOUD]: f.cloudId, [LABEL_UUID]: uuid, [LABEL_PROJECT]: f.projectId, [LABEL_NAME]: f.name, [LABEL_HOST]: f.hostName },
      startedAt: null, finishedAt: null, oomKilled: false, ports: [], addresses: [], image: 'busybox', command: [], tty: false, env: {},
      cpu: null, memoryMb: null,
    };
    this.#byId.set(id, state);
    this.#idByName.set(name, id);
    return state;
  }

  #must(idOrName: string): EngineState {
    const c = this.#lookup(idOrName);
    if (!c) throw new EngineError(404, `No such container: ${idOrName}`);
    return c;
  }

  #set(c: EngineState, status: EngineStatus, action: string): void {
    c.status = status;
    c.running = status === 'running' || status === 'paused';
    c.paused = status === 'paused';
    if (status === 'running' && action !== 'unpause') c.startedAt = new Date().toISOString();
    if (status === 'exited') c.finishedAt = new Date().toISOString();
    this.#emit(c.id, action);
  }

  #emit(id: string, action: string, labels?: Record<string, string>): void {
    const c = this.#byId.get(id);
    const e: EngineEvent = { id, action, labels: { ...(labels ?? c?.labels ?? {}) }, timeNano: `${BigInt(Date.now()) * 1_000_000n}` };
    if (c) e.status = c.status;
    queueMicrotask(() => this.#events.emit('event', e));
  }
}

// Calls a real process would answer; the agent's call handler turns these into errors for the caller.
for (const m of ['exec', 'execInteractive', 'resizeExec', 'attach', 'resize', 'logs', 'top', 'stats', 'getArchive', 'putArchive', 'putArchiveAt', 'commit', 'ping', 'imageExists', 'inspectImage']) {
  (MemoryEngine.prototype as unknown as Record<string, unknown>)[m] = async () => {
    throw new EngineError(501, `${m} is not available on an in-memory engine`);
  };
}
