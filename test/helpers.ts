/**
 * Shared helpers of Berth's integration suites: a real server per test group (fresh data directory and
 * fresh database on SQLite or PostgreSQL), HTTP calls through fetch, the stock `openstack` CLI, and the
 * list of routes a server registered (so a table of cases can prove it covers every route).
 *
 * PostgreSQL cases run when BERTH_TEST_POSTGRES names a server (scripts/test.sh starts one); otherwise
 * they are reported as skipped.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { subscribe } from 'node:diagnostics_channel';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { loadConfig } from '../src/core/config.js';
import { createLogger, type Logger } from '../src/core/log.js';
import { startServer, type RunningServer } from '../src/server/start.js';

export type DialectName = 'sqlite' | 'postgres';
export interface TestDialect { name: DialectName }

/** The PostgreSQL server of the test run, or undefined. */
export const postgresUrl: string | undefined = process.env.BERTH_TEST_POSTGRES || undefined;
export const POSTGRES_SKIP = 'BERTH_TEST_POSTGRES is not set: PostgreSQL cases skipped (scripts/test.sh sets it)';

/** The databases to run against: SQLite always, PostgreSQL when the test run provides one. */
export function dialects(): TestDialect[] {
  return postgresUrl ? [{ name: 'sqlite' }, { name: 'postgres' }] : [{ name: 'sqlite' }];
}

/**
 * Declares `body` once per dialect inside a `describe` named after it; when PostgreSQL is not available,
 * a skipped test says so instead of the PostgreSQL group silently missing.
 */
export function eachDialect(body: (dialect: TestDialect) => void, opts: { timeout?: number } = {}): void {
  for (const d of dialects()) describe(d.name, { timeout: opts.timeout }, () => body(d));
  if (!postgresUrl) test('postgres', { skip: POSTGRES_SKIP }, () => undefined);
}

// ---------------------------------------------------------------------------------------------------
// Routes: every Fastify instance created in this process gets an onRoute hook at creation (Fastify
// announces new instances on the `fastify.initialization` diagnostics channel), so the routes a server
// registers can be listed afterwards without changing how the server is built.

const routesOf = new WeakMap<object, [string, string][]>();
subscribe('fastify.initialization', (message) => {
  const app = (message as { fastify: FastifyInstance }).fastify;
  const list: [string, string][] = [];
  routesOf.set(app, list);
  app.addHook('onRoute', (route) => {
    for (const m of [route.method].flat()) list.push([String(m), route.url ?? route.path]);
  });
});

/** [method, url] of every route of the server whose url starts with `prefix`, in registration order. */
export function registeredRoutes(server: RunningServer, prefix: string): [string, string][] {
  const list = routesOf.get(server.app);
  if (!list) throw new Error('routes of this server were not recorded (was it created before helpers.js was imported?)');
  const seen = new Set<string>();
  return list.filter(([m, u]) => {
    const key = `${m} ${u}`;
    if (!u.startsWith(prefix) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------------
// Databases

const dbName = () => `berth_${randomBytes(6).toString('hex')}`;

async function withAdminClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database URL for `dialect`; `drop()` removes it (a no-op for SQLite, whose file lives in `dir`). */
export async function freshDatabase(dialect: TestDialect, dir: string): Promise<{ url: string; drop(): Promise<void> }> {
  if (dialect.name === 'sqlite') return { url: `sqlite:${join(dir, 'berth.db')}`, drop: async () => undefined };
  if (!postgresUrl) throw new Error(POSTGRES_SKIP);
  const name = dbName();
  await withAdminClient((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdminClient(async (c) => { await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); }),
  };
}

// ---------------------------------------------------------------------------------------------------
// Servers

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** The parsed body, or undefined when it is empty or not JSON. */
  json: any;
  text: string;
}

export interface RequestOptions {
  token?: string;
  /** An object is sent as JSON; a string or Buffer is sent as is (with Content-Type application/json unless headers say otherwise). */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface TestServer {
  url: string;
  server: RunningServer;
  dialect: TestDialect;
  dataDir: string;
  adminPassword: string;
  /** OS_* variables of the openrc file the server wrote. */
  openrcEnv(): Record<string, string>;
  /** A fresh token of the bootstrap admin, scoped to project admin. */
  adminToken(): Promise<string>;
  /** A fresh token: scoped to `project` (a name in domain Default), or unscoped when it is undefined. */
  token(user: string, password: string, project?: string): Promise<string>;
  request(method: string, path: string, opts?: RequestOptions): Promise<HttpAnswer>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Logger for the server (default: silent). */
  log?: Logger;
}

export async function request(base: string, method: string, path: string, opts: RequestOptions = {}): Promise<HttpAnswer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== undefined) headers['X-Auth-Token'] = opts.token;
  let body: string | Buffer | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' || Buffer.isBuffer(opts.body) ? opts.body : JSON.stringify(opts.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(base + path, { method, headers, body: body as BodyInit | undefined, signal: AbortSignal.timeout(30_000) });
  } catch (e) {
    // undici says only "fetch failed"; the reason (a refused or reset connection, a connect timeout) is its cause.
    const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : '';
    throw new Error(`${method} ${path}: ${e instanceof Error ? e.message : String(e)}${cause}`, { cause: e });
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** The body of a password login, scoped to a project name in domain Default or explicitly unscoped. */
export function passwordAuth(user: string, password: string, project?: string) {
  return {
    auth: {
      identity: { methods: ['password'], password: { user: { name: user, domain: { id: 'default' }, password } } },
      scope: project === undefined ? 'unscoped' : { project: { name: project, domain: { id: 'default' } } },
    },
  };
}

/**
 * Starts a server on a free port of 127.0.0.1 with a fresh data directory and database (dropped again by
 * `stop`). The agent for the local engine is off unless `extraEnv` turns it on; the log is silent unless
 * `opts.log` is given.
 */
export async function startTestServer(dialect: TestDialect, extraEnv: Record<string, string> = {}, opts: StartOptions = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-test-'));
  // A caller that names its own database (several servers of one cloud) owns it; otherwise a fresh one.
  let db: { url: string; drop(): Promise<void> };
  try {
    db = extraEnv.BERTH_DATABASE ? { url: extraEnv.BERTH_DATABASE, drop: async () => undefined } : await freshDatabase(dialect, dataDir);
  } catch (e) {
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const adminPassword = extraEnv.BERTH_ADMIN_PASSWORD ?? `pw-${randomBytes(9).toString('base64url')}`;
  const env: Record<string, string> = {
    BERTH_DATA_DIR: dataDir,
    BERTH_LISTEN: '127.0.0.1:0',
    BERTH_DOCKER_LISTEN: '127.0.0.1:0',
    BERTH_DATABASE: db.url,
    BERTH_ADMIN_PASSWORD: adminPassword,
    BERTH_LOG_LEVEL: 'silent',
    BERTH_LOCAL_AGENT: 'false',
    ...extraEnv,
  };
  let server: RunningServer;
  try {
    server = await startServer(loadConfig(env), { log: opts.log ?? createLogger(env.BERTH_LOG_LEVEL), quiet: !opts.log });
  } catch (e) {
    await db.drop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const url = server.url;
  let stopped = false;
  const call = (method: string, path: string, o?: RequestOptions) => request(url, method, path, o);
  const token = async (user: string, password: string, project?: string) => {
    const r = await call('POST', '/identity/v3/auth/tokens?nocatalog', { body: passwordAuth(user, password, project) });
    const t = r.headers.get('x-subject-token');
    if (r.status !== 201 || !t) throw new Error(`login of ${user} failed: ${r.status} ${r.text}`);
    return t;
  };
  return {
    url, server, dialect, dataDir, adminPassword,
    openrcEnv: () => parseOpenrc(readFileSync(join(dataDir, 'openrc'), 'utf8')),
    adminToken: () => token('admin', adminPassword, 'admin'),
    token,
    request: call,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await server.stop();
      } finally {
        await db.drop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Lifts the quota of a project (by name, default the bootstrap admin's) to no limit, for suites that
 * measure something other than quotas with more containers than the default quota allows.
 */
export async function unlimitedQuota(server: { url: string }, adminToken: string, project = 'admin'): Promise<void> {
  const found = await request(server.url, 'GET', `/identity/v3/projects?name=${encodeURIComponent(project)}`, { token: adminToken });
  const id = found.json?.projects?.[0]?.id as string | undefined;
  if (!id) throw new Error(`no project ${project}: ${found.status} ${found.text}`);
  const r = await request(server.url, 'PUT', `/container/v1/quotas/${id}`, { token: adminToken, body: { containers: -1, cpu: -1, memory: -1, disk: -1 } });
  if (r.status !== 200) throw new Error(`quota of ${project} not lifted: ${r.status} ${r.text}`);
}

/** `export K=V` / `export K='V'` lines of an openrc file. */
export function parseOpenrc(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^export ((?:OS|BERTH)_[A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2].replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The OpenStack CLI

export interface CliResult { code: number; stdout: string; stderr: string }

/**
 * Runs `openstack ARGS` with a clean environment: PATH, HOME and the given variables only (no proxy
 * settings, no OS_* of the caller), so it talks to the test server and nothing else.
 */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 90_000): Promise<CliResult> {
  const clean: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    LANG: 'C.UTF-8',
    PYTHONWARNINGS: 'ignore',
    ...env,
  };
  return new Promise((resolve) => {
    execFile('openstack', args, { env: clean, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
      let code = 0;
      if (e) code = typeof e.code === 'number' ? e.code : e.killed ? 124 : 127;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) + (e?.killed ? `\n[killed after ${timeoutMs} ms]` : '') });
    });
  });
}

/** `openstack ARGS -f json`, parsed; throws with the CLI's output when it fails. */
export async function cliJson(args: string[], env: Record<string, string>): Promise<any> {
  const r = await runCli([...args, '-f', 'json'], env);
  if (r.code !== 0) throw new Error(`openstack ${args.join(' ')} exited ${r.code}: ${r.stderr || r.stdout}`);
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`openstack ${args.join(' ')} printed no JSON: ${r.stdout}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Small utilities

/** Calls `fn` until it returns a truthy value or `timeoutMs` passes (then throws with `what`). */
export async function waitFor<T>(
  what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 10_000, everyMs = 50,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A memory stream for a logger, and the text written to it so far. */
export function memoryLog(level = 'debug'): { log: Logger; text(): string } {
  const chunks: string[] = [];
  const sink = {
    write(chunk: string | Buffer) {
      chunks.push(String(chunk));
      return true;
    },
  };
  return { log: createLogger(level, sink as unknown as NodeJS.WritableStream), text: () => chunks.join('') };
}
