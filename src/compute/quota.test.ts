import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerQuotaOf, novaAbsoluteLimits, novaQuotaDetail, novaQuotaSet } from './quota.js';

const limit = { containers: 40, cpu: 20, memory: 51200, disk: 100 };
const used = { containers: 2, cpu: 1.5, memory: 576, disk: 1 };

describe('compute quota mapping', () => {
  it('instances, cores and ram are containers, cpu and memory', () => {
    const s = novaQuotaSet('p', limit);
    assert.deepEqual([s.id, s.instances, s.cores, s.ram, s.key_pairs], ['p', 40, 20, 51200, 100]);
  });
  it('detail has limit and in_use', () => {
    const d = novaQuotaDetail('p', limit, used) as Record<string, { limit: number; in_use: number }>;
    assert.deepEqual(d.cores, { limit: 20, in_use: 1.5, reserved: 0 });
    assert.deepEqual(d.metadata_items, { limit: 128, in_use: 0, reserved: 0 });
  });
  const cases = [
    { name: 'renames', given: { instances: 5, cores: '8', ram: 1024 }, want: { containers: 5, cpu: '8', memory: 1024 } },
    { name: 'drops what Berth does not count', given: { key_pairs: 3, floating_ips: 1 }, want: {} },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(containerQuotaOf(c.given), c.want));
  it('limits', () => {
    const l = novaAbsoluteLimits(limit, used, 3);
    assert.deepEqual([l.maxTotalInstances, l.totalCoresUsed, l.totalRAMUsed, l.totalKeypairsUsed], [40, 1.5, 576, 3]);
  });
});
