/**
 * Scheduler benchmark: fill-first placement through `Fleet` on 10,000 simulated hosts, and the plain
 * `place()` on 1,000 hosts as a baseline that must choose the same hosts as `Fleet`.
 *
 * Run: node dist/bench/scheduler.js [hosts] [placements]
 * Goals: at least 20,000 placements/s and at least 98 % packing (used / capacity over hosts in use) for
 * fill-first.
 */
import { Fleet, claimFor, place, type HostView, type PlacementRequest, type Strategy } from '../src/scheduler/index.js';
import { now, percentile, printResult, seededRandom } from './lib.js';

const HOSTS = Number(process.argv[2] ?? 10_000);
const PLACEMENTS = Number(process.argv[3] ?? 100_000);
const BASELINE_HOSTS = 1_000;
const BASELINE_PLACEMENTS = 10_000;

/** Hosts of 32–64 vCPU with 4 GB per vCPU (128–256 GB), 1–2 TB of disk, 250 containers each. */
function makeHosts(n: number, rand: () => number): HostView[] {
  return Array.from({ length: n }, (_, i) => {
    const cpu = 32 + 8 * Math.floor(rand() * 5);
    return {
      id: `host-id-${i + 1}`,
      name: `host-${i + 1}`,
      up: true,
      enabled: true,
      zone: `az${1 + (i % 3)}`,
      runtimes: ['runc'],
      labels: {},
      capacity: { cpu, memoryMb: cpu * 4096, diskGb: 1000 + 100 * Math.floor(rand() * 11), containers: 250 },
      used: { cpu: 0, memoryMb: 0, diskGb: 0, containers: 0 },
      containerIds: [],
    };
  });
}

/** 0.5–4 vCPU in half steps, about 4 GB per vCPU ±25 %, 1–20 GB of disk. */
function makeRequests(n: number, rand: () => number): PlacementRequest[] {
  return Array.from({ length: n }, () => {
    const cpu = 0.5 * (1 + Math.floor(rand() * 8));
    return { cpu, memoryMb: Math.round(cpu * 4096 * (0.75 + rand() * 0.5)), diskGb: 1 + Math.floor(rand() * 20) };
  });
}

function packing(hosts: readonly HostView[]) {
  const inUse = hosts.filter((h) => h.used.containers > 0);
  const sum = (f: (h: HostView) => number) => inUse.reduce((n, h) => n + f(h), 0);
  return {
    hostsInUse: inUse.length,
    cpuPackingPct: (100 * sum((h) => h.used.cpu)) / sum((h) => h.capacity.cpu),
    memoryPackingPct: (100 * sum((h) => h.used.memoryMb)) / sum((h) => h.capacity.memoryMb),
  };
}

function runFleet(hosts: HostView[], requests: PlacementRequest[], strategy: Strategy) {
  const fleet = new Fleet(hosts);
  const latencies = new Float64Array(requests.length);
  const chosen: string[] = [];
  let failed = 0;
  const start = now();
  for (let i = 0; i < requests.length; i++) {
    const t = now();
    const p = fleet.place(requests[i], strategy);
    if (p.ok) fleet.claim(p.host.id, claimFor(requests[i]));
    else failed++;
    latencies[i] = now() - t;
    chosen.push(p.ok ? p.host.id : '-');
  }
  const seconds = (now() - start) / 1000;
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  return {
    chosen,
    result: {
      hosts: hosts.length,
      placements: requests.length,
      failed,
      seconds,
      placementsPerSec: Math.round(requests.length / seconds),
      p50Us: percentile(sorted, 50) * 1000,
      p99Us: percentile(sorted, 99) * 1000,
      maxUs: sorted[sorted.length - 1] * 1000,
      ...packing(fleet.hosts()),
    },
  };
}

function runPlace(hosts: HostView[], requests: PlacementRequest[]) {
  const chosen: string[] = [];
  const start = now();
  for (const r of requests) {
    const p = place(r, hosts);
    if (p.ok) {
      const used = p.host.used;
      used.cpu += r.cpu;
      used.memoryMb += r.memoryMb;
      used.diskGb += r.diskGb;
      used.containers += 1;
    }
    chosen.push(p.ok ? p.host.id : '-');
  }
  const seconds = (now() - start) / 1000;
  return { chosen, seconds, placementsPerSec: Math.round(requests.length / seconds) };
}

const rand = seededRandom(2016);
const hosts = makeHosts(HOSTS, rand);
const requests = makeRequests(PLACEMENTS, rand);

const main = runFleet(hosts, requests, 'fill-first');
printResult('scheduler fill-first (Fleet)', {
  ...main.result,
  goalPlacementsPerSec: main.result.placementsPerSec >= 20_000,
  goalPacking: main.result.cpuPackingPct >= 98 && main.result.memoryPackingPct >= 98,
});

const spread = runFleet(hosts, requests.slice(0, 20_000), 'spread');
printResult('scheduler spread (Fleet)', spread.result);

const baseHosts = hosts.slice(0, BASELINE_HOSTS).map((h) => structuredClone(h));
const baseRequests = requests.slice(0, BASELINE_PLACEMENTS);
const viaFleet = runFleet(baseHosts, baseRequests, 'fill-first');
const viaPlace = runPlace(baseHosts, baseRequests);
const mismatches = viaPlace.chosen.filter((id, i) => id !== viaFleet.chosen[i]).length;
printResult('scheduler baseline place() vs Fleet', {
  hosts: BASELINE_HOSTS,
  placements: BASELINE_PLACEMENTS,
  placePlacementsPerSec: viaPlace.placementsPerSec,
  fleetPlacementsPerSec: viaFleet.result.placementsPerSec,
  speedup: viaFleet.result.placementsPerSec / viaPlace.placementsPerSec,
  mismatches,
  sameChoices: mismatches === 0,
  ...packing(baseHosts),
});
if (mismatches > 0) process.exitCode = 1;
