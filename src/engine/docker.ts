/**
 * @module
 * A thin typed client for one Docker engine. It returns plain data and never touches Berth's database;
 * the agent decides, this only does. Every failure leaves as an EngineError; operations whose goal
 * already holds (start a running container, remove a gone one) return normally.
 */
import Docker from 'dockerode';
import { statfs } from 'node:fs/promises';
import { posix } from 'node:path';
import { addAbortSignal, type Duplex, type Readable } from 'node:stream';
import { toCreateOptions, toEngineImage, toEngineState, toSummary } from './convert.js';
import { call, EngineError, isNotFound, toEngineError, tolerate } from './errors.js';
import { followEvents, type WatchOptions } from './events.js';
import { demuxFrames } from './frames.js';
import { asDuplex, closeWhenEnded, decodePathStat, defined, isDirectoryMode, readAll } from './io.js';
import { renameTopEntry } from './tar.js';
import type { RawStats } from './stats.js';
import { loadedImages } from './load.js';
import type { EngineContainerSpec, EngineEvent, EngineImage, EngineImageSummary, EngineInfo, EngineState, EngineSummary } from './types.js';

export interface DockerEngineOptions {
  /** `unix:///path/docker.sock` or `tcp://127.0.0.1:2375`; defaults to DOCKER_HOST, then the standard socket. */
  host?: string;
}

export interface LogOptions {
  stdout?: boolean;
  stderr?: boolean;
  timestamps?: boolean;
  tail?: number | 'all';
  /** Unix seconds. */
  since?: number;
}

const EXIT_CODE_POLL_MS = 10;
const EXIT_CODE_WAIT_MS = 2_000;

/** The fields of Docker's /info document that are read. */
interface DockerInfo {
  DockerRootDir: string;
  Name: string;
  ServerVersion: string;
  NCPU: number;
  MemTotal: number;
  Runtimes?: Record<string, unknown> | null;
  OperatingSystem: string;
}

export class DockerEngine {
  readonly #docker: Docker;
  /** Whether the engine has a `bridge` network; asked once per engine, reset after a failed check. */
  #bridge: Promise<boolean> | undefined;

  /** The dockerode client, for engine calls written in their own modules (log follow, build...). */
  get api(): Docker {
    return this.#docker;
  }

  constructor(options: DockerEngineOptions = {}) {
    this.#docker = new Docker(modemOptions(options.host ?? process.env.DOCKER_HOST));
  }

  /** Resolves when the engine answers within `timeoutMs`. */
  async ping(timeoutMs = 5_000): Promise<void> {
    const ping = this.#docker.ping.bind(this.#docker) as unknown as (o: { abortSignal: AbortSignal }) => Promise<unknown>;
    await call(ping({ abortSignal: AbortSignal.timeout(timeoutMs) }));
  }

  async info(): Promise<EngineInfo> {
    const i = (await call(this.#docker.info())) as DockerInfo;
    let diskGb = 0;
    try {
      // NOTE: only meaningful when the engine runs on this machine, which is how agents are deployed.
      const fs = await statfs(i.DockerRootDir);
      diskGb = Math.floor((fs.blocks * fs.bsize) / 2 ** 30);
    } catch {
      diskGb = 0;
    }
    return {
      name: i.Name,
      version: i.ServerVersion,
      cpus: i.NCPU,
      memoryMb: Math.floor(i.MemTotal / 2 ** 20),
      diskGb,
      runtimes: Object.keys(i.Runtimes ?? {}),
      os: i.OperatingSystem,
    };
  }

  async imageExists(ref: string): Promise<boolean> {
    return (await this.inspectImage(ref)) !== null;
  }

  async inspectImage(ref: string): Promise<EngineImage | null> {
    try {
      return toEngineImage(await this.#docker.getImage(ref).inspect());
    } catch (e) {
      if (isNotFound(toEngineError(e))) return null;
      throw toEngineError(e);
    }
  }

  /** `docker rmi` of one image (never forced: an image a container uses is a 409 from the engine). */
  async removeImage(ref: string): Promise<void> {
    await call(this.#docker.getImage(ref).remove());
  }

  /** `docker tag`: adds `repo:tag` to image `ref`. */
  async tagImage(ref: string, repo: string, tag: string): Promise<void> {
    await call(this.#docker.getImage(ref).tag({ repo, tag }));
  }

  /** `docker save` of image `ref` as a stream of the tar archive (nothing is buffered). */
  async saveImage(ref: string): Promise<Readable> {
    return (await call(this.#docker.getImage(ref).get())) as Readable;
  }

  /** Every image the engine holds. */
  async listImages(): Promise<EngineImageSummary[]> {
    const rows = await call(this.#docker.listImages());
    return rows.map((r) => ({ id: r.Id, tags: (r.RepoTags ?? []).filter((t) => t !== '<none>:<none>'), sizeBytes: r.Size }));
  }

  /**
   * `docker load` of a docker save archive streamed from `data` (nothing is buffered). Resolves with
   * what the engine says it loaded ("Loaded image: …" lines); fails with the engine's message when the
   * archive is refused, or when `signal` aborts.
   */
  async loadImage(data: NodeJS.ReadableStream, signal?: AbortSignal): Promise<string[]> {
    const res = await call(this.#docker.loadImage(data, { quiet: true, ...(signal ? { abortSignal: signal } : {}) }));
    const out = await readAll(signal ? addAbortSignal(signal, res as Readable) : res).catch((e: unknown) => {
      throw new EngineError(503, `docker load did not finish: ${e instanceof Error ? e.message : String(e)}`);
    });
    return loadedImages(out);
  }

  async create(spec: EngineContainerSpec): Promise<string> {
    const bridge = await this.#hasBridge();
    const container = await call(this.#docker.createContainer(toCreateOptions(spec, { bridge })));
    return container.id;
  }

  async start(id: string): Promise<void> {
    await tolerate(this.#c(id).start(), (e) => e.status === 304);
  }

  async stop(id: string, timeoutSec?: number): Promise<void> {
    await tolerate(this.#c(id).stop(defined({ t: timeoutSec })), (e) => e.status === 304);
  }

  async restart(id: string, timeoutSec?: number): Promise<void> {
    await call(this.#c(id).restart(defined({ t: timeoutSec })));
  }

  async kill(id: string, signal?: string): Promise<void> {
    await tolerate(this.#c(id).kill(defined({ signal })), (e) => e.status === 409 && /is not running/.test(e.message));
  }

  async pause(id: string): Promise<void> {
    await tolerate(this.#c(id).pause(), (e) => e.status === 409 && /already paused/.test(e.message));
  }

  async unpause(id: string): Promise<void> {
    // NOTE: Docker answers 500 (not 409) for "is not paused".
    await tolerate(this.#c(id).unpause(), (e) => /is not paused/.test(e.message));
  }

  /** Changes the limits of a live container; swap follows memory as Docker's default does (twice it). */
  async updateResources(id: string, r: { cpu?: number; memoryMb?: number }): Promise<void> {
    const body: Record<string, number> = {};
    if (r.cpu !== undefined) body.NanoCpus = Math.round(r.cpu * 1e9);
    if (r.memoryMb !== undefined) {
      body.Memory = r.memoryMb * 1024 * 1024;
      body.MemorySwap = 2 * body.Memory;
    }
    await this.#c(id).update(body);
  }

  async rename(id: string, name: string): Promise<void> {
    await tolerate(this.#c(id).rename({ name }), (e) => /same name as its current name/.test(e.message));
  }

  async remove(id: string, options: { force?: boolean } = {}): Promise<void> {
    await tolerate(
      this.#c(id).remove({ force: options.force ?? false, v: true }),
      (e) => e.status === 404 || (e.status === 409 && /already in progress/.test(e.message)),
    );
  }

  async inspect(id: string): Promise<EngineState | null> {
    try {
      return toEngineState(await this.#c(id).inspect());
    } catch (e) {
      if (isNotFound(toEngineError(e))) return null;
      throw toEngineError(e);
    }
  }

  /** All containers, stopped ones included, carrying every one of these label values. */
  async list(labels: Record<string, string>): Promise<EngineSummary[]> {
    const label = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
    const rows = await call(this.#docker.listContainers({ all: true, filters: label.length ? { label } : {} }));
    return rows.map(toSummary);
  }

  /** Resolves once `signal` aborts; see followEvents for reconnect and replay. */
  watchEvents(
    labelFilter: Record<string, string>,
    onEvent: (e: EngineEvent) => void,
    signal: AbortSignal,
    options?: WatchOptions,
  ): Promise<void> {
    return followEvents(this.#docker, labelFilter, onEvent, signal, options);
  }

  /** Runs a command to completion without a TTY; output is stdout and stderr in arrival order. */
  async exec(id: string, options: { cmd: string[]; env?: string[]; workdir?: string }): Promise<{ output: string; exitCode: number }> {
    const exec = await call(
      this.#c(id).exec(defined({ Cmd: options.cmd, Env: options.env, WorkingDir: options.workdir, AttachStdout: true, AttachStderr: true, Tty: false })),
    );
    const stream = await call(exec.start({ Detach: false, Tty: false }));
    const output = demuxFrames(await readAll(stream)).combined;
    // NOTE: the output stream can close a moment before Docker records the exit code.
    const deadline = Date.now() + EXIT_CODE_WAIT_MS;
    for (;;) {
      const state = await call(exec.inspect());
      if (!state.Running && state.ExitCode !== null) return { output, exitCode: state.ExitCode };
      if (Date.now() > deadline) throw new EngineError(500, `exec ${exec.id} did not report an exit code`);
      await new Promise((r) => setTimeout(r, EXIT_CODE_POLL_MS));
    }
  }

  /** A hijacked connection: writes go to the process's stdin; without a TTY reads are multiplexed frames. */
  async execInteractive(id: string, options: { cmd: string[]; tty: boolean }): Promise<{ execId: string; stream: Duplex }> {
    const exec = await call(
      this.#c(id).exec({ Cmd: options.cmd, AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: options.tty }),
    );
    const stream = await call(exec.start({ hijack: true, stdin: true, Detach: false, Tty: options.tty }));
    return { execId: exec.id, stream: closeWhenEnded(asDuplex(stream)) };
  }

  async resizeExec(execId: string, height: number, width: number): Promise<void> {
    await call(this.#docker.getExec(execId).resize({ h: height, w: width }));
  }

  /** Raw for TTY containers, multiplexed frames otherwise (as Docker sends them). */
  async attach(id: string): Promise<Duplex> {
    const stream = await call(this.#c(id).attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true }));
    return closeWhenEnded(asDuplex(stream));
  }

  async resize(id: string, height: number, width: number): Promise<void> {
    await call(this.#c(id).resize({ h: height, w: width }));
  }

  async logs(id: string, options: LogOptions = {}): Promise<string> {
    const state = await this.inspect(id);
    if (!state) throw new EngineError(404, `No such container: ${id}`);
    const query = defined({
      stdout: options.stdout ?? true,
      stderr: options.stderr ?? true,
      timestamps: options.timestamps ?? false,
      tail: String(options.tail ?? 'all'),
      since: options.since,
      follow: false,
    });
    // NOTE: dockerode parses non-streamed bodies as JSON when they happen to be JSON; ask for the raw stream.
    const body = await readAll(await this.#rawStream(`/containers/${encodeURIComponent(id)}/logs?`, query));
    return state.tty ? body.toString('utf8') : demuxFrames(body).combined;
  }

  async top(id: string, psArgs?: string): Promise<{ Titles: string[]; Processes: string[][] }> {
    return (await call(this.#c(id).top(defined({ ps_args: psArgs })))) as { Titles: string[]; Processes: string[][] };
  }

  /** One sample pair (Docker waits about a second to fill precpu_stats); see summarizeStats. */
  async stats(id: string): Promise<RawStats> {
    return await call(this.#c(id).stats({ stream: false }));
  }

  async getArchive(id: string, path: string): Promise<{ data: Buffer; stat: Record<string, unknown> }> {
    const res = (await call(this.#c(id).getArchive({ path }))) as NodeJS.ReadableStream & { headers?: Record<string, string> };
    const stat = decodePathStat(res.headers?.['x-docker-container-path-stat']);
    return { data: await readAll(res), stat };
  }

  /** Extracts a tar into `path`, which must be an existing directory in the container. */
  async putArchive(id: string, path: string, data: Buffer): Promise<void> {
    try {
      await call(this.#c(id).putArchive(data, { path }));
    } catch (e) {
      // NOTE: Docker answers a broken archive (a good first header, then garbage or a cut) with a 500;
      // it is the caller's bad input, so it is told as such.
      if (e instanceof EngineError && e.status === 500 && /tar/i.test(e.message)) throw new EngineError(400, `The archive could not be extracted: ${e.message}`, { cause: e });
      throw e;
    }
  }

  /**
   * `docker cp` semantics: into `destPath` when it is an existing directory, otherwise into its parent
   * with the archive's top entry renamed to the last path component (so `/tmp/file` is written as a file).
   */
  async putArchiveAt(id: string, destPath: string, tar: Buffer): Promise<void> {
    const stat = await this.#statPath(id, destPath);
    if (stat && isDirectoryMode(stat.mode)) return this.putArchive(id, destPath, tar);
    if (destPath.endsWith('/')) throw new EngineError(404, `destination directory ${destPath} does not exist`);
    const parent = posix.dirname(destPath);
    await this.putArchive(id, parent, await renameTopEntry(tar, posix.basename(destPath)));
  }

  async commit(id: string, options: { repository: string; tag?: string }): Promise<string> {
    const res = (await call(this.#c(id).commit(defined({ repo: options.repository, tag: options.tag })))) as { Id: string };
    return res.Id;
  }

  #c(id: string): Docker.Container {
    return this.#docker.getContainer(id);
  }

  #hasBridge(): Promise<boolean> {
    this.#bridge ??= this.#docker
      .getNetwork('bridge')
      .inspect()
      .then(() => true)
      .catch((e: unknown) => {
        const err = toEngineError(e);
        if (isNotFound(err)) return false;
        this.#bridge = undefined;
        throw err;
      });
    return this.#bridge;
  }

  /** The path's stat, or null when it does not exist. */
  async #statPath(id: string, path: string): Promise<Record<string, unknown> | null> {
    try {
      const res = (await this.#c(id).infoArchive({ path })) as NodeJS.ReadableStream & { headers?: Record<string, string> };
      // NOTE: the HEAD answer is handed over as an unread stream; drain it or its socket stays busy.
      res.resume();
      return decodePathStat(res.headers?.['x-docker-container-path-stat']);
    } catch (e) {
      if (isNotFound(toEngineError(e))) return null;
      throw toEngineError(e);
    }
  }

  #rawStream(path: string, query: Record<string, unknown>): Promise<NodeJS.ReadableStream> {
    return new Promise((resolve, reject) => {
      this.#docker.modem.dial(
        { path, method: 'GET', options: query, isStream: true, statusCodes: { 200: true, 404: 'no such container', 500: 'server error' } },
        (err, data) => (err ? reject(toEngineError(err)) : resolve(data as NodeJS.ReadableStream)),
      );
    });
  }
}

function modemOptions(host: string | undefined): Docker.DockerOptions {
  if (!host) return { socketPath: '/var/run/docker.sock' };
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  const m = /^(?:tcp|http):\/\/([^:/]+):(\d+)\/?$/.exec(host);
  if (m) return { protocol: 'http', host: m[1], port: Number(m[2]) };
  throw new EngineError(400, `unsupported engine address ${host}: use unix:///path or tcp://host:port`);
}
