/**
 * Shared pieces of the container suites: a test server whose in-process agent drives the real Docker
 * engine of the test run (DOCKER_HOST), the `docker` CLI on that engine, users in projects, Zun calls at
 * a microversion, Zun's error format, and cleanup that leaves no container of the server's cloud behind.
 *
 * Every server has its own cloud id and host name, so the agents of servers started by parallel test
 * files never touch each other's engine containers.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { pack } from 'tar-stream';
import {
  dialects, postgresUrl, POSTGRES_SKIP, startTestServer, waitFor,
  type HttpAnswer, type StartOptions, type TestDialect, type TestServer,
} from './helpers.js';

export const ZUN = '/container/v1';
export const dockerHost: string | undefined = process.env.DOCKER_HOST || undefined;

// ---------------------------------------------------------------------------------------------------
// Programs and the engine

export interface ProcessResult { code: number; stdout: string; stderr: string }

/**
 * Runs a program with a clean environment plus `env` (and `input` on its stdin); never throws: the exit
 * code says how it went (124 after a timeout).
 */
export function run(file: string, args: string[], opts: { env?: Record<string, string>; timeoutMs?: number; cwd?: string; input?: string } = {}): Promise<ProcessResult> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', LANG: 'C.UTF-8', ...opts.env };
  return new Promise((resolve) => {
    const child = spawn(file, args, { env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout: '', stderr: e.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: killed ? 124 : code ?? (signal ? 128 : 0),
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString() + (killed ? '\n[killed: timeout]' : ''),
      });
    });
  });
}

/** `docker ARGS` against the test run's engine. */
export function docker(args: string[], timeoutMs = 60_000): Promise<ProcessResult> {
  return run('docker', args, { env: dockerHost ? { DOCKER_HOST: dockerHost } : {}, timeoutMs });
}

/** Why the engine suites cannot run here, or false when DOCKER_HOST answers and has busybox:latest. */
export async function engineSkipReason(): Promise<string | false> {
  if (!dockerHost) return 'DOCKER_HOST is not set: container cases skipped (scripts/test.sh sets it; or run scripts/docker.sh ensure)';
  const version = await docker(['version', '--format', '{{.Server.Version}}'], 15_000);
  if (version.code !== 0) return `the Docker engine at ${dockerHost} does not answer: container cases skipped (${(version.stderr || version.stdout).trim().split('\n')[0]})`;
  const image = await docker(['image', 'inspect', '--format', '{{.Id}}', 'busybox:latest'], 15_000);
  if (image.code !== 0) return `busybox:latest is missing on ${dockerHost}: container cases skipped (scripts/docker.sh ensure imports it)`;
  return false;
}

/**
 * Declares `body` once per dialect, skipped with `skip` as the reason when the engine is unavailable;
 * without PostgreSQL a skipped test says so.
 */
export function eachEngineDialect(skip: string | false, body: (dialect: TestDialect) => void, opts: { timeout?: number; concurrent?: boolean } = {}): void {
  const each = () => {
    // NOTE: steps within a dialect run in order (suites would otherwise inherit the concurrency below).
    for (const d of dialects()) describe(d.name, { skip, timeout: opts.timeout, concurrency: 1 }, () => body(d));
    if (!postgresUrl) test('postgres', { skip: POSTGRES_SKIP }, () => undefined);
  };
  // NOTE: the dialects use separate servers and clouds, so they may share the engine at the same time.
  if (opts.concurrent) describe('each database', { concurrency: true }, each);
  else each();
}

/** Ids of the engine containers that carry `label` (KEY=VALUE), stopped ones included. */
export async function engineContainers(label: string): Promise<string[]> {
  const r = await docker(['ps', '-a', '-q', '--no-trunc', '--filter', `label=${label}`]);
  if (r.code !== 0) throw new Error(`docker ps failed: ${r.stderr}`);
  return r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
}

/** `docker inspect` of one engine container, parsed, or undefined when it does not exist. */
export async function inspectEngine(nameOrId: string): Promise<any> {
  const r = await docker(['inspect', '--type', 'container', nameOrId]);
  if (r.code !== 0) return undefined;
  return (JSON.parse(r.stdout) as unknown[])[0];
}

/** The engine's event actions (`start`, `die`, `pause`...) for one Berth container between two times. */
export async function engineEvents(uuid: string, sinceSec: number, untilSec: number): Promise<string[]> {
  const r = await docker(['events', '--since', String(sinceSec), '--until', String(untilSec),
    '--filter', 'type=container', '--filter', `label=berth.container-uuid=${uuid}`, '--format', '{{.Action}}']);
  if (r.code !== 0) throw new Error(`docker events failed: ${r.stderr}`);
  return r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
}

/** True when `want` occurs in `seen` in this order (other items may come between). */
export function inOrder(seen: string[], want: string[]): boolean {
  let i = 0;
  for (const s of seen) if (i < want.length && s === want[i]) i++;
  return i === want.length;
}

// ---------------------------------------------------------------------------------------------------
// Servers

export interface EngineServer extends TestServer {
  /** The cloud id on the `berth.cloud` label of every engine container this server's agent makes. */
  cloudId: string;
  /** The compute host of the in-process agent. */
  hostName: string;
}

let serial = 0;

/**
 * A test server whose in-process agent drives the test run's engine, once its host is up. `label` goes
 * into the host name, which is unique per server.
 */
export async function startEngineServer(dialect: TestDialect, label: string, opts: StartOptions = {}): Promise<EngineServer> {
  if (!dockerHost) throw new Error('DOCKER_HOST is not set');
  const hostName = `test-${label}-${dialect.name}-${process.pid}-${++serial}-${randomBytes(3).toString('hex')}`;
  const s = await startTestServer(dialect, { BERTH_LOCAL_AGENT: 'true', BERTH_HOST_NAME: hostName, BERTH_ENGINE: dockerHost }, opts);
  const es = Object.assign(s, { cloudId: s.server.cloudId, hostName });
  try {
    const token = await s.adminToken();
    await waitFor(`host ${hostName} to be up`, async () => {
      const r = await s.request('GET', `${ZUN}/services`, { token });
      return r.json?.services?.some((x: any) => x.host === hostName && x.state === 'up');
    }, 30_000, 100);
  } catch (e) {
    await stopEngineServer(es).catch(() => undefined);
    throw e;
  }
  return es;
}

/**
 * Deletes every container of the server through its API (force, all projects) and waits until the
 * engine holds none labelled with its cloud. Returns the engine containers still there afterwards.
 */
export async function deleteAllContainers(s: EngineServer, timeoutMs = 30_000): Promise<string[]> {
  const token = await s.adminToken();
  const list = await s.request('GET', `${ZUN}/containers?all_projects=True`, { token });
  for (const c of list.json?.containers ?? []) {
    const r = await s.request('DELETE', `${ZUN}/containers/${c.uuid}?force=True`, { token });
    if (r.status !== 204 && r.status !== 404) throw new Error(`delete of ${c.uuid} answered ${r.status}: ${r.text}`);
  }
  const label = `berth.cloud=${s.cloudId}`;
  try {
    await waitFor('the engine to hold no container of this cloud', async () => {
      const [rows, left] = await Promise.all([
        s.request('GET', `${ZUN}/containers?all_projects=True`, { token }),
        engineContainers(label),
      ]);
      return left.length === 0 && rows.json?.containers?.length === 0;
    }, timeoutMs, 200);
  } catch {
    // Reported to the caller below.
  }
  return engineContainers(label);
}

/** Stops the server; any engine container of its cloud still there is removed (a safety net only). */
export async function stopEngineServer(s: EngineServer | undefined): Promise<void> {
  if (!s) return;
  try {
    await deleteAllContainers(s, 20_000).catch(() => undefined);
  } finally {
    await s.stop();
    const left = await engineContainers(`berth.cloud=${s.cloudId}`).catch(() => []);
    if (left.length) await docker(['rm', '-f', ...left]);
  }
}

// ---------------------------------------------------------------------------------------------------
// Users and calls

export interface TestUser {
  name: string;
  password: string;
  userId: string;
  projectId: string;
  projectName: string;
  token: string;
  /** OS_* variables for the CLI as this user. */
  env: Record<string, string>;
}

/** Makes (or reuses) a project and a new user holding `role` on it; logs the user in. */
export async function addUser(s: TestServer, adminToken: string, o: { user: string; project: string; role: 'member' | 'reader' | 'admin' }): Promise<TestUser> {
  const V3 = '/identity/v3';
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await s.request(method, `${V3}${path}`, { token: adminToken, body });
    if (r.status >= 300) throw new Error(`${method} ${path} answered ${r.status}: ${r.text}`);
    return r;
  };
  let project = (await call('GET', `/projects?name=${encodeURIComponent(o.project)}`)).json.projects[0];
  project ??= (await call('POST', '/projects', { project: { name: o.project, domain_id: 'default' } })).json.project;
  const password = `pw-${randomBytes(6).toString('hex')}`;
  const user = (await call('POST', '/users', { user: { name: o.user, password, domain_id: 'default', default_project_id: project.id } })).json.user;
  const role = (await call('GET', `/roles?name=${o.role}`)).json.roles[0];
  await call('PUT', `/projects/${project.id}/users/${user.id}/roles/${role.id}`);
  const token = await s.token(o.user, password, o.project);
  return {
    name: o.user, password, userId: user.id, projectId: project.id, projectName: o.project, token,
    env: { ...s.openrcEnv(), OS_USERNAME: o.user, OS_PASSWORD: password, OS_PROJECT_NAME: o.project },
  };
}

export type Zun = (method: string, path: string, o?: { body?: unknown; version?: string | null; headers?: Record<string, string> }) => Promise<HttpAnswer>;

/** Zun calls as the holder of `token`, at `version` (default latest; null sends no version header). */
export function zunAs(s: TestServer, token: string | undefined, version: string | null = 'latest'): Zun {
  return (method, path, o = {}) => {
    const v = o.version === undefined ? version : o.version;
    const headers: Record<string, string> = { ...(v === null ? {} : { 'OpenStack-API-Version': `container ${v}` }), ...o.headers };
    return s.request(method, `${ZUN}${path}`, { token, body: o.body, headers });
  };
}

/** Asserts Zun's error body: {"errors":[{request_id, code, status, title, detail}]} with the answer's status. */
export function assertZunError(r: HttpAnswer, status: number, detail?: RegExp | string, what = ''): void {
  const where = `${what ? `${what}: ` : ''}${r.status} ${r.text.slice(0, 300)}`;
  assert.equal(r.status, status, where);
  const errors = r.json?.errors;
  assert.ok(Array.isArray(errors) && errors.length === 1, `Zun error format: ${where}`);
  const e = errors[0];
  for (const k of ['request_id', 'code', 'status', 'title', 'detail']) assert.ok(k in e, `error has ${k}: ${where}`);
  assert.equal(e.status, status, where);
  assert.match(e.request_id, /^req-[0-9a-f-]{36}$/, where);
  assert.equal(e.request_id, r.headers.get('x-openstack-request-id'), `the error names the request id of the answer: ${where}`);
  assert.equal(typeof e.detail, 'string', where);
  assert.ok(e.detail.length > 0, where);
  if (detail !== undefined) {
    if (typeof detail === 'string') assert.equal(e.detail, detail, where);
    else assert.match(e.detail, detail, where);
  }
}

/** Waits until the container shows one of `statuses` (seen by `zun`), and returns it. */
export async function waitStatus(zun: Zun, id: string, statuses: string[], timeoutMs = 30_000): Promise<any> {
  let last: any;
  try {
    return await waitFor(`container ${id} to be ${statuses.join(' or ')}`, async () => {
      const r = await zun('GET', `/containers/${id}`, { version: 'latest' });
      last = r.json;
      if (r.status === 200 && r.json.status === 'Error' && !statuses.includes('Error')) throw new Error(`container ${id} went to Error`);
      return r.status === 200 && statuses.includes(r.json.status) && r.json.task_state === null ? r.json : undefined;
    }, timeoutMs, 100);
  } catch (e) {
    throw new Error(`${(e as Error).message}; last seen: ${JSON.stringify(last && { status: last.status, task_state: last.task_state, status_reason: last.status_reason })}`);
  }
}

/** Waits until the container is gone (its deletion confirmed by the agent), so later counts are stable. */
export async function waitGone(zun: Zun, id: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(`container ${id} to be gone`, async () => ((await zun('GET', `/containers/${id}`, { version: 'latest' })).status === 404 ? true : undefined), timeoutMs, 100);
}

// ---------------------------------------------------------------------------------------------------
// The CLI

/** The environment the CLI runs with: PATH, HOME, the locale and `env` only (no proxies, no OS_* of the caller). */
const cliEnv = (env: Record<string, string>) => ({ PYTHONWARNINGS: 'ignore', ...env });

/**
 * Several commands in one CLI process (in directory `cwd`, for relative paths): `openstack` without arguments is an interactive shell that reads
 * commands from stdin, so one start-up and one login serve them all (a CLI start costs about a second of
 * CPU). The commands' output is concatenated; their errors go to stderr. Lines must not use the shell's
 * own operators (; | > <) nor quotes (it does not honour them).
 */
export function cliSession(lines: string[], env: Record<string, string>, cwd?: string): Promise<ProcessResult> {
  for (const l of lines) if (/[;|<>"']/.test(l)) throw new Error(`not for the CLI's interactive shell: ${l}`);
  return run('openstack', [], { env: cliEnv(env), cwd, input: `${lines.join('\n')}\n`, timeoutMs: 120_000 });
}

/** Splits output made of JSON documents one after another; `rest` is what follows the last one. */
export function jsonDocuments(text: string): { docs: any[]; rest: string } {
  const docs: unknown[] = [];
  let i = 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (text[i] !== '{' && text[i] !== '[') break;
    let depth = 0;
    let inString = false;
    let j = i;
    for (; j < text.length; j++) {
      const ch = text[j];
      if (inString) {
        if (ch === '\\') j++;
        else if (ch === '"') inString = false;
      } else if (ch === '"') inString = true;
      else if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') {
        depth--;
        if (depth === 0) break;
      }
    }
    docs.push(JSON.parse(text.slice(i, j + 1)));
    i = j + 1;
  }
  return { docs, rest: text.slice(i) };
}

// ---------------------------------------------------------------------------------------------------
// A terminal for interactive commands

const PTY_DRIVER = `
import json, os, pty, select, sys, time
steps = json.loads(sys.argv[1])
limit = time.time() + float(sys.argv[2])
argv = sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
out = b''
eof = False
def pump(done):
    global out, eof
    while not eof and time.time() < limit and not done():
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b''
            if not data:
                eof = True
                break
            out += data
for wait, send in steps:
    mark = len(out)
    pump(lambda: wait.encode() in out[mark:])
    if eof:
        break
    os.write(fd, send.encode())
pump(lambda: False)
if not eof:
    os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
`;

/**
 * Runs `argv` on a pseudo-terminal (python3's pty module): for each step, waits until the output shows
 * `wait` (after the previous input), then types `send`; returns everything the terminal showed.
 */
export function runOnPty(argv: string[], steps: [wait: string, send: string][], env: Record<string, string>, timeoutSec = 40): Promise<ProcessResult> {
  return run('python3', ['-c', PTY_DRIVER, JSON.stringify(steps), String(timeoutSec), ...argv], { env: { PYTHONWARNINGS: 'ignore', ...env }, timeoutMs: (timeoutSec + 10) * 1000 });
}

/** A tar archive of one file. */
export async function tarOf(name: string, content: Buffer): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve) => p.on('end', () => resolve()));
  p.entry({ name, size: content.length }, content);
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}
