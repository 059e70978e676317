/**
 * Servers benchmark: time from create to running of a server through the compute API (POST
 * /compute/v2.1/servers until a GET says ACTIVE) against the same container through the container API
 * (POST /container/v1/containers?run=true with image_driver glance until a GET says Running), in the same
 * run, on the local agent's engine. Both boot the seeded busybox image with 1 vCPU and 64 MiB (flavor
 * c1.micro), a terminal and open stdin; the engine holds the image after a first untimed run of each.
 * Both poll every POLL_MS; each side deletes its container (and waits until it is gone) before the next,
 * and the order alternates between iterations. Goal: compute p50 / container p50 ≤ 1.05.
 *
 * BENCH_SERVER_ITERATIONS (default 20) sets the iterations.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { envInt, formatTable, httpRequest, now, percentile, printResult, startBenchServer } from './lib.js';

const TIMEOUT_MS = 120_000;
const POLL_MS = 10;
const GOAL_RATIO = 1.05;
const r2 = (x: number) => Math.round(x * 100) / 100;
const zunHeaders = (token: string) => ({ 'X-Auth-Token': token, 'OpenStack-API-Version': 'container 1.40' });

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (const t = now(); ; await sleep(POLL_MS)) {
    const v = await probe();
    if (v !== undefined) return v;
    if (now() - t > TIMEOUT_MS) throw new Error(`${what}: not done after ${TIMEOUT_MS} ms`);
  }
}

/** Milliseconds from POST /servers to the first GET that says ACTIVE; then deleted and gone. */
async function novaSide(url: string, token: string, imageId: string, name: string): Promise<number> {
  const headers = { 'X-Auth-Token': token };
  const t = now();
  const r = await httpRequest(url, 'POST', '/compute/v2.1/servers', { headers, body: { server: { name, imageRef: imageId, flavorRef: 'c1.micro' } } });
  if (r.status !== 202) throw new Error(`POST /servers: ${r.status} ${r.text}`);
  const id = String(r.json.server.id);
  await until(`server ${name} ACTIVE`, async () => {
    const g = await httpRequest(url, 'GET', `/compute/v2.1/servers/${id}`, { headers });
    if (g.json?.server?.status === 'ERROR') throw new Error(`server ${name} went to ERROR: ${JSON.stringify(g.json.server.fault)}`);
    return g.json?.server?.status === 'ACTIVE' ? true : undefined;
  });
  const ms = now() - t;
  const d = await httpRequest(url, 'DELETE', `/compute/v2.1/servers/${id}`, { headers });
  if (d.status !== 204) throw new Error(`DELETE /servers/${id}: ${d.status} ${d.text}`);
  await until(`server ${name} gone`, async () => ((await httpRequest(url, 'GET', `/compute/v2.1/servers/${id}`, { headers })).status === 404 ? true : undefined));
  return ms;
}

/** Milliseconds from POST /containers?run=true to the first GET that says Running; then deleted and gone. */
async function zunSide(url: string, token: string, imageId: string, name: string): Promise<number> {
  const headers = zunHeaders(token);
  const t = now();
  const r = await httpRequest(url, 'POST', '/container/v1/containers?run=true', {
    headers, body: { name, image: imageId, image_driver: 'glance', cpu: 1, memory: '64', tty: true, interactive: true },
  });
  if (r.status !== 202) throw new Error(`POST /containers: ${r.status} ${r.text}`);
  const uuid = String(r.json.uuid);
  await until(`container ${name} Running`, async () => {
    const g = await httpRequest(url, 'GET', `/container/v1/containers/${uuid}`, { headers });
    if (g.json?.status === 'Error') throw new Error(`container ${name} went to Error: ${g.json.status_reason}`);
    return g.json?.status === 'Running' ? true : undefined;
  });
  const ms = now() - t;
  const d = await httpRequest(url, 'DELETE', `/container/v1/containers/${uuid}?force=true`, { headers });
  if (d.status !== 204) throw new Error(`DELETE /containers/${uuid}: ${d.status} ${d.text}`);
  await until(`container ${name} gone`, async () => ((await httpRequest(url, 'GET', `/container/v1/containers/${uuid}`, { headers })).status === 404 ? true : undefined));
  return ms;
}

async function main(): Promise<void> {
  const iterations = envInt('BENCH_SERVER_ITERATIONS', 20);
  const bench = await startBenchServer({ BERTH_LOCAL_AGENT: 'true', BERTH_LOG_LEVEL: 'error' });
  const nova: number[] = [], zun: number[] = [];
  try {
    const { url, adminToken: token } = bench;
    await until('a host', async () => {
      const h = await httpRequest(url, 'GET', '/container/v1/hosts', { headers: zunHeaders(token) });
      return Array.isArray(h.json?.hosts) && h.json.hosts.length > 0 ? true : undefined;
    });
    // The local agent's busybox is registered in the image service in the background of the start.
    const imageId = await until('the busybox image', async () => {
      const g = await httpRequest(url, 'GET', '/image/v2/images?name=busybox', { headers: { 'X-Auth-Token': token } });
      const img = g.json?.images?.[0];
      return img?.status === 'active' ? String(img.id) : undefined;
    });
    await novaSide(url, token, imageId, 'warm-server');
    await zunSide(url, token, imageId, 'warm-container');
    for (let i = 0; i < iterations; i++) {
      const sides = [
        async () => void nova.push(await novaSide(url, token, imageId, `bench-server-${i}`)),
        async () => void zun.push(await zunSide(url, token, imageId, `bench-container-${i}`)),
      ];
      for (const side of i % 2 === 0 ? sides : sides.reverse()) await side();
    }
  } finally {
    await bench.stop();
  }
  const n = [...nova].sort((a, b) => a - b), z = [...zun].sort((a, b) => a - b);
  const result = {
    iterations,
    serverP50Ms: r2(percentile(n, 50)), containerP50Ms: r2(percentile(z, 50)),
    serverP90Ms: r2(percentile(n, 90)), containerP90Ms: r2(percentile(z, 90)),
    ratioP50: r2(percentile(n, 50) / percentile(z, 50)),
  };
  console.log(formatTable(['create to running', 'p50 ms', 'p90 ms', '× container API'], [
    ['container API: POST /containers?run=true until Running', result.containerP50Ms, result.containerP90Ms, 1],
    ['compute API: POST /servers until ACTIVE', result.serverP50Ms, result.serverP90Ms, result.ratioP50],
  ]));
  printResult('server', result);
  console.log(`\ngoal: compute p50 / container p50 <= ${GOAL_RATIO}: ${result.ratioP50 <= GOAL_RATIO ? 'met' : 'not met'} (${result.ratioP50})`);
}

await main();
