/**
 * Stack benchmark.
 *
 *   1) parsing and validating a template of BENCH_STACK_RESOURCES (1,000) resources (bench/stack-parse.ts);
 *   2) a stack of one OS::Heat::ResourceGroup of BENCH_STACK_COUNT (50) OS::Zun::Container, from
 *      POST /orchestration/v1/{project}/stacks to the first GET that says CREATE_COMPLETE, against the
 *      same number of parallel POST /container/v1/containers?run=true to the first list that shows them
 *      all Running, in the same run. Both sides ask for the same image, command, cpu and memory and are
 *      polled every POLL_MS. A server runs in this process on SQLite with its local agent on DOCKER_HOST;
 *      the admin project has no quota limit. BENCH_STACK_ROUNDS rounds (3) alternate which side goes
 *      first; each side's containers are deleted before the next.
 *
 * Run: node dist/bench/stack.js   (`npm run bench -- stack`; needs DOCKER_HOST with busybox)
 * Goals: the stack at most 1.3 × the direct creates; 1,000 resources parsed and validated in < 200 ms.
 */
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { type BenchServer, envInt, formatTable, httpRequest, now, percentile, printResult, startBenchServer } from './lib.js';
import { measureParse } from './stack-parse.js';

const RESOURCES = envInt('BENCH_STACK_RESOURCES', 1000);
const COUNT = envInt('BENCH_STACK_COUNT', 50);
const ROUNDS = envInt('BENCH_STACK_ROUNDS', 3);
const POLL_MS = 100;
const TIMEOUT_MS = 600_000;
const GOAL_RATIO = 1.3;
const GOAL_PARSE_MS = 200;
const CONTAINER = { image: 'busybox', command: ['sleep', '3600'], cpu: 0.1, memory: 16 };
const r2 = (x: number) => Math.round(x * 100) / 100;

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (const t = now(); !(await check()); await sleep(POLL_MS)) {
    if (now() - t > TIMEOUT_MS) throw new Error(`timed out waiting for ${what}`);
  }
}

interface Side { url: string; token: string; project: string }

const zun = (s: Side, method: string, path: string, body?: unknown) =>
  httpRequest(s.url, method, `/container/v1${path}`, { headers: { 'X-Auth-Token': s.token, 'OpenStack-API-Version': 'container 1.40' }, body });
const heat = (s: Side, method: string, path: string, body?: unknown) =>
  httpRequest(s.url, method, `/orchestration/v1/${s.project}${path}`, { headers: { 'X-Auth-Token': s.token }, body });

async function listMine(s: Side, prefix: string): Promise<Array<{ uuid: string; status: string; name: string }>> {
  const r = await zun(s, 'GET', '/containers?limit=1000');
  if (r.status !== 200) throw new Error(`GET /containers: ${r.status} ${r.text}`);
  return (r.json.containers as Array<{ uuid: string; status: string; name: string }>).filter((c) => c.name.startsWith(prefix));
}

/** Milliseconds until `COUNT` direct creates are all Running. */
async function direct(s: Side, round: number): Promise<number> {
  const prefix = `d${round}-`;
  const t = now();
  const answers = await Promise.all(Array.from({ length: COUNT }, (_, i) => zun(s, 'POST', '/containers?run=true', { ...CONTAINER, name: `${prefix}${i}` })));
  const bad = answers.find((a) => a.status !== 202);
  if (bad) throw new Error(`POST /containers: ${bad.status} ${bad.text}`);
  await until(`${COUNT} containers Running`, async () => {
    const mine = await listMine(s, prefix);
    if (mine.some((c) => c.status === 'Error')) throw new Error('a direct create went to Error');
    return mine.filter((c) => c.status === 'Running').length === COUNT;
  });
  const ms = now() - t;
  await Promise.all(answers.map((a) => zun(s, 'DELETE', `/containers/${a.json.uuid}?force=true`)));
  await until('the direct containers gone', async () => (await listMine(s, prefix)).length === 0);
  return ms;
}

/** Milliseconds until a stack of a ResourceGroup of `COUNT` containers is CREATE_COMPLETE. */
async function stack(s: Side, round: number): Promise<number> {
  const name = `g${round}`;
  const template = {
    heat_template_version: '2018-08-31',
    resources: {
      grp: {
        type: 'OS::Heat::ResourceGroup',
        properties: { count: COUNT, resource_def: { type: 'OS::Zun::Container', properties: { ...CONTAINER, name: `${name}-%index%` } } },
      },
    },
  };
  const t = now();
  const r = await heat(s, 'POST', '/stacks', { stack_name: name, template });
  if (r.status !== 201) throw new Error(`POST /stacks: ${r.status} ${r.text}`);
  const id = String(r.json.stack.id);
  let status = '';
  await until(`stack ${name} CREATE_COMPLETE`, async () => {
    const g = await heat(s, 'GET', `/stacks/${name}/${id}`);
    status = String(g.json?.stack?.stack_status);
    if (status === 'CREATE_FAILED') throw new Error(`stack ${name}: ${g.json.stack.stack_status_reason}`);
    return status === 'CREATE_COMPLETE';
  });
  const ms = now() - t;
  const d = await heat(s, 'DELETE', `/stacks/${name}/${id}`);
  if (d.status !== 204) throw new Error(`DELETE /stacks: ${d.status} ${d.text}`);
  await until(`stack ${name} deleted`, async () => (await heat(s, 'GET', `/stacks/${name}/${id}`)).status === 404
    || (await heat(s, 'GET', `/stacks/${name}/${id}`)).json?.stack?.stack_status === 'DELETE_COMPLETE');
  await until('the stack containers gone', async () => (await listMine(s, `${name}-`)).length === 0);
  return ms;
}

async function side(bench: BenchServer): Promise<Side> {
  const r = await httpRequest(bench.url, 'GET', '/identity/v3/auth/tokens', { headers: { 'X-Auth-Token': bench.adminToken, 'X-Subject-Token': bench.adminToken } });
  const project = String(r.json?.token?.project?.id ?? '');
  if (!project) throw new Error(`token lookup: ${r.status} ${r.text}`);
  const s = { url: bench.url, token: bench.adminToken, project };
  const q = await zun(s, 'PUT', `/quotas/${project}`, { containers: -1, cpu: -1, memory: -1, disk: -1 });
  if (q.status !== 200) throw new Error(`PUT /quotas: ${q.status} ${q.text}`);
  await until('the local agent registers its host', async () => ((await zun(s, 'GET', '/hosts')).json?.hosts ?? []).length > 0);
  return s;
}

async function main(): Promise<void> {
  console.log(`stack: ${RESOURCES}-resource template; group of ${COUNT} containers × ${ROUNDS} rounds; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const parse = measureParse(RESOURCES);
  const bench = await startBenchServer({ BERTH_LOCAL_AGENT: 'true', BERTH_LOG_LEVEL: 'error' });
  const stacks: number[] = [], directs: number[] = [];
  try {
    const s = await side(bench);
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? ['stack', 'direct'] : ['direct', 'stack'];
      for (const which of order) {
        if (which === 'stack') stacks.push(await stack(s, round));
        else directs.push(await direct(s, round));
      }
      console.log(`round ${round + 1}: stack ${Math.round(stacks[round])} ms, direct ${Math.round(directs[round])} ms`);
    }
  } finally {
    await bench.stop();
  }
  const p50 = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
  const ratio = r2(p50(stacks) / p50(directs));
  console.log(formatTable([`${COUNT} containers to Running`, 'p50 ms', 'max ms', '× direct'], [
    [`${COUNT} parallel POST /containers?run=true`, Math.round(p50(directs)), Math.round(Math.max(...directs)), 1],
    [`stack: ResourceGroup count ${COUNT} to CREATE_COMPLETE`, Math.round(p50(stacks)), Math.round(Math.max(...stacks)), ratio],
  ]));
  printResult('stack', {
    resources: RESOURCES, parseObjectMs: parse.objectMs, parseJsonMs: parse.jsonMs, parseYamlMs: parse.yamlMs,
    count: COUNT, rounds: ROUNDS, stackP50Ms: Math.round(p50(stacks)), directP50Ms: Math.round(p50(directs)), ratioP50: ratio,
    loadAverage: r2(loadavg()[0]),
  });
  console.log('\ngoals');
  console.log(formatTable(['metric', 'value', 'goal', 'met'], [
    ['stack p50 / direct p50', ratio, `<= ${GOAL_RATIO}`, ratio <= GOAL_RATIO ? 'yes' : 'no'],
    [`parse + validate ${RESOURCES} resources (object) ms`, parse.objectMs, `< ${GOAL_PARSE_MS}`, parse.objectMs < GOAL_PARSE_MS ? 'yes' : 'no'],
  ]));
}

await main();
