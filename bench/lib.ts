/**
 * @module Small helpers shared by Berth's benchmarks: percentiles, a seeded random source, and one way to
 * print a result (a readable table for people, then one JSON line for scripts).
 */
import { request, type Agent, type IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';

/** A positive whole number from environment variable `name`, `dflt` when it is unset or empty. */
export const envInt = (name: string, dflt: number): number => {
  const v = process.env[name];
  const n = v === undefined || v === '' ? dflt : Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number (got ${v})`);
  return n;
};

/** Nearest-rank percentile of an ascending array; p in 0..100. NaN for an empty array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** A small seeded PRNG (mulberry32): benchmarks replay the same workload on every run. */
export { rng as seededRandom } from '../src/scheduler/builders.js';

export function formatValue(v: unknown): string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return String(v);
    return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toLocaleString('en-US', { maximumFractionDigits: 2 });
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** A plain-text table: a header row, a rule, then the rows; numbers right-aligned. */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  const cells = rows.map((r) => r.map(formatValue));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[], raw: readonly unknown[]) =>
    r.map((c, i) => (typeof raw[i] === 'number' ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [
    line(headers, headers),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map((r, i) => line(r, rows[i])),
  ].join('\n');
}

/** Prints a result as a two-column table, then as one JSON line `{"bench": name, ...result}`. */
export function printResult(name: string, result: Record<string, unknown>): void {
  console.log(`\n== ${name} ==`);
  console.log(formatTable(['metric', 'value'], Object.entries(result)));
  console.log(JSON.stringify({ bench: name, ...result }));
}

/** A TCP port of 127.0.0.1 that was free a moment ago (for a server started as a child process). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Milliseconds since an arbitrary origin, with sub-millisecond resolution. */
export function now(): number {
  return performance.now();
}

/** The answer of `httpRequest`: status, headers, the body as text and, when it is JSON, parsed. */
export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: any;
}

/**
 * One HTTP/1.1 request through node:http (no fetch machinery, so the client's own cost stays small).
 * `target` is a base URL (`http://127.0.0.1:8780`) or `{ socketPath }` for a unix socket; an object body
 * is sent as JSON. Pass a keep-alive `agent` to reuse connections across calls.
 */
export async function httpRequest(
  target: string | { socketPath: string },
  method: string,
  path: string,
  opts: { body?: unknown; headers?: Record<string, string>; agent?: Agent; timeoutMs?: number } = {},
): Promise<HttpAnswer> {
  const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  const headers: Record<string, string> = { ...opts.headers };
  if (body !== undefined) {
    headers['Content-Type'] ??= 'application/json';
    headers['Content-Length'] = String(Buffer.byteLength(body));
  }
  const where = typeof target === 'string'
    ? (() => { const u = new URL(target); return { host: u.hostname, port: Number(u.port) }; })()
    : { socketPath: target.socketPath };
  return new Promise<HttpAnswer>((resolve, reject) => {
    const req = request({ ...where, method, path, headers, agent: opts.agent, timeout: opts.timeoutMs ?? 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text === '' ? undefined : JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** A Berth server started in this process for a benchmark, with a token of the bootstrap admin. */
export interface BenchServer {
  url: string;
  /** Scoped to project admin (role admin). */
  adminToken: string;
  server: import('../src/server/start.js').RunningServer;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * Starts `berth server` in this process on a free port of 127.0.0.1, with a fresh SQLite database in a
 * temporary data directory; `env` adds or overrides BERTH_* settings (the local agent is off unless it
 * turns it on). The server's modules load only when this is called, so benchmarks that do not start a
 * server stay free of them.
 */
export async function startBenchServer(env: Record<string, string> = {}, logDestination?: NodeJS.WritableStream): Promise<BenchServer> {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const { randomBytes } = await import('node:crypto');
  const { loadConfig } = await import('../src/core/config.js');
  const { createLogger } = await import('../src/core/log.js');
  const { startServer } = await import('../src/server/start.js');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'berth-bench-'));
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const config = loadConfig({
    BERTH_DATA_DIR: dataDir,
    BERTH_LISTEN: '127.0.0.1:0',
    BERTH_DOCKER_LISTEN: '127.0.0.1:0',
    BERTH_ADMIN_PASSWORD: password,
    BERTH_LOG_LEVEL: 'silent',
    BERTH_LOCAL_AGENT: 'false',
    ...env,
  });
  const server = await startServer(config, { log: createLogger(config.logLevel, logDestination ?? process.stderr), quiet: true });
  const stop = async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const r = await httpRequest(server.url, 'POST', '/identity/v3/auth/tokens?nocatalog', {
      body: {
        auth: {
          identity: { methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password } } },
          scope: { project: { name: 'admin', domain: { id: 'default' } } },
        },
      },
    });
    const token = r.headers['x-subject-token'];
    if (r.status !== 201 || typeof token !== 'string') throw new Error(`admin login failed: ${r.status} ${r.text}`);
    return { url: server.url, adminToken: token, server, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
