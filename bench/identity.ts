/**
 * Identity benchmark: how fast Berth answers an authenticated Keystone call. A server runs in this
 * process on SQLite (local agent off, log silent); the load comes from a child process, so the load
 * generator never shares the server's event loop (`--inline` runs it in this process instead, to see
 * the difference).
 *
 * Measured, for GET /identity/v3/projects with the admin's X-Auth-Token and, as a baseline, for
 * GET /identity/v3 (the version document: no token, no database):
 *   1. full load: requests per second with autocannon (CONNECTIONS connections, SECONDS s, after a
 *      warm-up), in 5 slices per endpoint that alternate between the two, so that a slow spell of a
 *      shared machine hits both and their ratio stays meaningful;
 *   2. fixed rate: latency at RATE requests/s with autocannon's overallRate (10 connections). Autocannon
 *      paces per connection and per second: each connection sends its share back to back and then
 *      waits for the next second, so the load comes in bursts;
 *   3. paced: latency at RATE requests/s sent evenly (one request every 1000/RATE ms, open loop, on
 *      32 keep-alive connections), measured to the microsecond (autocannon's histogram has 1 ms steps).
 *
 * Run: node dist/bench/identity.js [seconds=10] [connections=50] [rate=1000] [--inline]
 * Goals (authenticated GET): at least 5,000 requests/s at full load, p99 under 5 ms at 1,000 requests/s
 * (goalP99 with autocannon's overallRate, goalP99Paced with the even pacing).
 *
 * The server's CPU time per request is reported too: on a shared machine the requests per second follow
 * whatever else runs, the CPU cost much less so.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { connect, type Socket } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { formatTable, now, percentile, printResult, startBenchServer } from './lib.js';

const CHILD_FLAG = '--load-generator';
const RATE_CONNECTIONS = 10;
const PACED_SOCKETS = 32;
/** Full load is measured in this many alternating slices per endpoint. */
const ROUNDS = 5;
const WARMUP_SECONDS = 3;

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
  const connections = Number(args[1] ?? 50);
  const rate = Number(args[2] ?? 1000);

  let child: ChildProcess | undefined;
  const generate = (job: Job): Promise<Measurement> => {
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

  const bench = await startBenchServer({ BERTH_LOG_LEVEL: 'silent' });
  try {
    const targets: { name: string; url: string; headers: Record<string, string> }[] = [
      { name: 'GET /identity/v3/projects (token)', url: `${bench.url}/identity/v3/projects`, headers: { 'X-Auth-Token': bench.adminToken } },
      { name: 'GET /identity/v3 (version, baseline)', url: `${bench.url}/identity/v3`, headers: {} },
    ];
    // Full load alternates between the two endpoints in ROUNDS slices, so that a slow spell of the
    // (shared) machine falls on both and their ratio holds; the latency runs go back to back.
    for (const t of targets) await run({ kind: 'full', url: t.url, headers: t.headers, seconds: WARMUP_SECONDS, connections });
    const slices = new Map<string, Measurement[]>(targets.map((t) => [t.name, []]));
    for (let i = 0; i < ROUNDS; i++) {
      for (const t of i % 2 === 0 ? targets : [...targets].reverse()) {
        slices.get(t.name)!.push(await run({ kind: 'full', url: t.url, headers: t.headers, seconds: seconds / ROUNDS, connections }));
      }
    }
    const results: Record<string, Record<'full' | 'rate' | 'paced', Measurement>> = {};
    for (const t of targets) {
      results[t.name] = {
        full: merge(slices.get(t.name)!, seconds / ROUNDS),
        rate: await run({ kind: 'rate', url: t.url, headers: t.headers, seconds, connections: RATE_CONNECTIONS, rate }),
        paced: await run({ kind: 'paced', url: t.url, headers: t.headers, seconds, rate }),
      };
    }

    const rows = targets.flatMap((t) => {
      const r = results[t.name];
      return [
        [t.name, `full load, ${connections} conn`, r.full.reqPerSec, r.full.p50Ms, r.full.p99Ms, r.full.maxMs, r.full.cpuUsPerReq ?? NaN, r.full.failed],
        ['', `autocannon ${rate}/s, ${RATE_CONNECTIONS} conn`, r.rate.reqPerSec, r.rate.p50Ms, r.rate.p99Ms, r.rate.maxMs, r.rate.cpuUsPerReq ?? NaN, r.rate.failed],
        ['', `paced ${rate}/s`, r.paced.reqPerSec, r.paced.p50Ms, r.paced.p99Ms, r.paced.maxMs, r.paced.cpuUsPerReq ?? NaN, r.paced.failed],
      ];
    });
    console.log(`\nidentity: ${seconds} s per run, load generator ${inline ? 'in the server process' : 'in a child process'}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    console.log(formatTable(['endpoint', 'load', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'server CPU µs/req', 'failed'], rows));

    const auth = results[targets[0].name];
    const base = results[targets[1].name];
    const round = (x: number) => Math.round(x * 1000) / 1000;
    printResult('identity', {
      generator: inline ? 'inline' : 'child-process',
      seconds,
      connections,
      rate,
      authReqPerSec: Math.round(auth.full.reqPerSec),
      baselineReqPerSec: Math.round(base.full.reqPerSec),
      authToBaselineRatio: round(auth.full.reqPerSec / base.full.reqPerSec),
      authSliceReqPerSec: slices.get(targets[0].name)!.map((m) => Math.round(m.reqPerSec)),
      baselineSliceReqPerSec: slices.get(targets[1].name)!.map((m) => Math.round(m.reqPerSec)),
      authCpuUsPerReq: Math.round(auth.full.cpuUsPerReq ?? NaN),
      baselineCpuUsPerReq: Math.round(base.full.cpuUsPerReq ?? NaN),
      // What one fully available core could serve at that cost (the machine is shared; req/s depends on load).
      authReqPerSecPerCore: Math.round(1e6 / (auth.full.cpuUsPerReq ?? NaN)),
      authP99MsAtRate: auth.rate.p99Ms,
      baselineP99MsAtRate: base.rate.p99Ms,
      authP99MsPaced: round(auth.paced.p99Ms),
      baselineP99MsPaced: round(base.paced.p99Ms),
      authP50MsPaced: round(auth.paced.p50Ms),
      pacedMaxSendLagMs: round(Math.max(auth.paced.maxSendLagMs ?? 0, base.paced.maxSendLagMs ?? 0)),
      failed: Object.values(results).reduce((n, r) => n + r.full.failed + r.rate.failed + r.paced.failed, 0),
      goalReqPerSec: auth.full.reqPerSec >= 5000,
      goalP99: auth.rate.p99Ms < 5,
      goalP99Paced: auth.paced.p99Ms < 5,
      loadAverage: round(loadavg()[0]),
    });
  } finally {
    child?.kill();
    await bench.stop();
  }
}
