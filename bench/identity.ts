/**
 * Identity benchmark: how fast Berth answers an authenticated Keystone call, against a bare node:http
 * server answering the same bytes. Both servers run in this process (Berth on SQLite, local agent off,
 * log level info, as a default start logs; a handful of projects); the load comes from another process,
 * so the load generator never shares the servers' event loop (`--inline` runs autocannon and the paced
 * client in this process instead, to see the difference).
 *
 * Measured, for GET /identity/v3/projects with the admin's (project-scoped) X-Auth-Token, for a bare
 * node:http server returning that response's body (the goal's yardstick) and, as before, for
 * GET /identity/v3 (the version document: no token, no database):
 *   1. full load: requests per second with wrk (2 threads, CONNECTIONS connections; installed with
 *      apt-get when missing; `--autocannon` uses autocannon instead), SECONDS s per endpoint after a
 *      warm-up, in 5 slices per endpoint taken in rotating order, so that a slow spell of a shared
 *      machine hits all of them and their ratios stay meaningful;
 *   2. fixed rate (Berth's endpoints): latency at RATE requests/s with autocannon's overallRate
 *      (10 connections). Autocannon paces per connection and per second: each connection sends its
 *      share back to back and then waits for the next second, so the load comes in bursts;
 *   3. paced (Berth's endpoints): latency at RATE requests/s sent evenly (one request every 1000/RATE
 *      ms, open loop, on 32 keep-alive connections), measured to the microsecond.
 *
 * Run: node dist/bench/identity.js [seconds=10] [connections=32] [rate=1000] [--autocannon] [--inline]
 * Goals (authenticated GET): at least 0.5 x the bare node:http server's requests/s at full load
 * (goalVsBare: the ratio of the totals; the median of the per-round ratios is printed too), at least
 * 5,000 requests/s, p99 under 5 ms at 1,000 requests/s (goalP99 with autocannon's overallRate,
 * goalP99Paced with the even pacing).
 *
 * The servers' CPU time per request is reported too: on a shared machine the requests per second follow
 * whatever else runs, the CPU cost much less so.
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { connect, type Socket } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { formatTable, httpRequest, now, percentile, printResult, startBenchServer } from './lib.js';

const CHILD_FLAG = '--load-generator';
const RATE_CONNECTIONS = 10;
const PACED_SOCKETS = 32;
/** Full load is measured in this many alternating slices per endpoint. */
const ROUNDS = 5;
const WARMUP_SECONDS = 3;
/** Projects made besides the bootstrap's two, so the listing is a handful. */
const EXTRA_PROJECTS = 4;
const WRK_THREADS = 2;

// ---------------------------------------------------------------------------------------------------
// Load generation (in the child process, or inline)

/** The part of autocannon's result this benchmark reads (latencies in ms, requests per second). */
interface AutocannonResult {
  requests: { average: number; total: number; sent: number };
  latency: { p50: number; p90: number; p99: number; max: number; average: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;

interface Job {
  kind: 'full' | 'rate' | 'paced';
  url: string;
  headers: Record<string, string>;
  seconds: number;
  connections?: number;
  rate?: number;
}

/** One measurement: requests/s and latency percentiles in ms; `failed` counts errors, timeouts and non-2xx. */
interface Measurement {
  reqPerSec: number;
  requests: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  failed: number;
  /** Paced runs: how late the generator sent its worst request, in ms (a sanity check of the pacing). */
  maxSendLagMs?: number;
  /** CPU time (user + system) of this process per request, in µs; with --inline it includes the generator. */
  cpuUsPerReq?: number;
}

async function runJob(job: Job): Promise<Measurement> {
  if (job.kind === 'paced') return paced(job);
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const r = await autocannon({
    url: job.url,
    headers: job.headers,
    connections: job.connections,
    duration: job.seconds,
    ...(job.kind === 'rate'
      ? {
          overallRate: job.rate,
          // NOTE: autocannon's coordinated-omission correction assumes 1 ms between requests whatever
          // the rate, which adds made-up short samples; the recorded latencies are the real ones.
          ignoreCoordinatedOmission: true,
        }
      : {}),
  });
  return {
    reqPerSec: r.requests.average,
    requests: r.requests.total,
    p50Ms: r.latency.p50,
    p90Ms: r.latency.p90,
    p99Ms: r.latency.p99,
    maxMs: r.latency.max,
    failed: r.errors + r.timeouts + r.non2xx,
  };
}

/**
 * Open loop: request i leaves at start + i/rate seconds (or as soon after as timers allow), on one of
 * PACED_SOCKETS keep-alive connections, waiting for a free one if all are busy. The client is a few lines
 * over net.Socket (one prepared request, responses framed by Content-Length) rather than node:http,
 * whose own cost per request is several times the server's on a busy machine. Latency runs from the
 * moment the request was due to go out (when the generator got to it) to the end of its response.
 */
function paced(job: Job): Promise<Measurement> {
  const rate = job.rate ?? 1000;
  const total = Math.round(rate * job.seconds);
  const url = new URL(job.url);
  const head = [`GET ${url.pathname} HTTP/1.1`, `Host: ${url.host}`, ...Object.entries(job.headers).map(([k, v]) => `${k}: ${v}`), '', ''];
  const wire = Buffer.from(head.join('\r\n'));
  const latencies: number[] = [];
  const waiting: number[] = [];
  const idle: Socket[] = [];
  const sockets: Socket[] = [];
  /** When the request now on each busy socket was due. */
  const dueOf = new Map<Socket, number>();
  let failed = 0;
  let sent = 0;
  let done = 0;
  let maxLag = 0;
  return new Promise((resolve) => {
    const start = now();
    const finish = () => {
      const seconds = (now() - start) / 1000;
      for (const s of sockets) s.destroy();
      latencies.sort((a, b) => a - b);
      resolve({
        reqPerSec: done / seconds,
        requests: done,
        p50Ms: percentile(latencies, 50),
        p90Ms: percentile(latencies, 90),
        p99Ms: percentile(latencies, 99),
        maxMs: latencies[latencies.length - 1],
        failed,
        maxSendLagMs: maxLag,
      });
    };
    const complete = (socket: Socket, ok: boolean, t: number) => {
      if (ok) latencies.push(now() - t);
      else failed++;
      if (++done === total) return finish();
      const next = waiting.shift();
      if (next !== undefined) send(socket, next);
      else idle.push(socket);
    };
    const send = (socket: Socket, t: number) => {
      dueOf.set(socket, t);
      socket.write(wire);
    };
    const open = () => {
      const socket = connect({ host: url.hostname, port: Number(url.port), noDelay: true });
      sockets.push(socket);
      let buf: Buffer = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
        for (;;) {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          const headers = buf.subarray(0, end).toString('latin1');
          const length = Number(/\r\ncontent-length: *(\d+)/i.exec(headers)?.[1] ?? 0);
          if (buf.length < end + 4 + length) return;
          buf = buf.subarray(end + 4 + length);
          complete(socket, headers.startsWith('HTTP/1.1 200'), dueOf.get(socket)!);
        }
      });
      socket.on('error', () => undefined);
      return socket;
    };
    for (let i = 0; i < PACED_SOCKETS; i++) idle.push(open());
    const tick = () => {
      const elapsed = now() - start;
      const due = Math.min(total, Math.floor((elapsed * rate) / 1000) + 1);
      if (sent < due) maxLag = Math.max(maxLag, elapsed - (sent * 1000) / rate);
      for (; sent < due; sent++) {
        const t = now();
        const socket = idle.pop();
        if (socket) send(socket, t);
        else waiting.push(t);
      }
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
}

/** Whether wrk can be run; installs it with apt-get (as root) when it is missing. */
function ensureWrk(): boolean {
  const has = () => spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
  if (has()) return true;
  if (process.getuid?.() !== 0) return false;
  console.error('installing wrk (apt-get install -y wrk)');
  spawnSync('apt-get', ['install', '-y', 'wrk'], { stdio: ['ignore', 'ignore', 'inherit'] });
  return has();
}

/** wrk's durations ("812.00us", "1.20ms", "2.00s") in ms. */
function wrkMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!m) return NaN;
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000, m: 60000 }[m[2] as 'us' | 'ms' | 's' | 'm'];
}

/** Full load with wrk, in its own process (spawned without blocking, as the servers run in this one). */
function runWrk(job: Job): Promise<Measurement> {
  const args = [`-t${WRK_THREADS}`, `-c${job.connections}`, `-d${job.seconds}s`, '--latency', ...Object.entries(job.headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]), job.url];
  return new Promise((resolve, reject) => {
    const p = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
      const pct = (p: number) => wrkMs(new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(out)?.[1] ?? '');
      const requests = num(/(\d+) requests in/);
      if (code !== 0 || !Number.isFinite(requests)) return reject(new Error(`wrk failed (${code}): ${out}`));
      const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
      resolve({
        reqPerSec: num(/Requests\/sec:\s+([\d.]+)/),
        requests,
        p50Ms: pct(50),
        p90Ms: pct(90),
        p99Ms: pct(99),
        maxMs: wrkMs(/Latency\s+\S+\s+\S+\s+(\S+)/.exec(out)?.[1] ?? ''),
        failed: (num(/Non-2xx or 3xx responses: (\d+)/) || 0) + (errors ? errors.slice(1).reduce((n, x) => n + Number(x), 0) : 0),
      });
    });
  });
}

/** A node:http server that answers every request with `body` as JSON, nothing else: the yardstick. */
async function startBareServer(body: string): Promise<{ url: string; server: Server }> {
  const bytes = Buffer.from(body);
  const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(bytes.length) };
  const server = createServer((_req, res) => {
    res.writeHead(200, headers);
    res.end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('bare server has no port');
  return { url: `http://127.0.0.1:${address.port}`, server };
}

/**
 * Slices of one endpoint as one measurement: requests/s over all of them, CPU per request over all,
 * the median of their p50 and the worst of their p99 and max (autocannon gives no raw samples to merge).
 */
function merge(parts: Measurement[], sliceSeconds: number): Measurement {
  const requests = parts.reduce((n, m) => n + m.requests, 0);
  const cpu = parts.reduce((n, m) => n + (m.cpuUsPerReq ?? 0) * m.requests, 0);
  const p50s = parts.map((m) => m.p50Ms).sort((a, b) => a - b);
  return {
    reqPerSec: requests / (sliceSeconds * parts.length),
    requests,
    p50Ms: percentile(p50s, 50),
    p90Ms: Math.max(...parts.map((m) => m.p90Ms)),
    p99Ms: Math.max(...parts.map((m) => m.p99Ms)),
    maxMs: Math.max(...parts.map((m) => m.maxMs)),
    failed: parts.reduce((n, m) => n + m.failed, 0),
    cpuUsPerReq: cpu / requests,
  };
}

if (process.argv[2] === CHILD_FLAG) {
  process.on('message', (job: Job) => {
    runJob(job).then(
      (m) => process.send?.({ ok: true, m }),
      (e: unknown) => process.send?.({ ok: false, error: String(e) }),
    );
  });
} else {
  await main();
}

// ---------------------------------------------------------------------------------------------------
// The benchmark

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const inline = process.argv.includes('--inline');
  const seconds = Number(args[0] ?? 10);
  const connections = Number(args[1] ?? 32);
  const rate = Number(args[2] ?? 1000);
  const wrk = !process.argv.includes('--autocannon') && ensureWrk();
  const fullLoad = wrk ? `wrk -t${WRK_THREADS} -c${connections}` : `autocannon, ${connections} conn`;

  let child: ChildProcess | undefined;
  const generate = (job: Job): Promise<Measurement> => {
    if (job.kind === 'full' && wrk) return runWrk(job);
    if (inline) return runJob(job);
    child ??= fork(fileURLToPath(import.meta.url), [CHILD_FLAG], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const c = child;
    return new Promise((resolve, reject) => {
      c.once('message', (msg: { ok: boolean; m?: Measurement; error?: string }) => (msg.ok ? resolve(msg.m!) : reject(new Error(msg.error))));
      c.send(job);
    });
  };
  const run = async (job: Job): Promise<Measurement> => {
    const cpu = process.cpuUsage();
    const m = await generate(job);
    const used = process.cpuUsage(cpu);
    return { ...m, cpuUsPerReq: (used.user + used.system) / m.requests };
  };

  // Log level info, as a default start: request lines are part of the cost being measured.
  const { createWriteStream } = await import('node:fs');
  const bench = await startBenchServer({ BERTH_LOG_LEVEL: 'info' }, createWriteStream('/dev/null'));
  let bare: { url: string; server: Server } | undefined;
  try {
    const auth = { 'X-Auth-Token': bench.adminToken };
    for (let i = 0; i < EXTRA_PROJECTS; i++) {
      const r = await httpRequest(bench.url, 'POST', '/identity/v3/projects', { headers: auth, body: { project: { name: `bench-${i}` } } });
      if (r.status !== 201) throw new Error(`project create failed: ${r.status} ${r.text}`);
    }
    const listing = await httpRequest(bench.url, 'GET', '/identity/v3/projects', { headers: auth });
    if (listing.status !== 200) throw new Error(`project list failed: ${listing.status} ${listing.text}`);
    bare = await startBareServer(listing.text);

    const AUTH = 'GET /identity/v3/projects (token)';
    const BARE = 'bare node:http, same body';
    const VERSION = 'GET /identity/v3 (version document)';
    const targets: { name: string; url: string; headers: Record<string, string>; latency: boolean }[] = [
      { name: AUTH, url: `${bench.url}/identity/v3/projects`, headers: auth, latency: true },
      { name: BARE, url: `${bare.url}/identity/v3/projects`, headers: {}, latency: false },
      { name: VERSION, url: `${bench.url}/identity/v3`, headers: {}, latency: true },
    ];
    // Full load takes the endpoints in ROUNDS slices, in an order that rotates every round, so that a
    // slow spell of the (shared) machine falls on all of them and their ratios hold.
    for (const t of targets) await run({ kind: 'full', url: t.url, headers: t.headers, seconds: WARMUP_SECONDS, connections });
    const slices = new Map<string, Measurement[]>(targets.map((t) => [t.name, []]));
    for (let i = 0; i < ROUNDS; i++) {
      for (let k = 0; k < targets.length; k++) {
        const t = targets[(i + k) % targets.length];
        slices.get(t.name)!.push(await run({ kind: 'full', url: t.url, headers: t.headers, seconds: seconds / ROUNDS, connections }));
      }
    }
    const full = new Map(targets.map((t) => [t.name, merge(slices.get(t.name)!, seconds / ROUNDS)]));
    const latency: Record<string, { rate: Measurement; paced: Measurement }> = {};
    for (const t of targets.filter((x) => x.latency)) {
      latency[t.name] = {
        rate: await run({ kind: 'rate', url: t.url, headers: t.headers, seconds, connections: RATE_CONNECTIONS, rate }),
        paced: await run({ kind: 'paced', url: t.url, headers: t.headers, seconds, rate }),
      };
    }

    const row = (name: string, load: string, m: Measurement) => [name, load, m.reqPerSec, m.p50Ms, m.p99Ms, m.maxMs, m.cpuUsPerReq ?? NaN, m.failed];
    const rows = targets.flatMap((t) => [
      row(t.name, `full load, ${fullLoad}`, full.get(t.name)!),
      ...(latency[t.name]
        ? [row('', `autocannon ${rate}/s, ${RATE_CONNECTIONS} conn`, latency[t.name].rate), row('', `paced ${rate}/s`, latency[t.name].paced)]
        : []),
    ]);
    console.log(`\nidentity: ${seconds} s per endpoint at full load, ${EXTRA_PROJECTS + 2} projects, latency runs from ${inline ? 'the server process' : 'a child process'}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    console.log(formatTable(['endpoint', 'load', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'server CPU µs/req', 'failed'], rows));

    const a = full.get(AUTH)!;
    const b = full.get(BARE)!;
    const v = full.get(VERSION)!;
    const round = (x: number) => Math.round(x * 1000) / 1000;
    const perRound = slices.get(AUTH)!.map((m, i) => m.reqPerSec / slices.get(BARE)![i].reqPerSec).sort((x, y) => x - y);
    const vsBare = a.reqPerSec / b.reqPerSec;
    printResult('identity', {
      generator: wrk ? `wrk -t${WRK_THREADS}` : 'autocannon',
      seconds,
      connections,
      rate,
      authReqPerSec: Math.round(a.reqPerSec),
      bareReqPerSec: Math.round(b.reqPerSec),
      authToBareRatio: round(vsBare),
      authToBareRatioMedianOfRounds: round(percentile(perRound, 50)),
      authToBareRatiosPerRound: perRound.map(round),
      versionReqPerSec: Math.round(v.reqPerSec),
      authToVersionRatio: round(a.reqPerSec / v.reqPerSec),
      authSliceReqPerSec: slices.get(AUTH)!.map((m) => Math.round(m.reqPerSec)),
      bareSliceReqPerSec: slices.get(BARE)!.map((m) => Math.round(m.reqPerSec)),
      authCpuUsPerReq: round(a.cpuUsPerReq ?? NaN),
      bareCpuUsPerReq: round(b.cpuUsPerReq ?? NaN),
      versionCpuUsPerReq: round(v.cpuUsPerReq ?? NaN),
      // What one fully available core could serve at that cost (the machine is shared; req/s depends on load).
      authReqPerSecPerCore: Math.round(1e6 / (a.cpuUsPerReq ?? NaN)),
      authP99MsFull: a.p99Ms,
      authP99MsAtRate: latency[AUTH].rate.p99Ms,
      versionP99MsAtRate: latency[VERSION].rate.p99Ms,
      authP99MsPaced: round(latency[AUTH].paced.p99Ms),
      versionP99MsPaced: round(latency[VERSION].paced.p99Ms),
      authP50MsPaced: round(latency[AUTH].paced.p50Ms),
      pacedMaxSendLagMs: round(Math.max(...Object.values(latency).map((l) => l.paced.maxSendLagMs ?? 0))),
      failed: [...full.values()].reduce((n, m) => n + m.failed, 0) + Object.values(latency).reduce((n, l) => n + l.rate.failed + l.paced.failed, 0),
      goalVsBare: vsBare >= 0.5,
      goalReqPerSec: a.reqPerSec >= 5000,
      goalP99: latency[AUTH].rate.p99Ms < 5,
      goalP99Paced: latency[AUTH].paced.p99Ms < 5,
      loadAverage: round(loadavg()[0]),
    });
  } finally {
    child?.kill();
    bare?.server.close();
    bare?.server.closeAllConnections();
    await bench.stop();
  }
}
