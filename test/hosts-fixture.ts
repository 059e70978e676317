/**
 * Compute hosts for Berth's multi-host suites: the main Docker engine, the extra engines of
 * scripts/test-hosts.sh (one network namespace and dockerd each), real `berth agent` processes joined to
 * a test server, the docker CLI against any of those engines, and several servers on one database.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LABEL_CLOUD } from '../src/agent/protocol.js';
import { freshDatabase, startTestServer, waitFor, type TestDialect, type TestServer } from './helpers.js';

/** The repository: this file runs as dist/test/hosts-fixture.js. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BERTH = join(ROOT, 'bin', 'berth.js');

export interface RunResult { code: number; stdout: string; stderr: string }

/** Runs a program to its end; never throws (the exit code says how it went). */
export function run(file: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 120_000): Promise<RunResult> {
  return new Promise((done) => {
    execFile(file, args, { env, cwd: ROOT, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string }) | null;
      done({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** `docker ARGS` against the engine at `engine` (unix:///…). */
export function docker(engine: string, args: string[], timeoutMs = 60_000): Promise<RunResult> {
  return run('docker', args, { ...process.env, DOCKER_HOST: engine }, timeoutMs);
}

/** Like docker(), but throws with Docker's words when it fails; returns trimmed stdout. */
export async function dockerOk(engine: string, args: string[]): Promise<string> {
  const r = await docker(engine, args);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} on ${engine} exited ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Engine container ids (full) matching every `label=value` given, running or not. */
export async function engineIds(engine: string, labels: Record<string, string>, opts: { running?: boolean } = {}): Promise<string[]> {
  const filters = Object.entries(labels).flatMap(([k, v]) => ['--filter', `label=${k}=${v}`]);
  const out = await dockerOk(engine, ['ps', '--no-trunc', '-q', ...(opts.running ? [] : ['-a']), ...filters]);
  return out ? out.split('\n') : [];
}

/** Force-removes every engine container of one cloud (the safety net after a suite). */
export async function removeCloudContainers(engine: string, cloudId: string): Promise<void> {
  const ids = await engineIds(engine, { [LABEL_CLOUD]: cloudId }).catch(() => []);
  if (ids.length) await docker(engine, ['rm', '-f', ...ids]);
}

/** The main engine (DOCKER_HOST when it answers, else the one scripts/docker.sh ensures). */
export async function mainEngine(): Promise<string> {
  const given = process.env.DOCKER_HOST;
  if (given && (await docker(given, ['version', '--format', '{{.Server.Version}}'])).code === 0) return given;
  const r = await run('bash', [join(ROOT, 'scripts', 'docker.sh'), 'ensure'], process.env, 300_000);
  const m = /^DOCKER_HOST=(\S+)$/m.exec(r.stdout);
  if (r.code !== 0 || !m) throw new Error(`scripts/docker.sh ensure failed: ${r.stderr}`);
  return m[1];
}

export interface EngineHost { name: string; engine: string }

/**
 * The script's environment: without BERTH_URL, so it starts engines only (the suite starts agents).
 * `dataDir` gives the hosts their own data directory (and namespaces), apart from other suites' hosts.
 */
function scriptEnv(dataDir?: string): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.BERTH_URL;
  delete env.BERTH_OPENRC;
  if (dataDir !== undefined) env.BERTH_DATA_DIR = dataDir;
  return env;
}

/** `scripts/test-hosts.sh up N`: host-1..host-N, each its own namespace and engine with busybox. */
export async function upTestHosts(n: number, dataDir?: string): Promise<EngineHost[]> {
  const r = await run('bash', [join(ROOT, 'scripts', 'test-hosts.sh'), 'up', String(n)], scriptEnv(dataDir), 300_000);
  if (r.code !== 0) throw new Error(`test-hosts.sh up ${n} failed (${r.code}): ${r.stderr}`);
  const hosts = [...r.stdout.matchAll(/^(host-\d+) (unix:\/\/\S+)$/gm)].map((m) => ({ name: m[1], engine: m[2] }));
  if (hosts.length !== n) throw new Error(`test-hosts.sh up ${n} printed ${hosts.length} hosts: ${r.stdout}`);
  return hosts;
}

/** `scripts/test-hosts.sh down`: stops every test engine and deletes the namespaces. */
export async function downTestHosts(dataDir?: string): Promise<void> {
  const r = await run('bash', [join(ROOT, 'scripts', 'test-hosts.sh'), 'down'], scriptEnv(dataDir), 300_000);
  if (r.code !== 0) throw new Error(`test-hosts.sh down failed (${r.code}): ${r.stderr}`);
}

// ---------------------------------------------------------------------------------------------------
// Agents

export interface AgentOptions {
  name: string;
  engine: string;
  cpus?: number;
  memoryMb?: number;
  diskGb?: number;
  maxContainers?: number;
  zone?: string;
  resyncSeconds?: number;
}

/** Asks the server for a host's credential (creating the host record), as an admin. */
export async function hostCredential(server: TestServer, token: string, name: string): Promise<{ credential: string; hostId: string }> {
  const r = await server.request('POST', '/container/v1/os-berth/host-credentials', { token, body: { host: name } });
  if (r.status !== 201 || !r.json?.credential) throw new Error(`host credential for ${name}: ${r.status} ${r.text}`);
  return { credential: r.json.credential as string, hostId: r.json.host_id as string };
}

/** Agent processes still running; killed if the test process exits without stopping them. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * One `berth agent` process. start() spawns it and waits until the server welcomed it; kill() and
 * stop() end it; start() again runs a new process with the same credential (an agent restart).
 */
export class AgentProcess {
  readonly opts: AgentOptions;
  readonly hostId: string;
  readonly #serverUrl: string;
  readonly #credential: string;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #output = '';

  constructor(serverUrl: string, credential: string, hostId: string, opts: AgentOptions) {
    this.#serverUrl = serverUrl;
    this.#credential = credential;
    this.hostId = hostId;
    this.opts = opts;
  }

  /** Everything the current process printed (its JSON log lines). */
  get output(): string {
    return this.#output;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  async start(timeoutMs = 30_000): Promise<void> {
    if (this.running) throw new Error(`agent ${this.opts.name} already runs`);
    const o = this.opts;
    const args = [BERTH, 'agent', '--server', this.#serverUrl, '--engine', o.engine, '--name', o.name, '--log-level', 'info'];
    if (o.cpus !== undefined) args.push('--cpus', String(o.cpus));
    if (o.memoryMb !== undefined) args.push('--memory-mb', String(o.memoryMb));
    if (o.diskGb !== undefined) args.push('--disk-gb', String(o.diskGb));
    if (o.maxContainers !== undefined) args.push('--max-containers', String(o.maxContainers));
    if (o.zone !== undefined) args.push('--zone', o.zone);
    if (o.resyncSeconds !== undefined) args.push('--resync-seconds', String(o.resyncSeconds));
    this.#output = '';
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? tmpdir(), BERTH_AGENT_CREDENTIAL: this.#credential },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    live.add(child);
    this.#exited = new Promise((r) => child.once('exit', () => {
      live.delete(child);
      r();
    }));
    const keep = (d: Buffer) => {
      this.#output += d.toString();
      if (this.#output.length > 1_000_000) this.#output = this.#output.slice(-500_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    try {
      await waitFor(`agent ${o.name} to be welcomed`, () => {
        if (!this.running) throw new Error(`agent ${o.name} exited: ${this.#output}`);
        return this.#output.includes('welcomed by server');
      }, timeoutMs, 50);
    } catch (e) {
      await this.kill();
      throw e;
    }
  }

  /** Ends the process with `signal` (SIGKILL: no goodbye to the server) and waits for it to be gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running) return;
    this.#child!.kill(signal);
    await this.#exited;
  }

  /** SIGTERM (a clean stop), then SIGKILL if it lingers. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.#child!.kill('SIGTERM');
    const timer = setTimeout(() => this.#child?.kill('SIGKILL'), 10_000);
    await this.#exited;
    clearTimeout(timer);
  }
}

/** Issues a credential for `opts.name` and starts its agent against `server` (its API issues, `connectTo` is dialled). */
export async function startAgent(server: TestServer, token: string, opts: AgentOptions, connectTo: TestServer = server): Promise<AgentProcess> {
  const { credential, hostId } = await hostCredential(server, token, opts.name);
  const agent = new AgentProcess(connectTo.url, credential, hostId, opts);
  await agent.start();
  return agent;
}

/** A host name no other run uses, sorting after "host-N" so fill-first reaches it last. */
export const uniqueHostName = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

// ---------------------------------------------------------------------------------------------------
// Several servers on one database

export interface SharedServers {
  servers: TestServer[];
  adminPassword: string;
  stop(): Promise<void>;
}

/**
 * `n` servers on one fresh database (each with its own data directory and listener), as several API
 * servers of one cloud would run on PostgreSQL. startTestServer's own fresh database goes unused: the
 * environment given to it names the shared one.
 */
export async function startSharedServers(dialect: TestDialect, n: number, extraEnv: Record<string, string> = {}): Promise<SharedServers> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-shared-'));
  const db = await freshDatabase(dialect, dir);
  const adminPassword = `pw-${randomBytes(9).toString('base64url')}`;
  const servers: TestServer[] = [];
  const stop = async () => {
    for (const s of servers.splice(0)) await s.stop().catch(() => undefined);
    await db.drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < n; i++) {
      servers.push(await startTestServer(dialect, { BERTH_LOCAL_AGENT: 'false', ...extraEnv, BERTH_DATABASE: db.url, BERTH_ADMIN_PASSWORD: adminPassword }));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { servers, adminPassword, stop };
}
