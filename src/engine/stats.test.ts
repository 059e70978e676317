import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarizeStats } from './stats.js';

const MiB = 1024 * 1024;

test('summarizeStats: deltas between samples, sums over devices and networks', () => {
  const s = summarizeStats({
    cpu_stats: { cpu_usage: { total_usage: 3_000 }, system_cpu_usage: 20_000, online_cpus: 2 },
    precpu_stats: { cpu_usage: { total_usage: 1_000 }, system_cpu_usage: 10_000 },
    memory_stats: { usage: 16 * MiB, limit: 64 * MiB },
    blkio_stats: {
      io_service_bytes_recursive: [
        { op: 'Read', value: 10 },
        { op: 'Write', value: 5 },
        { op: 'read', value: 1 },
        { op: 'Total', value: 16 },
      ],
    },
    networks: { eth0: { rx_bytes: 100, tx_bytes: 7 }, eth1: { rx_bytes: 1, tx_bytes: 1 } },
  });
  assert.deepEqual(s, {
    'CPU %': 40,
    'MEM USAGE(MiB)': 16,
    'MEM LIMIT(MiB)': 64,
    'MEM %': 25,
    'BLOCK I/O(B)': '11/5',
    'NET I/O(B)': '101/8',
  });
});

test('summarizeStats: a stopped container (empty document) gives zeros, never NaN', () => {
  assert.deepEqual(summarizeStats({ blkio_stats: { io_service_bytes_recursive: null } }), {
    'CPU %': 0,
    'MEM USAGE(MiB)': 0,
    'MEM LIMIT(MiB)': 0,
    'MEM %': 0,
    'BLOCK I/O(B)': '0/0',
    'NET I/O(B)': '0/0',
  });
});
