/**
 * Admission benchmark: creates through the HTTP API while a large fleet is connected and a large number of
 * containers is already placed.
 *
 * For each database (SQLite; PostgreSQL with one and with two servers when BERTH_BENCH_POSTGRES names a
 * server, `postgres://user@127.0.0.1:PORT/db`) it:
 *   1. prepares the database in this process: migrations, identity, N hosts with credentials (bulk rows),
 *      no quota limit for the admin project (which creates) and the list project, and 10,000 containers
 *      of the list project, with the hosts' used_* set to match (the servers' start-up recount writes the
 *      quota usage rows);
 *   2. starts `berth server` as child processes on that database (no local agent);
 *   3. connects N real agents (src/agent) from this process, each over its own WebSocket, each on an
 *      in-memory engine (bench/memory-engine.ts) that already holds the seeded containers;
 *   4. measures creates (POST /containers?run=false, cpu 0.1, memory 64M) at concurrency 64, the list of
 *      the 10,000-container project walked page by page (limit=100, marker), and the time from a
 *      container stopped inside an engine to `GET /containers/{id}` saying Stopped;
 *   5. seeds up to M containers (bulk rows, hosts' used_* to match, engines told first) and measures
 *      creates again;
 *   6. times the quota usage recount the servers run at start-up (src/container/quota-usage.ts) over all
 *      M containers, which must find nothing to repair;
 *   7. checks that no host is over its capacity and that every host's used_* is the sum of its claims.
 * Server RSS is sampled every 500 ms from /proc.
 *
 * Run: node dist/bench/admission.js   (`npm run bench -- admission`)
 * Scale: BENCH_HOSTS (10,000), BENCH_CONTAINERS (1,000,000), BENCH_CREATES per phase (5,000),
 * BENCH_CONCURRENCY (64), BENCH_STATUS_SAMPLES (20), BENCH_DATABASES (sqlite,pg1,pg2); BENCH_SERVER_NODE_ARGS (flags for
 * the servers' node, e.g. --cpu-prof).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { WebSocket } from 'ws';
import { Agent } from '../src/agent/agent.js';
import { createLogger } from '../src/core/log.js';
import { hashSecret, newId, newSecret, newUuid } from '../src/core/ids.js';
import { Database } from '../src/store/db.js';
import { bootstrapIdentity } from '../src/identity/bootstrap.js';
import * as identity from '../src/store/identity-repo.js';
import * as quotas from '../src/store/quota-repo.js';
import { recountUsage } from '../src/container/quota-usage.js';
import { DEFAULT_SETTINGS, QuotaTree, ZUN_DEFAULTS, amounts } from '../src/quota/index.js';
import type { ContainerRow, HostRow } from '../src/store/schema.js';
import { CPU_ALLOCATION_RATIO, MEMORY_ALLOCATION_RATIO } from '../src/container/host-view.js';
import { MemoryEngine } from './memory-engine.js';
import { envInt, formatTable, freePort, httpRequest, now, percentile, printResult } from './lib.js';

const HOSTS = envInt('BENCH_HOSTS', 10_000);
const CONTAINERS = envInt('BENCH_CONTAINERS', 1_000_000);
const CREATES = envInt('BENCH_CREATES', 5_000);
const CONCURRENCY = envInt('BENCH_CONCURRENCY', 64);
const STATUS_SAMPLES = envInt('BENCH_STATUS_SAMPLES', 20);
const LIST_PROJECT = Math.min(10_000, CONTAINERS);
const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite,pg1,pg2').split(',').map((s) => s.trim()).filter(Boolean);
let PG_URL = process.env.BERTH_BENCH_POSTGRES ?? '';

// Every host offers the same: room for its share of the seeded containers and for the creates.
const PER_HOST = Math.ceil(CONTAINERS / HOSTS);
const HOST_CAPACITY = { cpus: 64, memoryMb: 262_144, diskGb: 4_000, maxContainers: PER_HOST + 64 };
const SEED_CLAIM = { cpu: 0.1, memoryMb: 64, diskGb: 0 };
const BATCH_ROWS = 1_000;
const ROOT = join(fileURLToPath(import.meta.url), '..', '..', '..');

const quiet = createLogger('silent');
/** Keep-alive connections; replaced before each measurement, since the server closes idle ones meanwhile. */
let api = new HttpAgent({ keepAlive: true, maxSockets: CONCURRENCY + 8 });
function freshConnections(): void {
  api.destroy();
  api = new HttpAgent({ keepAlive: true, maxSockets: CONCURRENCY + 8 });
}

interface Fleet {
  engines: Map<string, MemoryEngine>;
  hostNames: string[];
  hostIds: string[];
  credentials: string[];
}

// ---------------------------------------------------------------------------------------------------
// Seeding, straight into the database

async function prepare(db: Database, password: string, fleet: Fleet): Promise<{ cloudId: string; adminProject: string; listProject: string }> {
  await db.migrate();
  await bootstrapIdentity(db, password);
  const cloudId = newId().slice(0, 12);
  await identity.putSetting(db.kysely, 'cloud_id', cloudId);
  const adminProject = (await identity.getProjectByName(db.kysely, 'default', 'admin'))!.id;
  const listProject = newId();
  await identity.insertProject(db.kysely, {
    id: listProject, name: 'bench-list', domain_id: 'default', parent_id: null, description: '', enabled: 1, tags: '[]', created_at: new Date().toISOString(),
  });
  // The admin works in the list project too, so its list is walked as the project's members see it.
  const adminUser = (await identity.getUserByName(db.kysely, 'default', 'admin'))!;
  const adminRole = (await identity.getRoleByName(db.kysely, 'admin'))!;
  await identity.insertAssignment(db.kysely, { user_id: adminUser.id, target_type: 'project', target_id: listProject, role_id: adminRole.id });
  // Quotas are on by default: without this the admin project could make 40 containers (Zun's default).
  for (const id of [adminProject, listProject]) await quotas.putSettings(db.kysely, id, { ...DEFAULT_SETTINGS, guarantee: { ...amounts.UNLIMITED } });
  const at = new Date().toISOString();
  const hosts: HostRow[] = fleet.hostNames.map((name, i) => ({
    id: fleet.hostIds[i], name, zone: 'nova', enabled: 1, forced_down: 0, disabled_reason: null,
    cpus: HOST_CAPACITY.cpus, memory_mb: HOST_CAPACITY.memoryMb, disk_gb: HOST_CAPACITY.diskGb, max_containers: HOST_CAPACITY.maxContainers,
    labels: '{}', runtimes: '["runc"]', engine_version: '', os: '', credential_hash: hashSecret(fleet.credentials[i]),
    last_seen_at: null, created_at: at, updated_at: at, used_cpu: 0, used_memory_mb: 0, used_disk_gb: 0, used_containers: 0,
  }));
  await db.tx(async (trx) => {
    for (let i = 0; i < hosts.length; i += BATCH_ROWS) await trx.insertInto('hosts').values(hosts.slice(i, i + BATCH_ROWS)).execute();
  });
  return { cloudId, adminProject, listProject };
}

/**
 * Seeds containers [from, to) in bulk: container i on host i mod N, desired stopped, already observed as
 * Created; the engines learn them first so the next full sync finds them there. Then every host's used_*
 * is recomputed from its containers, in the same transaction as the last batch.
 */
async function seed(db: Database, fleet: Fleet, cloudId: string, projectOf: (i: number) => string, from: number, to: number): Promise<number> {
  const t0 = now();
  const at = new Date().toISOString();
  const spec = JSON.stringify({ image: 'busybox', cpu: SEED_CLAIM.cpu, memoryMb: SEED_CLAIM.memoryMb, extra: {} });
  // Container i goes to the next host (round robin) that still has room for it.
  const hosts = await db.kysely.selectFrom('hosts').select(['id', 'used_containers', 'max_containers']).execute();
  const room = new Map(hosts.map((h) => [h.id, Number(h.max_containers) - Number(h.used_containers)]));
  const totalRoom = [...room.values()].reduce((a, b) => a + Math.max(0, b), 0);
  if (totalRoom < to - from) throw new Error(`the hosts have room for ${totalRoom} more containers, not ${to - from}`);
  let cursor = from;
  const nextHost = (): number => {
    for (;;) {
      const h = cursor++ % HOSTS;
      const left = room.get(fleet.hostIds[h])!;
      if (left > 0) {
        room.set(fleet.hostIds[h], left - 1);
        return h;
      }
    }
  };
  const rowAt = (i: number): ContainerRow => {
    const uuid = newUuid();
    const h = nextHost();
    const projectId = projectOf(i);
    const name = `seed-${i}`;
    fleet.engines.get(fleet.hostNames[h])!.seed(uuid, { cloudId, hostName: fleet.hostNames[h], projectId, name });
    return {
      uuid, name, project_id: projectId, user_id: 'bench', host_id: fleet.hostIds[h], image: 'busybox', image_driver: 'docker',
      cpu: SEED_CLAIM.cpu, memory_mb: SEED_CLAIM.memoryMb, disk_gb: SEED_CLAIM.diskGb, spec, desired: 'stopped', status: 'Created',
      status_reason: null, status_detail: null, task_state: null, generation: 1, observed_generation: 1, restart_generation: 0,
      engine_id: `seed-${uuid}`, observed: '{}', deleted: 0, created_at: at, updated_at: at, priority: 0, admitted_at: at, queued_at: null,
    };
  };
  // A few transactions, each of many multi-row inserts, so the servers' own writes get turns in between.
  const TX_ROWS = 50_000;
  for (let start = from; start < to; start += TX_ROWS) {
    const end = Math.min(to, start + TX_ROWS);
    await db.tx(async (trx) => {
      for (let i = start; i < end; i += BATCH_ROWS) {
        const rows: ContainerRow[] = [];
        for (let j = i; j < Math.min(end, i + BATCH_ROWS); j++) rows.push(rowAt(j));
        await trx.insertInto('containers').values(rows).execute();
      }
    });
  }
  await sql`update hosts set
      used_cpu = coalesce((select sum(cpu) from containers c where c.host_id = hosts.id), 0),
      used_memory_mb = coalesce((select sum(memory_mb) from containers c where c.host_id = hosts.id), 0),
      used_disk_gb = coalesce((select sum(disk_gb) from containers c where c.host_id = hosts.id), 0),
      used_containers = (select count(*) from containers c where c.host_id = hosts.id)`.execute(db.kysely);
  return (now() - t0) / 1000;
}

// ---------------------------------------------------------------------------------------------------
// Servers as child processes, RSS from /proc

interface ServerProc { url: string; child: ChildProcess; dataDir: string; maxRssMb: number; timer: NodeJS.Timeout }

/** Servers still running, stopped if this process is told to end early. */
const running = new Set<ServerProc>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const p of running) {
      p.child.kill('SIGKILL');
      rmSync(p.dataDir, { recursive: true, force: true });
    }
    process.exit(130);
  });
}

async function startServerProc(database: string, password: string): Promise<ServerProc> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-adm-'));
  // BENCH_SERVER_NODE_ARGS passes flags to the servers' node, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'bin', 'berth.js'), 'server'], {
    env: {
      ...process.env, BERTH_DATA_DIR: dataDir, BERTH_DATABASE: database, BERTH_LISTEN: `127.0.0.1:${port}`, BERTH_DOCKER_LISTEN: '127.0.0.1:0',
      BERTH_ADMIN_PASSWORD: password, BERTH_LOCAL_AGENT: 'false', BERTH_LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const p: ServerProc = { url, child, dataDir, maxRssMb: 0, timer: setInterval(() => sampleRss(p), 500) };
  running.add(p);
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`berth server exited with ${child.exitCode}`);
    const r = await httpRequest(url, 'GET', '/identity/v3', { timeoutMs: 2_000 }).catch(() => undefined);
    if (r && r.status < 500) break;
    if (i > 600) throw new Error('berth server did not answer within 60 s');
    await sleep(100);
  }
  return p;
}

function rssMb(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

function sampleRss(p: ServerProc): void {
  p.maxRssMb = Math.max(p.maxRssMb, rssMb(p.child.pid));
}

async function stopServerProc(p: ServerProc): Promise<void> {
  clearInterval(p.timer);
  running.delete(p);
  if (p.child.exitCode === null) {
    const exited = new Promise((r) => p.child.once('exit', r));
    p.child.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
  }
  rmSync(p.dataDir, { recursive: true, force: true });
}

async function login(url: string, password: string, project = 'admin'): Promise<string> {
  const r = await httpRequest(url, 'POST', '/identity/v3/auth/tokens?nocatalog', {
    body: { auth: { identity: { methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password } } }, scope: { project: { name: project, domain: { id: 'default' } } } } },
  });
  const token = r.headers['x-subject-token'];
  if (r.status !== 201 || typeof token !== 'string') throw new Error(`admin login failed: ${r.status} ${r.text}`);
  return token;
}

// ---------------------------------------------------------------------------------------------------
// Measurements

/** Status updates the agents of this process sent (counted at their WebSocket send). */
let statusUpdatesSent = 0;
{
  const ws = WebSocket.prototype as unknown as { send: (...a: unknown[]) => void };
  const send = ws.send;
  ws.send = function (this: unknown, ...args: unknown[]) {
    const text = args[0];
    if (typeof text === 'string' && text.startsWith('{"type":"status"')) statusUpdatesSent += (text.match(/"uuid":/g) ?? []).length;
    return send.apply(this, args);
  };
}

const headers = (token: string) => ({ 'X-Auth-Token': token, 'OpenStack-API-Version': 'container 1.40' });
const sorted = (a: number[]) => [...a].sort((x, y) => x - y);
const r2 = (x: number) => Math.round(x * 100) / 100;

async function measureCreates(urls: string[], token: string, tag: string): Promise<{ perSec: number; p50: number; p99: number; failed: number; statusPerSec: number }> {
  freshConnections();
  const statusBefore = statusUpdatesSent;
  const lat: number[] = [];
  let failed = 0;
  let next = 0;
  const t0 = now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async (_, w) => {
    for (;;) {
      const i = next++;
      if (i >= CREATES) return;
      const s = now();
      const r = await httpRequest(urls[(w + i) % urls.length], 'POST', '/container/v1/containers?run=false', {
        headers: headers(token), agent: api, body: { name: `${tag}-${i}`, image: 'busybox', cpu: 0.1, memory: '64M' },
      });
      lat.push(now() - s);
      if (r.status !== 202) {
        failed++;
        if (failed <= 3) console.error(`create ${tag}-${i}: ${r.status} ${r.text.slice(0, 300)}`);
      }
    }
  }));
  const secs = (now() - t0) / 1000;
  const s = sorted(lat);
  const statusPerSec = Math.round((statusUpdatesSent - statusBefore) / secs);
  return { perSec: Math.round(CREATES / secs), p50: r2(percentile(s, 50)), p99: r2(percentile(s, 99)), failed, statusPerSec };
}

async function measureList(url: string, token: string): Promise<{ p50: number; p99: number; pages: number; seen: number }> {
  freshConnections();
  const lat: number[] = [];
  let seen = 0;
  let pages = 0;
  for (let round = 0; round < 2; round++) {
    let path: string | null = '/container/v1/containers?limit=100';
    while (path) {
      const s = now();
      const r = await httpRequest(url, 'GET', path, { headers: headers(token), agent: api });
      lat.push(now() - s);
      if (r.status !== 200) throw new Error(`list: ${r.status} ${r.text.slice(0, 300)}`);
      const body = r.json as { containers: unknown[]; next: string | null };
      if (round === 0) seen += body.containers.length;
      pages++;
      path = body.next ? new URL(body.next).pathname + new URL(body.next).search : null;
    }
  }
  const s = sorted(lat);
  return { p50: r2(percentile(s, 50)), p99: r2(percentile(s, 99)), pages, seen };
}

async function getStatus(url: string, token: string, uuid: string): Promise<{ status: string; host: string | null }> {
  const r = await httpRequest(url, 'GET', `/container/v1/containers/${uuid}`, { headers: headers(token), agent: api });
  if (r.status !== 200) throw new Error(`GET ${uuid}: ${r.status} ${r.text.slice(0, 200)}`);
  const j = r.json as { status: string; host?: string | null };
  return { status: j.status, host: j.host ?? null };
}

async function waitFor(url: string, token: string, uuid: string, status: string, timeoutMs: number): Promise<{ ms: number; host: string | null }> {
  const t0 = now();
  for (;;) {
    const g = await getStatus(url, token, uuid);
    if (g.status === status) return { ms: now() - t0, host: g.host };
    if (now() - t0 > timeoutMs) throw new Error(`container ${uuid} not ${status} after ${timeoutMs} ms (is ${g.status})`);
    await sleep(5);
  }
}

/** Runs a container, stops it inside its engine (out of band), and times until the API says Stopped. */
async function measureStatus(urls: string[], token: string, fleet: Fleet): Promise<{ p50: number; max: number; samples: number }> {
  freshConnections();
  const times: number[] = [];
  for (let i = 0; i < STATUS_SAMPLES; i++) {
    const url = urls[i % urls.length];
    const r = await httpRequest(url, 'POST', '/container/v1/containers?run=true', {
      headers: headers(token), agent: api, body: { name: `status-${randomBytes(4).toString('hex')}`, image: 'busybox', cpu: 0.1, memory: '64M' },
    });
    if (r.status !== 202) throw new Error(`run: ${r.status} ${r.text.slice(0, 300)}`);
    const uuid = (r.json as { uuid: string }).uuid;
    const { host } = await waitFor(url, token, uuid, 'Running', 60_000);
    const engine = host ? fleet.engines.get(host) : undefined;
    if (!engine) throw new Error(`container ${uuid} runs on an unknown host ${host}`);
    const t0 = now();
    if (!engine.stopOutOfBand(uuid)) throw new Error(`container ${uuid} is not running in its engine`);
    await waitFor(url, token, uuid, 'Stopped', 60_000);
    times.push(now() - t0);
  }
  const s = sorted(times);
  return { p50: r2(percentile(s, 50)), max: r2(s[s.length - 1]), samples: s.length };
}

async function timeRecount(db: Database): Promise<{ seconds: number; repaired: number }> {
  const t0 = now();
  const tree = new QuotaTree(await quotas.loadProjects(db.kysely), { ...ZUN_DEFAULTS, ...(await quotas.getClass(db.kysely, 'default')) });
  const repaired = await recountUsage(db, tree);
  return { seconds: r2((now() - t0) / 1000), repaired: repaired.length };
}

async function checkClaims(db: Database): Promise<{ overAdmitted: number; mismatched: number }> {
  const over = await sql<{ n: number }>`select count(*) as n from hosts where
      used_cpu > cpus * ${sql.raw(String(CPU_ALLOCATION_RATIO))} + 1e-6 or used_memory_mb > floor(memory_mb * ${sql.raw(String(MEMORY_ALLOCATION_RATIO))})
      or used_disk_gb > disk_gb or used_containers > max_containers`.execute(db.kysely);
  const mismatch = await sql<{ n: number }>`select count(*) as n from hosts h left join (
        select host_id, sum(cpu) as cpu, sum(memory_mb) as mem, sum(disk_gb) as disk, count(*) as n from containers where host_id is not null group by host_id
      ) c on c.host_id = h.id
      where abs(h.used_cpu - coalesce(c.cpu, 0)) > 1e-3 or h.used_memory_mb <> coalesce(c.mem, 0)
        or h.used_disk_gb <> coalesce(c.disk, 0) or h.used_containers <> coalesce(c.n, 0)`.execute(db.kysely);
  return { overAdmitted: Number(over.rows[0].n), mismatched: Number(mismatch.rows[0].n) };
}

// ---------------------------------------------------------------------------------------------------

async function connectAgents(urls: string[], fleet: Fleet): Promise<{ agents: Agent[]; seconds: number }> {
  const t0 = now();
  const agents: Agent[] = [];
  for (let i = 0; i < HOSTS; i += 100) {
    const batch = fleet.hostNames.slice(i, i + 100).map((name, k) => new Agent({
      serverUrl: urls[(i + k) % urls.length], credential: fleet.credentials[i + k], engine: fleet.engines.get(name)!.asDocker(), name,
      overrides: { ...HOST_CAPACITY }, log: quiet,
    }));
    await Promise.all(batch.map((a) => a.start()));
    agents.push(...batch);
  }
  // start() gives up waiting after a few seconds while the agent keeps trying; wait for every welcome.
  for (let waited = 0; agents.some((a) => a.hostId === null); waited += 100) {
    if (waited > 300_000) throw new Error(`${agents.filter((a) => a.hostId === null).length} agents were not welcomed within 300 s`);
    await sleep(100);
  }
  return { agents, seconds: (now() - t0) / 1000 };
}

async function runOne(kind: string): Promise<Record<string, unknown>> {
  const servers = kind === 'pg2' ? 2 : 1;
  let database: string;
  let dropDb: (() => Promise<void>) | undefined;
  let dataDir: string | undefined;
  if (kind === 'sqlite') {
    dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-adm-db-'));
    database = `sqlite:${join(dataDir, 'berth.db')}`;
  } else {
    // A fresh database per run on the given PostgreSQL server.
    const name = `bench_${randomBytes(4).toString('hex')}`;
    const admin = Database.open(PG_URL);
    await sql.raw(`create database ${name}`).execute(admin.kysely);
    await admin.close();
    const u = new URL(PG_URL);
    u.pathname = `/${name}`;
    database = u.toString();
    dropDb = async () => {
      const a = Database.open(PG_URL);
      await sql.raw(`drop database if exists ${name} with (force)`).execute(a.kysely).catch(() => undefined);
      await a.close();
    };
  }
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const fleet: Fleet = { engines: new Map(), hostNames: [], hostIds: [], credentials: [] };
  for (let i = 0; i < HOSTS; i++) {
    const name = `bench-host-${String(i).padStart(5, '0')}`;
    fleet.hostNames.push(name);
    fleet.hostIds.push(newId());
    fleet.credentials.push(newSecret('h'));
    fleet.engines.set(name, new MemoryEngine());
  }
  const db = Database.open(database);
  const procs: ServerProc[] = [];
  let agents: Agent[] = [];
  try {
    const { cloudId, listProject } = await prepare(db, password, fleet);
    const bulkProject = newId();
    const projectOf = (i: number) => (i < LIST_PROJECT ? listProject : bulkProject);
    const seed10k = await seed(db, fleet, cloudId, projectOf, 0, LIST_PROJECT);
    for (let i = 0; i < servers; i++) procs.push(await startServerProc(database, password));
    const urls = procs.map((p) => p.url);
    const token = await login(urls[0], password);
    const listToken = await login(urls[0], password, 'bench-list');
    const connected = await connectAgents(urls, fleet);
    agents = connected.agents;
    console.log(`[${kind}] ${HOSTS} agents connected in ${r2(connected.seconds)} s; ${LIST_PROJECT} containers seeded in ${r2(seed10k)} s`);
    await sleep(3_000); // the first full syncs

    const small = await measureCreates(urls, token, 'small');
    console.log(`[${kind}] creates at ${LIST_PROJECT}: ${small.perSec}/s p50 ${small.p50} ms p99 ${small.p99} ms; agents sent ${small.statusPerSec} status updates/s meanwhile`);
    const list = await measureList(urls[0], listToken);
    console.log(`[${kind}] list: ${list.pages} pages, p50 ${list.p50} ms p99 ${list.p99} ms (${list.seen} containers)`);
    const status = await measureStatus(urls, token, fleet);
    console.log(`[${kind}] status to show: p50 ${status.p50} ms, max ${status.max} ms`);

    let large = small;
    let seedM = 0;
    if (CONTAINERS > LIST_PROJECT) {
      seedM = await seed(db, fleet, cloudId, projectOf, LIST_PROJECT, CONTAINERS);
      console.log(`[${kind}] seeded up to ${CONTAINERS} containers in ${r2(seedM)} s`);
      await sleep(3_000); // servers re-read the hosts (every 2 s)
      large = await measureCreates(urls, token, 'large');
      console.log(`[${kind}] creates at ${CONTAINERS}: ${large.perSec}/s p50 ${large.p50} ms p99 ${large.p99} ms; agents sent ${large.statusPerSec} status updates/s meanwhile`);
    }
    // The recount each server runs at start-up, over every container now stored: its time, and that the
    // usage rows the creates kept need no repair.
    const recount = await timeRecount(db);
    console.log(`[${kind}] quota usage recount over ${CONTAINERS} containers: ${recount.seconds} s, ${recount.repaired} rows repaired`);
    // Did the agents converge what was just created? (A create is done for the user once it shows Created.)
    await sleep(10_000);
    const converged = await sql<{ n: number }>`select count(*) as n from containers where name like 'large-%' and status = 'Created'`.execute(db.kysely);
    const convergedM = CONTAINERS > LIST_PROJECT ? Number(converged.rows[0].n) : CREATES;
    console.log(`[${kind}] ${convergedM} of ${CREATES} containers created at M show Created 10 s after the last create`);
    const listLarge = await measureList(urls[0], listToken);
    const claims = await checkClaims(db);
    const rss = Math.max(...procs.map((p) => { sampleRss(p); return p.maxRssMb; }));
    return {
      database: kind, servers, hosts: HOSTS, containers: CONTAINERS, creates: CREATES, concurrency: CONCURRENCY,
      createsPerSec10k: small.perSec, createP50Ms10k: small.p50, createP99Ms10k: small.p99, failed10k: small.failed,
      createsPerSecM: large.perSec, createP50MsM: large.p50, createP99MsM: large.p99, failedM: large.failed,
      ratioMto10k: r2(large.perSec / small.perSec), convergedWithin10sM: convergedM, statusUpdatesPerSec10k: small.statusPerSec, statusUpdatesPerSecM: large.statusPerSec,
      listP50Ms: list.p50, listP99Ms: list.p99, listP99MsAtM: listLarge.p99, listPages: list.pages,
      statusToShowP50Ms: status.p50, statusToShowMaxMs: status.max,
      serverMaxRssMb: Math.round(rss), agentsConnectSeconds: r2(connected.seconds), seedSeconds: r2(seed10k + seedM),
      quotaRecountSecondsAtM: recount.seconds, quotaRowsRepairedAtM: recount.repaired,
      overAdmittedHosts: claims.overAdmitted, hostsWithUsedNotSum: claims.mismatched, loadAverage: r2(loadavg()[0]),
    };
  } finally {
    await Promise.all(agents.map((a) => a.stop().catch(() => undefined)));
    for (const p of procs) await stopServerProc(p);
    await db.close();
    await dropDb?.();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

function goals(r: Record<string, unknown>): (string | number)[][] {
  const n = (k: string) => Number(r[k]);
  const row = (what: string, value: number, goal: number, higherIsBetter: boolean) =>
    [what, value, goal, r2(higherIsBetter ? value / goal : goal / value), (higherIsBetter ? value >= goal : value <= goal) ? 'yes' : 'no'];
  return [
    row('creates/s (at M)', n('createsPerSecM'), 1_000, true),
    row('create p99 ms (at M)', n('createP99MsM'), 100, false),
    row('list p99 ms (10k project, limit 100)', n('listP99Ms'), 50, false),
    row('server RSS MB (max)', n('serverMaxRssMb'), 1_536, false),
    row('status change → GET ms (max)', n('statusToShowMaxMs'), 1_000, false),
    row('creates/s(M) / creates/s(10k)', n('ratioMto10k'), 0.8, true),
  ];
}

/** A throwaway PostgreSQL from scripts/pg.sh when none is given and PostgreSQL is installed; undefined if not. */
async function startThrowawayPostgres(): Promise<{ url: string; stop: () => void } | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-pg-'));
  const port = await freePort();
  const r = spawnSync('bash', [join(ROOT, 'scripts', 'pg.sh'), 'start', dir, String(port)], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.log(`no throwaway PostgreSQL: ${(r.stderr || '').trim().split('\n').pop()}`);
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return { url: r.stdout.trim(), stop: () => void spawnSync('bash', [join(ROOT, 'scripts', 'pg.sh'), 'stop', dir], { stdio: 'ignore' }) };
}

async function main(): Promise<void> {
  console.log(`admission: ${HOSTS} hosts, ${CONTAINERS} containers, ${CREATES} creates per phase at concurrency ${CONCURRENCY}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const throwaway = !PG_URL && DATABASES.some((d) => d !== 'sqlite') ? await startThrowawayPostgres() : undefined;
  if (throwaway) PG_URL = throwaway.url;
  try {
    await runAll();
  } finally {
    throwaway?.stop();
    api.destroy();
  }
}

async function runAll(): Promise<void> {
  for (const kind of DATABASES) {
    if (kind !== 'sqlite' && !PG_URL) {
      console.log(`[${kind}] skipped: set BERTH_BENCH_POSTGRES to a PostgreSQL server URL`);
      continue;
    }
    const r = await runOne(kind);
    printResult(`admission ${kind}`, r);
    console.log(`\nratio to goal (${kind}; ratio ≥ 1 meets the goal)`);
    console.log(formatTable(['metric', 'value', 'goal', 'ratio', 'met'], goals(r)));
  }
}

await main();
