/**
 * Quota benchmark: what Berth's hierarchical quotas cost, and whether a limit holds under a burst.
 *
 *   a) decisions: admit() on a usage map, then applyTakes() with its writes, for 1,000 projects in 50 lend
 *      pools (20 members under each of 50 parents) and 100 in 10 share groups; project and ask drawn at
 *      random, 4 steps in 10 give an earlier admission back (untimed) so the rows stay near full. The
 *      map holds the rows a server reads for the project; once more with every row in it. Baseline in the
 *      same run: the same workload on as many flat exclusive projects;
 *   b) a burst: 1,000 creates (POST /containers?run=false, cpu 0.1, 64M) sent at once in one project whose
 *      quota is 100 containers (set with Zun's PUT /quotas as admin), against `berth server` as a child
 *      process with agents on in-memory engines (bench/memory-engine.ts); exactly 100 must be admitted,
 *      the rest refused with 403, and the project's usage row must say 100;
 *   c) creates/s with quotas on against BERTH_QUOTAS=false (the baseline), the same workload (creates at
 *      concurrency 64 after a warm-up, the project's quota set to no limit), a fresh database per server,
 *      in the order on, off, off, on, … so drift in the machine's load falls on both.
 * SQLite always; PostgreSQL too when BERTH_BENCH_POSTGRES names a server (`postgres://user@host:PORT/db`),
 * a fresh database per server made there and dropped after.
 *
 * Run: node dist/bench/quota.js   (`npm run bench -- quota`)
 * Scale: BENCH_DECISIONS (200,000), BENCH_BURST (1,000), BENCH_BURST_LIMIT (100), BENCH_CREATES (2,000),
 * BENCH_CONCURRENCY (64), BENCH_ROUNDS (2 per setting), BENCH_HOSTS (4).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { Agent } from '../src/agent/agent.js';
import { createLogger } from '../src/core/log.js';
import { hashSecret, newId, newSecret } from '../src/core/ids.js';
import { Database } from '../src/store/db.js';
import { bootstrapIdentity } from '../src/identity/bootstrap.js';
import * as identity from '../src/store/identity-repo.js';
import type { HostRow } from '../src/store/schema.js';
import { admit, applyTakes, DEFAULT_SETTINGS, QuotaTree, releaseTakes, type Amounts, type ProjectNode, type QuotaSettings, type Take, type Usage } from '../src/quota/index.js';
import { scopesOf } from '../src/container/quota-usage.js';
import { MemoryEngine } from './memory-engine.js';
import { envInt, formatTable, freePort, httpRequest, now, percentile, printResult, seededRandom } from './lib.js';

const DECISIONS = envInt('BENCH_DECISIONS', 200_000);
const BURST = envInt('BENCH_BURST', 1_000);
const BURST_LIMIT = envInt('BENCH_BURST_LIMIT', 100);
const CREATES = envInt('BENCH_CREATES', 2_000);
const CONCURRENCY = envInt('BENCH_CONCURRENCY', 64);
const ROUNDS = envInt('BENCH_ROUNDS', 2);
const HOSTS = envInt('BENCH_HOSTS', 4);
const WARMUP = 200;
const PG_URL = process.env.BERTH_BENCH_POSTGRES ?? '';
const ROOT = join(fileURLToPath(import.meta.url), '..', '..', '..');
const HOST_CAPACITY = { cpus: 64, memoryMb: 262_144, diskGb: 4_000, maxContainers: Math.ceil((BURST + CREATES + WARMUP) / HOSTS) + 64 };
const quiet = createLogger('silent');
const r2 = (x: number) => Math.round(x * 100) / 100;
const sorted = (a: number[]) => [...a].sort((x, y) => x - y);

// ---------------------------------------------------------------------------------------------------
// a) Decisions of the pure model

const amounts = (containers: number, cpu: number, memory: number, disk: number): Amounts => ({ containers, cpu, memory, disk });
const ASKS = [amounts(1, 0.1, 64, 0), amounts(1, 0.5, 512, 1), amounts(1, 1, 1024, 5), amounts(1, 2, 4096, 10)];

function project(id: string, parentId: string | null, s: Partial<QuotaSettings> | null): ProjectNode {
  return { id, name: id, parentId, domainId: 'default', settings: s && { ...DEFAULT_SETTINGS, ...s } };
}

/** The tree of the benchmark and the projects decisions are made for (its leaves). */
function hierarchy(): { tree: QuotaTree; leaves: string[] } {
  const nodes: ProjectNode[] = [];
  for (let p = 0; p < 50; p++) {
    const parent = `pool-${p}`;
    nodes.push(project(parent, null, { guarantee: amounts(400, 200, 512_000, 2_000) }));
    for (let m = 0; m < 20; m++) {
      const borrowLimit = m % 2 === 1 ? { cpu: 5, memory: 10_240 } : {}, lendLimit = m % 5 === 0 ? { cpu: 5 } : {};
      nodes.push(project(`${parent}-m${m}`, parent, { mode: 'lend', guarantee: amounts(20, 10, 25_600, 100), borrowLimit, lendLimit }));
    }
  }
  for (let g = 0; g < 10; g++) {
    const parent = `share-${g}`;
    nodes.push(project(parent, null, { guarantee: amounts(200, 100, 256_000, 1_000) }));
    for (let c = 0; c < 10; c++) nodes.push(project(`${parent}-c${c}`, parent, { mode: 'share', weight: 1 + (c % 3) }));
  }
  return { tree: new QuotaTree(nodes), leaves: nodes.filter((n) => n.parentId !== null).map((n) => n.id) };
}

/** The baseline: as many top-level exclusive projects, each with a lend member's guarantee. */
function flat(count: number): { tree: QuotaTree; leaves: string[] } {
  const leaves = Array.from({ length: count }, (_, i) => `flat-${i}`);
  return { tree: new QuotaTree(leaves.map((id) => project(id, null, { guarantee: amounts(20, 10, 25_600, 100) }))), leaves };
}

/**
 * n timed decisions. `scoped`: the map holds the rows a server reads for the project (scopesOf it and its
 * reclaim scope, as settleRefusal does; the lists worked out once, untimed); else every row there is.
 */
function decide(tree: QuotaTree, leaves: string[], n: number, scoped: boolean): { perSec: number; p50Us: number; p99Us: number; admittedPct: number } {
  const random = seededRandom(7);
  const scopes = new Map(leaves.map((id) => [id, scopesOf(tree, [id, ...tree.reclaimScope(id)])]));
  let rows = new Map<string, Amounts>();
  const view = (id: string): Usage => (scoped ? new Map(scopes.get(id)!.flatMap((k) => (rows.has(k) ? [[k, rows.get(k)!] as const] : []))) : rows);
  const keep = (u: Usage) => (scoped ? u.forEach((v, k) => rows.set(k, v)) : (rows = u as Map<string, Amounts>));
  const held: { id: string; takes: readonly Take[]; ask: Amounts }[] = [];
  const lat: number[] = [];
  let admitted = 0;
  while (lat.length < n) {
    if (held.length > 0 && random() < 0.4) {
      const [h] = held.splice(Math.floor(random() * held.length), 1);
      keep(releaseTakes(view(h.id), h.takes, h.ask));
      continue;
    }
    const id = leaves[Math.floor(random() * leaves.length)];
    const ask = ASKS[Math.floor(random() * ASKS.length)];
    const t = now();
    const usage = view(id);
    const a = admit(tree, usage, id, ask);
    const applied = a.ok ? applyTakes(usage, a.takes, ask) : undefined;
    lat.push(now() - t);
    if (applied && !applied.ok) throw new Error(`admit said yes for ${id}, its writes said no at ${applied.scope}`);
    if (a.ok && applied?.ok) {
      keep(applied.usage);
      admitted++;
      held.push({ id, takes: a.takes, ask });
    }
  }
  const s = sorted(lat);
  const total = lat.reduce((x, y) => x + y, 0);
  return { perSec: Math.round(n / (total / 1000)), p50Us: r2(percentile(s, 50) * 1000), p99Us: r2(percentile(s, 99) * 1000), admittedPct: r2((100 * admitted) / n) };
}

// ---------------------------------------------------------------------------------------------------
// b, c) A `berth server` child process on a prepared database, agents on in-memory engines

interface Server { url: string; agents: Agent[]; password: string; projectId: string }

/** Servers still running, killed if this process is told to end early. */
const running = new Set<ChildProcess>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => { for (const c of running) c.kill('SIGKILL'); process.exit(130); });

/** A fresh database: a file in a temporary directory, or a new database on the PostgreSQL server. */
async function freshDatabase(kind: string): Promise<{ database: string; drop: () => Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'berth-bench-quota-db-'));
    return { database: `sqlite:${join(dir, 'berth.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `bench_${randomBytes(4).toString('hex')}`;
  const onServer = async (statement: string) => {
    const admin = Database.open(PG_URL);
    await sql.raw(statement).execute(admin.kysely).finally(() => admin.close());
  };
  await onServer(`create database ${name}`);
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  return { database: u.toString(), drop: () => onServer(`drop database if exists ${name} with (force)`).catch(() => undefined) };
}

/** Identity, the benchmark's project (the admin works in it) and the hosts with their credentials. */
async function prepare(database: string, password: string, hostNames: string[], credentials: string[]): Promise<string> {
  const db = Database.open(database);
  try {
    await db.migrate();
    await bootstrapIdentity(db, password);
    const projectId = newId();
    const at = new Date().toISOString();
    await identity.insertProject(db.kysely, { id: projectId, name: 'bench-quota', domain_id: 'default', parent_id: null, description: '', enabled: 1, tags: '[]', created_at: at });
    const user = (await identity.getUserByName(db.kysely, 'default', 'admin'))!;
    const role = (await identity.getRoleByName(db.kysely, 'admin'))!;
    await identity.insertAssignment(db.kysely, { user_id: user.id, target_type: 'project', target_id: projectId, role_id: role.id });
    const hosts: HostRow[] = hostNames.map((name, i) => ({
      id: newId(), name, zone: 'nova', enabled: 1, forced_down: 0, disabled_reason: null,
      cpus: HOST_CAPACITY.cpus, memory_mb: HOST_CAPACITY.memoryMb, disk_gb: HOST_CAPACITY.diskGb, max_containers: HOST_CAPACITY.maxContainers,
      labels: '{}', runtimes: '["runc"]', engine_version: '', os: '', credential_hash: hashSecret(credentials[i]),
      last_seen_at: null, created_at: at, updated_at: at, used_cpu: 0, used_memory_mb: 0, used_disk_gb: 0, used_containers: 0,
    }));
    await db.kysely.insertInto('hosts').values(hosts).execute();
    return projectId;
  } finally {
    await db.close();
  }
}

/** Runs `f` against `berth server` on a fresh database with HOSTS agents connected; then stops it all. */
async function withServer<T>(kind: string, quotas: boolean, f: (s: Server, database: string) => Promise<T>): Promise<T> {
  const { database, drop } = await freshDatabase(kind);
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const hostNames = Array.from({ length: HOSTS }, (_, i) => `bench-quota-host-${i}`);
  const credentials = hostNames.map(() => newSecret('h'));
  const projectId = await prepare(database, password, hostNames, credentials);
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-quota-'));
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'berth.js'), 'server'], {
    env: {
      ...process.env, BERTH_DATA_DIR: dataDir, BERTH_DATABASE: database, BERTH_LISTEN: `127.0.0.1:${port}`, BERTH_DOCKER_LISTEN: '127.0.0.1:0',
      BERTH_ADMIN_PASSWORD: password, BERTH_LOCAL_AGENT: 'false', BERTH_LOG_LEVEL: 'error', BERTH_QUOTAS: String(quotas),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const s: Server = { url: `http://127.0.0.1:${port}`, agents: [], password, projectId };
  running.add(child);
  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`berth server exited with ${child.exitCode}`);
      const r = await httpRequest(s.url, 'GET', '/identity/v3', { timeoutMs: 2_000 }).catch(() => undefined);
      if (r && r.status < 500) break;
      if (i > 600) throw new Error('berth server did not answer within 60 s');
      await sleep(100);
    }
    s.agents = hostNames.map((name, i) => new Agent({
      serverUrl: s.url, credential: credentials[i], engine: new MemoryEngine().asDocker(), name, overrides: { ...HOST_CAPACITY }, log: quiet,
    }));
    await Promise.all(s.agents.map((a) => a.start()));
    for (let waited = 0; s.agents.some((a) => a.hostId === null); waited += 100) {
      if (waited > 60_000) throw new Error('the agents were not welcomed within 60 s');
      await sleep(100);
    }
    await sleep(1_000); // the host index learns the hosts
    return await f(s, database);
  } finally {
    await Promise.all(s.agents.map((a) => a.stop().catch(() => undefined)));
    running.delete(child);
    const exited = new Promise((r) => child.once('exit', r));
    if (child.exitCode === null && child.kill('SIGTERM')) await Promise.race([exited, sleep(10_000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    await drop();
  }
}

async function login(s: Server, project: string): Promise<Record<string, string>> {
  const r = await httpRequest(s.url, 'POST', '/identity/v3/auth/tokens?nocatalog', {
    body: { auth: { identity: { methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password: s.password } } }, scope: { project: { name: project, domain: { id: 'default' } } } } },
  });
  const token = r.headers['x-subject-token'];
  if (r.status !== 201 || typeof token !== 'string') throw new Error(`login to ${project} failed: ${r.status} ${r.text}`);
  return { 'X-Auth-Token': token, 'OpenStack-API-Version': 'container 1.40' };
}

/** Zun's PUT /quotas/{project} as the admin; -1 is no limit. */
async function setQuota(s: Server, limits: Partial<Amounts>): Promise<void> {
  const r = await httpRequest(s.url, 'PUT', `/container/v1/quotas/${s.projectId}`, { headers: await login(s, 'admin'), body: limits });
  if (r.status !== 200) throw new Error(`PUT /quotas: ${r.status} ${r.text}`);
}

/** `count` creates, at most `concurrency` at a time; the status of each and its latency. */
async function creates(s: Server, headers: Record<string, string>, tag: string, count: number, concurrency: number): Promise<{ statuses: Map<number, number>; lat: number[]; seconds: number }> {
  const api = new HttpAgent({ keepAlive: true, maxSockets: concurrency });
  const statuses = new Map<number, number>();
  const lat: number[] = [];
  let next = 0;
  const t0 = now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < count; i = next++) {
      const t = now();
      const r = await httpRequest(s.url, 'POST', '/container/v1/containers?run=false', {
        headers, agent: api, body: { name: `${tag}-${i}`, image: 'busybox', cpu: 0.1, memory: '64M' },
      });
      lat.push(now() - t);
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      if (r.status !== 202 && r.status !== 403 && (statuses.get(r.status) ?? 0) <= 3) console.error(`create ${tag}-${i}: ${r.status} ${r.text.slice(0, 300)}`);
    }
  })).finally(() => api.destroy());
  return { statuses, lat, seconds: (now() - t0) / 1000 };
}

/** b) BURST creates at once in a project limited to BURST_LIMIT containers. */
const burst = (kind: string) => withServer(kind, true, async (s, database): Promise<Record<string, number>> => {
  await setQuota(s, { containers: BURST_LIMIT });
  const r = await creates(s, await login(s, 'bench-quota'), 'burst', BURST, BURST);
  const u = await httpRequest(s.url, 'GET', `/container/v1/quotas/${s.projectId}?usages=true`, { headers: await login(s, 'admin') });
  if (u.status !== 200) throw new Error(`GET /quotas?usages=true: ${u.status} ${u.text}`);
  const db = Database.open(database);
  const rows = await db.kysely.selectFrom('containers').select(sql<number>`count(*)`.as('n')).where('project_id', '=', s.projectId).executeTakeFirstOrThrow().finally(() => db.close());
  const [admitted, refused, l] = [r.statuses.get(202) ?? 0, r.statuses.get(403) ?? 0, sorted(r.lat)];
  return {
    burstAdmitted: admitted, burstRefused403: refused, burstOtherStatus: BURST - admitted - refused,
    burstP50Ms: r2(percentile(l, 50)), burstP99Ms: r2(percentile(l, 99)), burstSeconds: r2(r.seconds),
    burstUsageInUse: Number(u.json.containers.in_use), burstContainerRows: Number(rows.n),
  };
});

/** c) CREATES creates at CONCURRENCY after a warm-up, the project's quota set to no limit. */
const throughput = (kind: string, quotas: boolean) => withServer(kind, quotas, async (s) => {
  await setQuota(s, { containers: -1, cpu: -1, memory: -1, disk: -1 });
  const headers = await login(s, 'bench-quota');
  await creates(s, headers, 'warm', WARMUP, CONCURRENCY);
  const r = await creates(s, headers, 'run', CREATES, CONCURRENCY);
  return { perSec: Math.round(CREATES / r.seconds), p99: r2(percentile(sorted(r.lat), 99)), failed: CREATES - (r.statuses.get(202) ?? 0) };
});

async function serverParts(kind: string): Promise<Record<string, number>> {
  const b = await burst(kind);
  console.log(`[${kind}] burst of ${BURST}: ${b.burstAdmitted} admitted, ${b.burstRefused403} refused (403), ${b.burstOtherStatus} other; p50 ${b.burstP50Ms} ms p99 ${b.burstP99Ms} ms; usage says ${b.burstUsageInUse}`);
  const on: number[] = [], off: number[] = [], p99: number[] = [];
  let failed = 0;
  for (let i = 0; i < 2 * ROUNDS; i++) {
    const quotas = i % 4 === 0 || i % 4 === 3; // on, off, off, on, …
    const r = await throughput(kind, quotas);
    (quotas ? on : off).push(r.perSec);
    p99.push(r.p99);
    failed += r.failed;
    console.log(`[${kind}] quotas ${quotas ? 'on ' : 'off'}: ${r.perSec} creates/s, p99 ${r.p99} ms, ${r.failed} failed`);
  }
  const mean = (a: number[]) => Math.round(a.reduce((x, y) => x + y, 0) / a.length);
  return {
    ...b, createsPerSecOn: mean(on), createsPerSecOff: mean(off), ratioOnOff: r2(mean(on) / mean(off)),
    createP99MsMax: Math.max(...p99), createsFailed: failed,
  };
}

// ---------------------------------------------------------------------------------------------------

function goals(r: Record<string, number>): (string | number)[][] {
  const row = (what: string, value: number, goal: number, met: boolean) => [what, value, goal, met ? 'yes' : 'no'];
  return [
    // The model must not be what limits admission: a decision costs under 5% of a create through the API.
    ...('decisionsPerSec' in r && 'createsPerSecOn' in r
      ? [row('decisions/s ÷ creates/s (1,160-project tree)', r2(r.decisionsPerSec / r.createsPerSecOn), 20, r.decisionsPerSec >= 20 * r.createsPerSecOn)] : []),
    row(`burst: admitted (limit ${BURST_LIMIT})`, r.burstAdmitted, BURST_LIMIT, r.burstAdmitted === BURST_LIMIT),
    row('burst: refused with 403', r.burstRefused403, BURST - BURST_LIMIT, r.burstRefused403 === BURST - BURST_LIMIT),
    row('burst: any other status', r.burstOtherStatus, 0, r.burstOtherStatus === 0),
    row('burst: usage row in_use', r.burstUsageInUse, BURST_LIMIT, r.burstUsageInUse === BURST_LIMIT && r.burstContainerRows === BURST_LIMIT),
    row('creates/s quotas on / off', r.ratioOnOff, 0.8, r.ratioOnOff >= 0.8 && r.createsFailed === 0),
  ];
}

async function main(): Promise<void> {
  console.log(`quota: ${DECISIONS} decisions; burst of ${BURST} at limit ${BURST_LIMIT}; ${CREATES} creates at concurrency ${CONCURRENCY}, ${ROUNDS} rounds each; ${HOSTS} hosts; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const h = hierarchy();
  const f = flat(h.leaves.length);
  decide(h.tree, h.leaves, 20_000, true); // warm-up
  decide(f.tree, f.leaves, 20_000, true);
  const tree = decide(h.tree, h.leaves, DECISIONS, true);
  const base = decide(f.tree, f.leaves, DECISIONS, true);
  const whole = decide(h.tree, h.leaves, Math.ceil(DECISIONS / 4), false);
  console.log(formatTable(['decisions (admit + applyTakes)', 'per s', 'p50 µs', 'p99 µs', 'admitted %'], [
    [`tree of ${h.tree.projects.length} projects, the rows a server reads`, tree.perSec, tree.p50Us, tree.p99Us, tree.admittedPct],
    [`baseline: ${f.leaves.length} exclusive projects, flat`, base.perSec, base.p50Us, base.p99Us, base.admittedPct],
    ['the same tree, every row in the map (1/4 of the decisions)', whole.perSec, whole.p50Us, whole.p99Us, whole.admittedPct],
  ]));
  const decisions = {
    decisionsPerSec: tree.perSec, decisionP50Us: tree.p50Us, decisionP99Us: tree.p99Us, decisionsAdmittedPct: tree.admittedPct,
    flatDecisionsPerSec: base.perSec, flatDecisionP99Us: base.p99Us, ratioTreeToFlat: r2(tree.perSec / base.perSec),
    allRowsDecisionsPerSec: whole.perSec, allRowsDecisionP99Us: whole.p99Us,
  };
  if (!PG_URL) console.log('[pg] skipped: set BERTH_BENCH_POSTGRES to a PostgreSQL server URL');
  for (const kind of PG_URL ? ['sqlite', 'pg'] : ['sqlite']) {
    const r = { ...(kind === 'sqlite' ? decisions : {}), ...(await serverParts(kind)), loadAverage: r2(loadavg()[0]) };
    printResult(`quota ${kind}`, r);
    console.log(`\ngoals (${kind})`);
    console.log(formatTable(['metric', 'value', 'goal', 'met'], goals(r)));
  }
}

await main();
