/**
 * Create benchmark: how long a client waits from `POST /containers?run=true` until it sees the container
 * Running, against plain Docker doing the same (create + start, which is when `docker run -d` returns).
 *
 * A server runs in this process on SQLite with its in-process agent on the engine of DOCKER_HOST. Each
 * iteration runs, in a rotating order:
 *   - berth: POST /container/v1/containers?run=true (busybox, sleep 3600), then GET every ~20 ms until
 *     the status is Running; timed from the POST to the answer that says Running;
 *   - docker: Docker Engine API create + start of the same image and command over the same socket
 *     (plain HTTP on the unix socket, no CLI start-up); timed until start returns;
 *   - docker+limits: the same with the options Berth's agent sends (1 CPU, 512 MiB, bridge network,
 *     labels), to tell what the limits cost the engine from what Berth adds.
 * Every container is removed after its iteration (Berth's through DELETE ?force=true, waiting until the
 * row is gone). The first iterations warm up and are not counted.
 *
 * Where Berth's time goes comes from timestamps taken in this process: Docker calls of the agent
 * (wrapped engine adapter methods) and agent-channel messages (wrapped WebSocket send and receive).
 *
 * `berthOverhead` is Berth's time minus the engine's create and start for the same container, and
 * `ratioP50FromOverhead` is (docker p50 + overhead p50) / docker p50: on a busy engine the create and
 * start times swing by seconds between iterations, which the ratio of two measured totals inherits.
 *
 * Run: node dist/bench/create.js [iterations=30] [poll-ms=20]
 * (needs DOCKER_HOST with busybox:latest; `npm run bench -- create` sees to both)
 * Goal: Berth's p50 and p95 at most 1.10 × Docker's.
 */
import { Agent } from 'node:http';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import { DockerEngine } from '../src/engine/docker.js';
import { toCreateOptions } from '../src/engine/convert.js';
import type { EngineContainerSpec } from '../src/engine/types.js';
import { LABEL_CLOUD, LABEL_UUID } from '../src/agent/protocol.js';
import { formatTable, httpRequest, now, percentile, printResult, startBenchServer } from './lib.js';

const ITERATIONS = Number(process.argv[2] ?? 30);
const WARMUP = 2;
const POLL_MS = Number(process.argv[3] ?? 20);
const TIMEOUT_MS = 60_000;
const IMAGE = 'busybox';
const COMMAND = ['sleep', '3600'];
const RUN_ID = randomBytes(4).toString('hex');
const BENCH_LABEL = 'berth.bench';

const dockerHost = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
if (!dockerHost.startsWith('unix://')) throw new Error(`DOCKER_HOST must be a unix socket for this benchmark (got ${dockerHost})`);
const engineSocket = { socketPath: dockerHost.slice('unix://'.length) };

// ---------------------------------------------------------------------------------------------------
// Probes: timestamps of the agent's engine calls and of agent-channel messages, keyed by container uuid.

type Mark = { at: number; what: string; uuid?: string; text?: string };
const marks: Mark[] = [];
const uuidOfEngineId = new Map<string, string>();

function installProbes(): void {
  const proto = DockerEngine.prototype as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const wrap = (method: string, uuidOf: (args: unknown[], result?: unknown) => string | undefined) => {
    const original = proto[method];
    proto[method] = async function (this: unknown, ...args: unknown[]) {
      const start = now();
      const result = await original.apply(this, args);
      const end = now();
      const uuid = uuidOf(args, result);
      if (uuid) {
        marks.push({ at: start, what: `${method}.start`, uuid }, { at: end, what: `${method}.end`, uuid });
      }
      return result;
    };
  };
  wrap('create', (args, id) => {
    const uuid = (args[0] as EngineContainerSpec).labels[LABEL_UUID];
    if (uuid && typeof id === 'string') uuidOfEngineId.set(id, uuid);
    return uuid;
  });
  wrap('start', (args) => uuidOfEngineId.get(args[0] as string));
  wrap('inspect', (args) => /^berth-(.+)$/.exec(String(args[0]))?.[1] ?? uuidOfEngineId.get(args[0] as string));

  // Both ends of the agent channel live in this process: the server sends `desired` and receives
  // `status`; the agent does the opposite. The raw text is kept and read after the iteration.
  const ws = WebSocket.prototype as unknown as { send: (...a: unknown[]) => void; emit: (...a: unknown[]) => boolean };
  const send = ws.send;
  ws.send = function (this: unknown, ...args: unknown[]) {
    if (typeof args[0] === 'string') marks.push({ at: now(), what: 'ws.send', text: args[0] });
    return send.apply(this, args);
  };
  const emit = ws.emit;
  ws.emit = function (this: unknown, ...args: unknown[]) {
    if (args[0] === 'message') marks.push({ at: now(), what: 'ws.receive', text: String(args[1]) });
    return emit.apply(this, args);
  };
}

interface Timeline {
  /** ms after the POST started; undefined when not seen. */
  desiredSent?: number;
  desiredReceived?: number;
  inspectBefore?: [number, number];
  create?: [number, number];
  start?: [number, number];
  inspectAfter?: [number, number];
  statusSent?: number;
  statusReceived?: number;
}

/** Reads the marks of one Berth container started at t0. */
function timelineOf(uuid: string, t0: number): Timeline {
  const rel = (x: number) => x - t0;
  const t: Timeline = {};
  const pair = (what: string, after = -Infinity): [number, number] | undefined => {
    const s = marks.find((m) => m.uuid === uuid && m.what === `${what}.start` && m.at >= after);
    const e = s && marks.find((m) => m.uuid === uuid && m.what === `${what}.end` && m.at >= s.at);
    return s && e ? [rel(s.at), rel(e.at)] : undefined;
  };
  const carries = (m: Mark, type: string, test: (x: Record<string, unknown>) => boolean) => {
    if (!m.text?.includes(uuid)) return false;
    try {
      const msg = JSON.parse(m.text) as { type: string; containers?: Record<string, unknown>[]; updates?: Record<string, unknown>[] };
      return msg.type === type && (msg.containers ?? msg.updates ?? []).some((x) => x.uuid === uuid && test(x));
    } catch {
      return false;
    }
  };
  const desired = (x: Record<string, unknown>) => x.desired === 'running';
  const running = (x: Record<string, unknown>) => x.status === 'Running';
  t.desiredSent = marks.find((m) => m.what === 'ws.send' && carries(m, 'desired', desired))?.at;
  t.desiredReceived = marks.find((m) => m.what === 'ws.receive' && carries(m, 'desired', desired))?.at;
  t.statusSent = marks.find((m) => m.what === 'ws.send' && carries(m, 'status', running))?.at;
  t.statusReceived = marks.find((m) => m.what === 'ws.receive' && carries(m, 'status', running))?.at;
  for (const k of ['desiredSent', 'desiredReceived', 'statusSent', 'statusReceived'] as const) if (t[k] !== undefined) t[k] = rel(t[k]);
  t.inspectBefore = pair('inspect');
  t.create = pair('create');
  t.start = pair('start');
  t.inspectAfter = t.start ? pair('inspect', t.start[1] + t0) : undefined;
  return t;
}

// ---------------------------------------------------------------------------------------------------
// The three ways to start a container

const engineAgent = new Agent({ keepAlive: true, maxSockets: 4 });
const docker = (method: string, path: string, body?: unknown) => httpRequest(engineSocket, method, path, { body, agent: engineAgent });

async function dockerRun(name: string, options: Record<string, unknown>): Promise<{ ms: number; id: string }> {
  const t0 = now();
  const c = await docker('POST', `/containers/create?name=${name}`, options);
  if (c.status !== 201) throw new Error(`docker create: ${c.status} ${c.text}`);
  const id = (c.json as { Id: string }).Id;
  const s = await docker('POST', `/containers/${id}/start`);
  if (s.status !== 204) throw new Error(`docker start: ${s.status} ${s.text}`);
  return { ms: now() - t0, id };
}

async function dockerRemove(id: string): Promise<void> {
  const r = await docker('DELETE', `/containers/${id}?force=true&v=true`);
  if (r.status !== 204 && r.status !== 404) throw new Error(`docker remove: ${r.status} ${r.text}`);
}

/** Docker's create options for a plain `docker run -d busybox sleep 3600` (labelled for clean-up). */
const plainOptions = (): Record<string, unknown> => ({ Image: IMAGE, Cmd: COMMAND, Labels: { [BENCH_LABEL]: RUN_ID } });

/** What Berth's agent sends for the same container: limits, bridge, attach flags, five labels. */
const limitedOptions = (name: string): Record<string, unknown> => {
  const labels = { [BENCH_LABEL]: RUN_ID, 'bench.uuid': randomBytes(16).toString('hex'), 'bench.project': randomBytes(16).toString('hex'), 'bench.name': name, 'bench.host': 'bench' };
  const spec: EngineContainerSpec = { name, image: IMAGE, command: COMMAND, labels, cpu: 1, memoryMb: 512, publishPorts: true };
  const { name: _name, ...options } = toCreateOptions(spec, { bridge: true }) as Record<string, unknown>;
  return options;
};

interface BerthRun {
  ms: number;
  postMs: number;
  polls: number;
  pollMs: number[];
  uuid: string;
  t0: number;
}

async function berthRun(url: string, token: string, name: string, api: Agent): Promise<BerthRun> {
  const headers = { 'X-Auth-Token': token, 'OpenStack-API-Version': 'container 1.40' };
  const t0 = now();
  const r = await httpRequest(url, 'POST', '/container/v1/containers?run=true', { headers, agent: api, body: { name, image: IMAGE, command: COMMAND } });
  const postMs = now() - t0;
  if (r.status !== 202) throw new Error(`POST /containers: ${r.status} ${r.text}`);
  const uuid = (r.json as { uuid: string }).uuid;
  const pollMs: number[] = [];
  for (;;) {
    const ts = now();
    const g = await httpRequest(url, 'GET', `/container/v1/containers/${uuid}`, { headers, agent: api });
    pollMs.push(now() - ts);
    const status = (g.json as { status?: string } | undefined)?.status;
    if (status === 'Running') return { ms: now() - t0, postMs, polls: pollMs.length, pollMs, uuid, t0 };
    if (g.status !== 200 || status === 'Error') throw new Error(`container ${uuid}: ${g.status} ${g.text}`);
    if (now() - t0 > TIMEOUT_MS) throw new Error(`container ${uuid} not Running after ${TIMEOUT_MS} ms (status ${status})`);
    const wait = POLL_MS - (now() - ts);
    if (wait > 0) await sleep(wait);
  }
}

async function berthRemove(url: string, token: string, uuid: string, api: Agent): Promise<void> {
  const headers = { 'X-Auth-Token': token, 'OpenStack-API-Version': 'container 1.40' };
  const d = await httpRequest(url, 'DELETE', `/container/v1/containers/${uuid}?force=true`, { headers, agent: api });
  if (d.status !== 204) throw new Error(`DELETE ${uuid}: ${d.status} ${d.text}`);
  const t0 = now();
  for (;;) {
    const g = await httpRequest(url, 'GET', `/container/v1/containers/${uuid}`, { headers, agent: api });
    if (g.status === 404) return;
    if (now() - t0 > TIMEOUT_MS) throw new Error(`container ${uuid} still there ${TIMEOUT_MS} ms after DELETE`);
    await sleep(POLL_MS);
  }
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const image = await docker('GET', `/images/${IMAGE}/json`);
  if (image.status !== 200) throw new Error(`image ${IMAGE} is not on the engine (${image.status}); run scripts/docker.sh ensure`);

  installProbes();
  const bench = await startBenchServer({
    BERTH_LOG_LEVEL: 'warn',
    BERTH_LOCAL_AGENT: 'true',
    BERTH_ENGINE: dockerHost,
    BERTH_HOST_NAME: `bench-create-${RUN_ID}`,
  });
  const api = new Agent({ keepAlive: true, maxSockets: 4 });
  const times = { berth: [] as number[], docker: [] as number[], limits: [] as number[] };
  const posts: number[] = [];
  const polls: number[] = [];
  const pollMs: number[] = [];
  const timelines: { t: Timeline; total: number }[] = [];
  try {
    if (!bench.server.agent?.hostId) throw new Error('the in-process agent did not connect to the server');
    for (let i = 0; i < WARMUP + ITERATIONS; i++) {
      const counted = i >= WARMUP;
      const order = ['berth', 'docker', 'limits'] as const;
      const rotated = [...order.slice(i % 3), ...order.slice(0, i % 3)];
      for (const kind of rotated) {
        const name = `bench-${RUN_ID}-${kind}-${i}`;
        if (kind === 'berth') {
          marks.length = 0;
          const r = await berthRun(bench.url, bench.adminToken, name, api);
          await berthRemove(bench.url, bench.adminToken, r.uuid, api);
          if (!counted) continue;
          times.berth.push(r.ms);
          posts.push(r.postMs);
          polls.push(r.polls);
          pollMs.push(...r.pollMs);
          timelines.push({ t: timelineOf(r.uuid, r.t0), total: r.ms });
        } else {
          const r = await dockerRun(name, kind === 'docker' ? plainOptions() : limitedOptions(name));
          await dockerRemove(r.id);
          if (counted) times[kind].push(r.ms);
        }
        await sleep(50); // let the engine's event stream and the agent's observation of the removal settle
      }
    }
  } finally {
    await bench.stop().catch(() => undefined);
    // Whatever an interrupted run left behind: this run's containers only.
    for (const label of [`${BENCH_LABEL}=${RUN_ID}`, `${LABEL_CLOUD}=${bench.server.cloudId}`]) {
      const list = await docker('GET', `/containers/json?all=true&filters=${encodeURIComponent(JSON.stringify({ label: [label] }))}`);
      for (const c of (list.json as { Id: string }[] | undefined) ?? []) await dockerRemove(c.Id);
    }
    engineAgent.destroy();
    api.destroy();
  }

  const sorted = (a: number[]) => [...a].sort((x, y) => x - y);
  const p = (a: number[], q: number) => percentile(sorted(a), q);
  const stats = (a: number[]) => [p(a, 50), p(a, 95), Math.min(...a), Math.max(...a)];
  // Where Berth's time goes: consecutive stages of each iteration, p50 and p95 of each.
  const stage = (f: (t: Timeline, total: number) => number | undefined) =>
    timelines.map(({ t, total }) => f(t, total)).filter((x): x is number => x !== undefined && Number.isFinite(x));
  const engineBerth = stage((t) => t.create && t.start && t.start[1] - t.create[0]);
  // What Berth adds: its total minus the time the engine spent in create and start for it. Engine times
  // vary far more than Berth's own steps, so this says more than the ratio of two noisy totals.
  const overhead = stage((t, total) => (t.create && t.start ? total - (t.create[1] - t.create[0]) - (t.start[1] - t.start[0]) : undefined));
  const overheadRatio = (q: number) => Math.round(((p(times.docker, q) + p(overhead, q)) / p(times.docker, q)) * 1000) / 1000;
  const r2 = (x: number) => Math.round(x * 100) / 100;
  console.log(`\ncreate → Running: ${ITERATIONS} iterations (+${WARMUP} warm-up), poll every ${POLL_MS} ms, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(formatTable(['path', 'p50 ms', 'p95 ms', 'min ms', 'max ms'], [
    ['berth: POST ?run=true → GET says Running', ...stats(times.berth)],
    ['docker: create + start (= docker run -d)', ...stats(times.docker)],
    ['docker+limits: same, with Berth\'s options', ...stats(times.limits)],
    ['berth: POST answered (202)', ...stats(posts)],
    ['berth: one status GET', ...stats(pollMs)],
    ['berth overhead: total − engine create/start', ...stats(overhead)],
  ]));

  const stages: [string, number[]][] = [
    ['POST → server sends desired (placement commit, push)', stage((t) => t.desiredSent)],
    ['→ agent receives desired', stage((t) => t.desiredReceived! - t.desiredSent!)],
    ['→ agent inspects (container absent)', stage((t) => t.inspectBefore && t.inspectBefore[1] - t.desiredReceived!)],
    ['→ engine create called', stage((t) => t.create && t.inspectBefore && t.create[0] - t.inspectBefore[1])],
    ['engine create', stage((t) => t.create && t.create[1] - t.create[0])],
    ['→ engine start called', stage((t) => t.create && t.start && t.start[0] - t.create[1])],
    ['engine start', stage((t) => t.start && t.start[1] - t.start[0])],
    ['→ agent inspects again', stage((t) => t.inspectAfter && t.start && t.inspectAfter[1] - t.start[1])],
    ['→ status sent (batch window)', stage((t) => t.inspectAfter && t.statusSent! - t.inspectAfter[1])],
    ['→ server receives status', stage((t) => t.statusReceived! - t.statusSent!)],
    ['→ client GET sees Running (DB write, poll wait, GET)', stage((t, total) => total - t.statusReceived!)],
  ];
  console.log('\nwhere Berth\'s time goes (each stage from the end of the one before; ms)');
  console.log(formatTable(['stage', 'p50', 'p95', 'n'], stages.map(([n, a]) => [n, p(a, 50), p(a, 95), a.length])));

  const ratio = (q: number) => Math.round((p(times.berth, q) / p(times.docker, q)) * 1000) / 1000;
  printResult('create', {
    iterations: ITERATIONS,
    berthP50Ms: r2(p(times.berth, 50)),
    berthP95Ms: r2(p(times.berth, 95)),
    dockerP50Ms: r2(p(times.docker, 50)),
    dockerP95Ms: r2(p(times.docker, 95)),
    dockerLimitsP50Ms: r2(p(times.limits, 50)),
    dockerLimitsP95Ms: r2(p(times.limits, 95)),
    ratioP50: ratio(50),
    ratioP95: ratio(95),
    berthEngineCreateStartP50Ms: r2(p(engineBerth, 50)),
    berthOverheadP50Ms: r2(p(overhead, 50)),
    berthOverheadP95Ms: r2(p(overhead, 95)),
    ratioP50FromOverhead: overheadRatio(50),
    postP50Ms: r2(p(posts, 50)),
    pollsPerCreate: r2(polls.reduce((a, b) => a + b, 0) / polls.length),
    pollGetP50Ms: r2(p(pollMs, 50)),
    goalRatio: ratio(50) <= 1.1 && ratio(95) <= 1.1,
    loadAverage: r2(loadavg()[0]),
  });
}

await main();
