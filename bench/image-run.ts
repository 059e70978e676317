/**
 * Image benchmark, second part: time from create to Running of an `image_driver=glance` container on a
 * host whose engine lacks the image, against plain Docker loading the same `docker save` archive and
 * running it (`docker load -i FILE && docker run -d IMAGE sleep 3600`), in the same run.
 *
 * Every iteration makes a new image, so no engine holds it: a root filesystem of Debian's static busybox
 * plus BENCH_RUN_IMAGE_MB MiB of random bytes, `docker import`ed, `docker save`d to a file and removed
 * from the engine. Berth's side uploads the archive to the image service first (not timed), then times
 * POST /container/v1/containers?run=true with image_driver glance until a GET says Running: the agent
 * streams the archive from the server into `docker load`, then creates and starts the container. The
 * baseline times the shell command above on the same file. Both sides clean up (container, engine image)
 * before the next; the order alternates between iterations.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, readFileSync, realpathSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { pack } from 'tar-stream';
import { formatTable, httpRequest, now, percentile, startBenchServer } from './lib.js';

const MIB = 1024 * 1024;
const r2 = (x: number) => Math.round(x * 100) / 100;
const TIMEOUT_MS = 120_000;

/** Runs `cmd args`, feeding `input` when given; resolves with stdout, rejects with stderr on failure. */
function run(cmd: string, args: string[], input?: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout?.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr?.on('data', (c: Buffer) => { err += c.toString(); });
    if (input && child.stdin) input.pipe(child.stdin);
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}: ${err.trim()}`))));
  });
}

/** A root filesystem tar: /bin/busybox, /bin/sh and /bin/sleep linked to it, and /blob of random bytes. */
function rootfs(busybox: Buffer, blobBytes: number): Readable {
  const p = pack();
  p.entry({ name: 'bin/', type: 'directory' });
  p.entry({ name: 'bin/busybox', mode: 0o755 }, busybox);
  for (const name of ['sh', 'sleep']) p.entry({ name: `bin/${name}`, type: 'symlink', linkname: 'busybox' });
  p.entry({ name: 'blob' }, randomBytes(blobBytes));
  p.finalize();
  return p as unknown as Readable;
}

/** A new image in the engine, saved to `file` and removed from the engine again; its tag. */
async function makeArchive(busybox: Buffer, blobBytes: number, file: string): Promise<string> {
  const tag = `berth-bench-run:${randomBytes(6).toString('hex')}`;
  await run('docker', ['import', '-c', 'CMD ["sh"]', '-', tag], rootfs(busybox, blobBytes));
  await run('docker', ['save', '-o', file, tag]);
  await run('docker', ['rmi', tag]);
  return tag;
}

async function uploadImage(url: string, token: string, name: string, file: string): Promise<string> {
  const created = await httpRequest(url, 'POST', '/image/v2/images', {
    headers: { 'X-Auth-Token': token }, body: { name, container_format: 'docker', disk_format: 'raw' },
  });
  if (created.status !== 201) throw new Error(`POST /image/v2/images: ${created.status} ${created.text}`);
  const id = String(created.json.id);
  const u = new URL(url);
  const status = await new Promise<number>((resolve, reject) => {
    const req = request({
      host: u.hostname, port: Number(u.port), method: 'PUT', path: `/image/v2/images/${id}/file`,
      headers: { 'X-Auth-Token': token, 'Content-Type': 'application/octet-stream', 'Content-Length': String(statSync(file).size) },
    }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); res.on('error', reject); });
    req.on('error', reject);
    createReadStream(file).pipe(req);
  });
  if (status !== 204) throw new Error(`PUT /image/v2/images/${id}/file: ${status}`);
  return id;
}

const zunHeaders = (token: string) => ({ 'X-Auth-Token': token, 'OpenStack-API-Version': 'container 1.40' });

/** Milliseconds from the create request to the first GET that says Running. */
async function berthRun(url: string, token: string, imageId: string, name: string): Promise<{ ms: number; uuid: string }> {
  const headers = zunHeaders(token);
  const t = now();
  const r = await httpRequest(url, 'POST', '/container/v1/containers?run=true', {
    headers, body: { name, image: imageId, image_driver: 'glance', command: ['sleep', '3600'], cpu: 0.1, memory: 32 },
  });
  if (r.status !== 202) throw new Error(`POST /containers: ${r.status} ${r.text}`);
  const uuid = String(r.json.uuid);
  for (;;) {
    const g = await httpRequest(url, 'GET', `/container/v1/containers/${uuid}`, { headers });
    if (g.json?.status === 'Running') return { ms: now() - t, uuid };
    if (g.json?.status === 'Error') throw new Error(`container ${name} went to Error: ${g.json.status_reason}`);
    if (now() - t > TIMEOUT_MS) throw new Error(`container ${name} not Running after ${TIMEOUT_MS} ms (${g.json?.status})`);
    await sleep(20);
  }
}

async function berthRemove(url: string, token: string, uuid: string): Promise<void> {
  const headers = zunHeaders(token);
  const d = await httpRequest(url, 'DELETE', `/container/v1/containers/${uuid}?force=true`, { headers });
  if (d.status !== 204) throw new Error(`DELETE /containers/${uuid}: ${d.status} ${d.text}`);
  for (let t = now(); now() - t < TIMEOUT_MS; await sleep(50)) {
    const g = await httpRequest(url, 'GET', `/container/v1/containers/${uuid}`, { headers });
    if (g.status === 404) return;
  }
  throw new Error(`container ${uuid} still listed after ${TIMEOUT_MS} ms`);
}

/** Removes every engine image tagged like the bench's (left by either side). */
async function removeBenchImages(): Promise<void> {
  const ids = (await run('docker', ['images', '-q', '--filter', 'reference=berth-bench-run'])).split('\n').filter(Boolean);
  if (ids.length) await run('docker', ['rmi', '-f', ...new Set(ids)]);
}

export interface RunResult { iterations: number; blobMiB: number; berthP50Ms: number; dockerP50Ms: number; ratioP50: number; berthMaxMs: number; dockerMaxMs: number }

/** Measures `iterations` glance-driver runs against `docker load && docker run -d`; prints a table. */
export async function measureGlanceRun(dir: string, iterations: number, blobMiB: number): Promise<RunResult> {
  const busybox = readFileSync(realpathSync('/bin/busybox'));
  const bench = await startBenchServer({ BERTH_LOCAL_AGENT: 'true', BERTH_LOG_LEVEL: 'error' });
  const berth: number[] = [], docker: number[] = [];
  try {
    // The local agent registers its host; wait until the scheduler can place on it.
    for (let t = now(); ; await sleep(100)) {
      const h = await httpRequest(bench.url, 'GET', '/container/v1/hosts', { headers: zunHeaders(bench.adminToken) });
      if (Array.isArray(h.json?.hosts) && h.json.hosts.length > 0) break;
      if (now() - t > TIMEOUT_MS) throw new Error('the local agent did not register a host');
    }
    for (let i = 0; i < iterations; i++) {
      const file = join(dir, `run-${i}.tar`);
      const tag = await makeArchive(busybox, blobMiB * MIB, file);
      const id = await uploadImage(bench.url, bench.adminToken, tag, file);
      const sides = [
        async () => {
          const { ms, uuid } = await berthRun(bench.url, bench.adminToken, id, `bench-run-${i}`);
          berth.push(ms);
          await berthRemove(bench.url, bench.adminToken, uuid);
        },
        async () => {
          const t = now();
          const cid = await run('sh', ['-c', 'docker load -q -i "$1" >/dev/null && docker run -d --label berth.bench=run "$2" sleep 3600', 'sh', file, tag]);
          docker.push(now() - t);
          await run('docker', ['rm', '-f', cid]);
        },
      ];
      for (const side of i % 2 === 0 ? sides : sides.reverse()) {
        await side();
        await removeBenchImages();
      }
    }
  } finally {
    await removeBenchImages().catch(() => undefined);
    await bench.stop();
  }
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const b = sorted(berth), d = sorted(docker);
  const result: RunResult = {
    iterations, blobMiB,
    berthP50Ms: r2(percentile(b, 50)), dockerP50Ms: r2(percentile(d, 50)),
    ratioP50: r2(percentile(b, 50) / percentile(d, 50)),
    berthMaxMs: r2(b[b.length - 1]), dockerMaxMs: r2(d[d.length - 1]),
  };
  console.log(formatTable(['create to Running, engine lacks the image', 'p50 ms', 'max ms', '× docker'], [
    ['docker load -i FILE && docker run -d IMAGE', result.dockerP50Ms, result.dockerMaxMs, 1],
    ['Berth: POST /containers?run=true, image_driver glance', result.berthP50Ms, result.berthMaxMs, result.ratioP50],
  ]));
  return result;
}
