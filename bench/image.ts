/**
 * Image benchmark: how fast a large image goes through Berth's Glance API, and whether memory stays flat.
 *
 *   1) builds a `docker save`-shaped archive in a temporary directory with tar-stream: manifest.json
 *      ([{Config: "cfg.json", RepoTags: ["big:1"], Layers: ["l1/layer.tar"]}]), cfg.json and one layer
 *      entry of BENCH_IMAGE_MB MiB of random-ish bytes (a 1 MiB random block, its first 8 bytes a counter);
 *   2) baseline in the same run: `cat FILE > /dev/null` after a warm read, so it and the server read
 *      from the page cache; and `md5sum FILE; sha512sum FILE`, the hashing an upload does on one core;
 *   3) `berth server` as a child process (fresh data directory, SQLite, no local agent): creates an image
 *      (container_format docker, disk_format raw), uploads the archive with PUT /image/v2/images/{id}/file
 *      (node:http, the file piped in) and downloads it with GET …/file (bytes counted, dropped), sampling
 *      the server's VmRSS from /proc/PID/status every 100 ms during each.
 *   4) create to Running of an image_driver=glance container on an engine lacking the image, against
 *      `docker load -i FILE && docker run -d` of the same archive (bench/image-run.ts).
 *
 * Run: node dist/bench/image.js   (`npm run bench -- image`; needs DOCKER_HOST and the docker CLI)
 * Scale: BENCH_IMAGE_MB (1024), BENCH_RUN_ITERATIONS (6), BENCH_RUN_IMAGE_MB (32).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { pack } from 'tar-stream';
import { envInt, formatTable, freePort, httpRequest, now, printResult } from './lib.js';
import { measureGlanceRun } from './image-run.js';

const IMAGE_MB = envInt('BENCH_IMAGE_MB', 1024);
const RUN_ITERATIONS = envInt('BENCH_RUN_ITERATIONS', 6);
const RUN_IMAGE_MB = envInt('BENCH_RUN_IMAGE_MB', 32);
const ROOT = join(fileURLToPath(import.meta.url), '..', '..', '..');
const MIB = 1024 * 1024;
const r2 = (x: number) => Math.round(x * 100) / 100;
const mbps = (bytes: number, ms: number) => r2(bytes / MIB / (ms / 1000));

/**
 * Goals: each transfer at least this fast; a download at least this share of `cat`, an upload (which
 * hashes every byte with MD5 and SHA-512) at least this share of md5sum + sha512sum; RSS growth under this.
 */
const GOAL_MBPS = 100;
const GOAL_RATIO = 0.1;
const GOAL_HASH_RATIO = 0.5;
const GOAL_RSS_MB = 50;
/** A glance-driver run on an engine lacking the image, at most this many times `docker load && docker run -d`. */
const GOAL_RUN_RATIO = 1.5;

/** Writes a docker save archive with one layer of `layerBytes` bytes to `file`. */
async function buildArchive(file: string, layerBytes: number): Promise<void> {
  const p = pack();
  const done = pipeline(p, createWriteStream(file));
  const block = randomBytes(MIB);
  await new Promise<void>((resolve, reject) => {
    const entry = p.entry({ name: 'l1/layer.tar', size: layerBytes }, (e) => (e ? reject(e) : resolve()));
    let written = 0, n = 0;
    const more = () => {
      while (written < layerBytes) {
        const chunk = Buffer.from(block.subarray(0, Math.min(MIB, layerBytes - written)));
        chunk.writeUInt32BE(n++ >>> 0, 0);
        written += chunk.length;
        if (!entry.write(chunk)) return void entry.once('drain', more);
      }
      entry.end(Buffer.alloc(0));
    };
    more();
  });
  p.entry({ name: 'cfg.json' }, JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [] } }));
  p.entry({ name: 'manifest.json' }, JSON.stringify([{ Config: 'cfg.json', RepoTags: ['big:1'], Layers: ['l1/layer.tar'] }]));
  p.finalize();
  await done;
}

/** Milliseconds `script` (given the file as $1) takes under sh. */
async function shMs(script: string, file: string): Promise<number> {
  const t = now();
  const child = spawn('sh', ['-c', script, 'sh', file], { stdio: 'ignore' });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${script} exited with ${code}`);
  return now() - t;
}
const catMs = (file: string) => shMs('cat "$1" > /dev/null', file);
/** The hashing an upload does (MD5 and SHA-512 of every byte, one after the other on one core). */
const hashMs = (file: string) => shMs('md5sum "$1" > /dev/null && sha512sum "$1" > /dev/null', file);

/** VmRSS of `pid` in KiB. */
function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** Runs `f` while sampling the RSS of `pid` every 100 ms; the RSS before, the peak, and `f`'s milliseconds. */
async function sampled<T>(pid: number, f: () => Promise<T>): Promise<{ value: T; ms: number; beforeMb: number; peakMb: number; samples: number }> {
  const before = rssKb(pid);
  let peak = before, samples = 0;
  const timer = setInterval(() => { peak = Math.max(peak, rssKb(pid)); samples++; }, 100);
  const t = now();
  try {
    const value = await f();
    const ms = now() - t;
    peak = Math.max(peak, rssKb(pid));
    return { value, ms, beforeMb: r2(before / 1024), peakMb: r2(peak / 1024), samples };
  } finally {
    clearInterval(timer);
  }
}

/** PUT of `file` as the request body; resolves with the status and the answer's text. */
function upload(url: string, path: string, token: string, file: string, size: number): Promise<{ status: number; text: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({
      host: u.hostname, port: Number(u.port), method: 'PUT', path,
      headers: { 'X-Auth-Token': token, 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    const body = createReadStream(file, { highWaterMark: MIB });
    body.on('error', (e) => req.destroy(e));
    body.pipe(req);
  });
}

/** GET of `path`, the body counted and dropped; the status and the byte count. */
function download(url: string, path: string, token: string): Promise<{ status: number; bytes: number }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: Number(u.port), method: 'GET', path, headers: { 'X-Auth-Token': token } }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => { bytes += c.length; });
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The server still running, killed if this process is told to end early. */
let running: ChildProcess | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => { running?.kill('SIGKILL'); process.exit(130); });

async function main(): Promise<void> {
  console.log(`image: a ${IMAGE_MB} MiB layer in a docker save archive; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-image-'));
  const dataDir = join(dir, 'data');
  const file = join(dir, 'big.tar');
  let child: ChildProcess | undefined;
  try {
    const t = now();
    await buildArchive(file, IMAGE_MB * MIB);
    const size = statSync(file).size;
    console.log(`archive: ${size} bytes written in ${r2((now() - t) / 1000)} s`);

    await catMs(file); // warm: the file in the page cache
    const cat = Math.min(await catMs(file), await catMs(file));
    const catMbps = mbps(size, cat);
    const hashMbps = mbps(size, await hashMs(file));

    const port = await freePort();
    const password = `pw-${randomBytes(9).toString('base64url')}`;
    child = spawn(process.execPath, [join(ROOT, 'bin', 'berth.js'), 'server'], {
      env: {
        ...process.env, BERTH_DATA_DIR: dataDir, BERTH_LISTEN: `127.0.0.1:${port}`, BERTH_DOCKER_LISTEN: '127.0.0.1:0',
        BERTH_ADMIN_PASSWORD: password, BERTH_LOCAL_AGENT: 'false', BERTH_LOG_LEVEL: 'error', BERTH_IMAGE_MAX_BYTES: String(size * 2 + MIB),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    running = child;
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`berth server exited with ${child.exitCode}`);
      const r = await httpRequest(url, 'GET', '/identity/v3', { timeoutMs: 2_000 }).catch(() => undefined);
      if (r && r.status < 500) break;
      if (i > 600) throw new Error('berth server did not answer within 60 s');
      await sleep(100);
    }
    const pid = child.pid!;
    const login = await httpRequest(url, 'POST', '/identity/v3/auth/tokens?nocatalog', {
      body: { auth: { identity: { methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password } } }, scope: { project: { name: 'admin', domain: { id: 'default' } } } } },
    });
    const token = login.headers['x-subject-token'];
    if (login.status !== 201 || typeof token !== 'string') throw new Error(`admin login failed: ${login.status} ${login.text}`);

    const created = await httpRequest(url, 'POST', '/image/v2/images', {
      headers: { 'X-Auth-Token': token }, body: { name: 'big', container_format: 'docker', disk_format: 'raw' },
    });
    if (created.status !== 201) throw new Error(`POST /image/v2/images: ${created.status} ${created.text}`);
    const id = String(created.json.id);
    await sleep(1_000); // the server settles after start-up before its RSS is read

    const up = await sampled(pid, () => upload(url, `/image/v2/images/${id}/file`, token, file, size));
    if (up.value.status !== 204) throw new Error(`PUT …/file: ${up.value.status} ${up.value.text}`);
    const shown = await httpRequest(url, 'GET', `/image/v2/images/${id}`, { headers: { 'X-Auth-Token': token } });
    if (shown.json?.status !== 'active' || shown.json?.size !== size) throw new Error(`after the upload the image is ${shown.json?.status}, size ${shown.json?.size}`);

    await sleep(1_000);
    const down = await sampled(pid, () => download(url, `/image/v2/images/${id}/file`, token));
    if (down.value.status !== 200 || down.value.bytes !== size) throw new Error(`GET …/file: ${down.value.status}, ${down.value.bytes} of ${size} bytes`);

    const upMbps = mbps(size, up.ms), downMbps = mbps(size, down.ms);
    const upRss = r2(up.peakMb - up.beforeMb), downRss = r2(down.peakMb - down.beforeMb);
    console.log(formatTable(['transfer', 'MiB/s', 'seconds', '× cat', 'RSS before MiB', 'RSS peak MiB', 'growth MiB', 'samples'], [
      ['baseline: cat FILE > /dev/null (page cache hot)', catMbps, r2(cat / 1000), 1, '', '', '', ''],
      ['baseline: md5sum FILE; sha512sum FILE (upload hashing)', hashMbps, r2(size / MIB / hashMbps), r2(hashMbps / catMbps), '', '', '', ''],
      ['upload: PUT /image/v2/images/{id}/file', upMbps, r2(up.ms / 1000), r2(upMbps / catMbps), up.beforeMb, up.peakMb, upRss, up.samples],
      ['download: GET /image/v2/images/{id}/file', downMbps, r2(down.ms / 1000), r2(downMbps / catMbps), down.beforeMb, down.peakMb, downRss, down.samples],
    ]));
    const run = await measureGlanceRun(dir, RUN_ITERATIONS, RUN_IMAGE_MB);
    const r = {
      archiveBytes: size, catMBps: catMbps, hashMBps: hashMbps, uploadMBps: upMbps, downloadMBps: downMbps,
      uploadRatioToCat: r2(upMbps / catMbps), downloadRatioToCat: r2(downMbps / catMbps),
      uploadRatioToHash: r2(upMbps / hashMbps), uploadRssGrowthMB: upRss, downloadRssGrowthMB: downRss, uploadRssPeakMB: up.peakMb, downloadRssPeakMB: down.peakMb,
      runIterations: run.iterations, runImageMiB: run.blobMiB, runBerthP50Ms: run.berthP50Ms, runDockerP50Ms: run.dockerP50Ms, runRatioP50: run.ratioP50,
      loadAverage: r2(loadavg()[0]),
    };
    printResult('image', r);
    const row = (what: string, value: number, goal: string, met: boolean) => [what, value, goal, met ? 'yes' : 'no'];
    console.log('\ngoals');
    console.log(formatTable(['metric', 'value', 'goal', 'met'], [
      row('upload MiB/s', upMbps, `>= ${GOAL_MBPS}`, upMbps >= GOAL_MBPS),
      row('download MiB/s', downMbps, `>= ${GOAL_MBPS}`, downMbps >= GOAL_MBPS),
      row('upload / (md5sum + sha512sum)', r.uploadRatioToHash, `>= ${GOAL_HASH_RATIO}`, r.uploadRatioToHash >= GOAL_HASH_RATIO),
      row('download / cat', r.downloadRatioToCat, `>= ${GOAL_RATIO}`, r.downloadRatioToCat >= GOAL_RATIO),
      row('upload RSS growth MiB', upRss, `< ${GOAL_RSS_MB}`, upRss < GOAL_RSS_MB),
      row('download RSS growth MiB', downRss, `< ${GOAL_RSS_MB}`, downRss < GOAL_RSS_MB),
      row('glance run p50 / docker load + run p50', run.ratioP50, `<= ${GOAL_RUN_RATIO}`, run.ratioP50 <= GOAL_RUN_RATIO),
    ]));
  } finally {
    if (child) {
      running = undefined;
      const exited = new Promise((r) => child!.once('exit', r));
      if (child.exitCode === null && child.kill('SIGTERM')) await Promise.race([exited, sleep(10_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
