/**
 * Docker endpoint benchmark: the stock docker CLI through Berth against the same CLI straight to the
 * engine Berth's local agent drives, in the same run. Timed commands (median of BENCH_DOCKER_N runs
 * each, sides alternating):
 *   docker ps · docker exec c true · docker logs c · docker run --rm busybox true · docker build (one line)
 * Prints each median and the ratio Berth / engine; the goal is ≤ 1.5×, and ≤ 1.2× for run --rm.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envInt, formatTable, now, percentile, startBenchServer } from './lib.js';

const N = envInt('BENCH_DOCKER_N', 15);
const r2 = (x: number) => Math.round(x * 100) / 100;

/** Runs docker with `env`; resolves with stdout, rejects with its words on failure. */
function docker(env: Record<string, string>, args: string[], cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`docker ${args.join(' ')}: exit ${code}: ${err.trim()}`))));
  });
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = now();
  await fn();
  return now() - t;
}

async function main(): Promise<void> {
  const engine = process.env.DOCKER_HOST;
  if (!engine) throw new Error('DOCKER_HOST is not set (npm run bench sets it)');
  const bench = await startBenchServer({ BERTH_LOCAL_AGENT: 'true', BERTH_ENGINE: engine, BERTH_QUOTAS: 'false' });
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-docker-'));
  const direct = { DOCKER_HOST: engine, DOCKER_BUILDKIT: '0', DOCKER_CONFIG: join(dir, 'direct') };
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ HttpHeaders: { 'X-Auth-Token': bench.adminToken } }));
  const berth = { DOCKER_HOST: bench.server.dockerHost, DOCKER_BUILDKIT: '0', DOCKER_CONFIG: dir };
  const ctx = join(dir, 'ctx');
  mkdirSync(ctx, { recursive: true });
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nCMD ["true"]\n');
  const cases: [string, (env: Record<string, string>, c: string) => Promise<unknown>][] = [
    ['docker ps', (env) => docker(env, ['ps'])],
    ['docker exec c true', (env, c) => docker(env, ['exec', c, 'true'])],
    ['docker logs c', (env, c) => docker(env, ['logs', c])],
    ['docker run --rm busybox true', (env) => docker(env, ['run', '--rm', 'busybox', 'true'])],
    ['docker build (1 line)', (env) => docker(env, ['build', '-q', '-t', 'berth-bench-build', '.'], ctx)],
  ];
  try {
    const name = `bench-${process.pid}`;
    const cBerth = await docker(berth, ['run', '-d', '--name', name, 'busybox', 'sh', '-c', 'echo ready; sleep 3600']);
    const cDirect = await docker(direct, ['run', '-d', '--name', `${name}-direct`, 'busybox', 'sh', '-c', 'echo ready; sleep 3600']);
    const rows: unknown[][] = [];
    for (const [label, fn] of cases) {
      const b: number[] = [], d: number[] = [];
      await fn(berth, cBerth); // warm-up, not timed
      await fn(direct, cDirect);
      for (let i = 0; i < N; i++) {
        if (i % 2 === 0) {
          b.push(await timed(() => fn(berth, cBerth)));
          d.push(await timed(() => fn(direct, cDirect)));
        } else {
          d.push(await timed(() => fn(direct, cDirect)));
          b.push(await timed(() => fn(berth, cBerth)));
        }
      }
      b.sort((x, y) => x - y);
      d.sort((x, y) => x - y);
      const mb = percentile(b, 50), md = percentile(d, 50);
      rows.push([label, r2(md), r2(mb), `${r2(mb / md)}×`]);
    }
    console.log(`docker CLI through Berth vs straight to the engine (median ms of ${N}, same run)`);
    console.log(formatTable(['command', 'engine ms', 'Berth ms', 'ratio'], rows));
    await docker(berth, ['rm', '-f', name]).catch(() => undefined);
    await docker(direct, ['rm', '-f', `${name}-direct`]).catch(() => undefined);
    await docker(direct, ['rmi', 'berth-bench-build']).catch(() => undefined);
  } finally {
    await bench.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
