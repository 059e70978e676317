/**
 * @module
 * Reduces Docker's raw stats document to the table Zun's `appcontainer stats` prints.
 */
import type { EngineStatsSummary } from './types.js';

interface CpuStats {
  cpu_usage?: { total_usage?: unknown; percpu_usage?: unknown[] | null };
  system_cpu_usage?: unknown;
  online_cpus?: unknown;
}

/** The fields of Docker's stats document that are read; any of them may be missing or null. */
export interface RawStats {
  cpu_stats?: CpuStats | null;
  precpu_stats?: CpuStats | null;
  memory_stats?: { usage?: unknown; limit?: unknown } | null;
  blkio_stats?: { io_service_bytes_recursive?: ({ op?: unknown; value?: unknown } | null)[] | null } | null;
  networks?: Record<string, { rx_bytes?: unknown; tx_bytes?: unknown } | null> | null;
}

const MiB = 1024 * 1024;

/**
 * CPU % follows the docker CLI: the usage delta over the host's delta, times the online CPUs, between
 * the two samples of a one-shot read. Without a previous sample (a container that just started) it falls
 * back to Zun's cumulative ratio, so the value is never NaN.
 */
export function summarizeStats(raw: RawStats): EngineStatsSummary {
  const cpu = raw.cpu_stats ?? {};
  const pre = raw.precpu_stats ?? {};
  const usage = num(cpu.cpu_usage?.total_usage);
  const system = num(cpu.system_cpu_usage);
  const cpuDelta = usage - num(pre.cpu_usage?.total_usage);
  const systemDelta = system - num(pre.system_cpu_usage);
  const online = num(cpu.online_cpus) || (cpu.cpu_usage?.percpu_usage?.length ?? 1);
  let cpuPercent = 0;
  if (num(pre.system_cpu_usage) > 0 && systemDelta > 0 && cpuDelta >= 0) {
    cpuPercent = (cpuDelta / systemDelta) * online * 100;
  } else if (system > 0) {
    cpuPercent = (usage / system) * 100;
  }

  const mem = raw.memory_stats ?? {};
  const memUsage = num(mem.usage) / MiB;
  const memLimit = num(mem.limit) / MiB;

  let read = 0;
  let write = 0;
  for (const item of raw.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = typeof item?.op === 'string' ? item.op.toLowerCase() : '';
    if (op === 'read') read += num(item?.value);
    if (op === 'write') write += num(item?.value);
  }

  let rx = 0;
  let tx = 0;
  for (const net of Object.values(raw.networks ?? {})) {
    rx += num(net?.rx_bytes);
    tx += num(net?.tx_bytes);
  }

  return {
    'CPU %': cpuPercent,
    'MEM USAGE(MiB)': memUsage,
    'MEM LIMIT(MiB)': memLimit,
    'MEM %': memLimit > 0 ? (memUsage / memLimit) * 100 : 0,
    'BLOCK I/O(B)': `${read}/${write}`,
    'NET I/O(B)': `${rx}/${tx}`,
  };
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}
