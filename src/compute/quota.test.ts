import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerQuotaOf, inNovaNames, novaAbsoluteLimits, novaQuotaDetail, novaQuotaSet, quotaBelowUsageProblem } from './quota.js';

const limit = { containers: 40, cpu: 20, memory: 51200, disk: 100 };
const used = { containers: 2, cpu: 1.5, memory: 576, disk: 1 };

describe('compute quota mapping', () => {
  it('instances, cores and ram are containers, cpu and memory', () => {
    const s = novaQuotaSet('p', limit);
    assert.deepEqual([s.id, s.instances, s.cores, s.ram, s.key_pairs], ['p', 40, 20, 51200, 100]);
  });
  it('detail has limit and in_use', () => {
    const d = novaQuotaDetail('p', limit, used) as Record<string, { limit: number; in_use: number }>;
    // Whole cores, as Nova counts them.
    assert.deepEqual(d.cores, { limit: 20, in_use: 2, reserved: 0 });
    assert.deepEqual(d.metadata_items, { limit: 128, in_use: 0, reserved: 0 });
  });
  const cases = [
    { name: 'renames', given: { instances: 5, cores: '8', ram: 1024 }, want: { containers: 5, cpu: '8', memory: 1024 } },
    { name: 'drops what Berth does not count', given: { key_pairs: 3, floating_ips: 1 }, want: {} },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(containerQuotaOf(c.given), c.want));
  it('limits', () => {
    const l = novaAbsoluteLimits(limit, used);
    // Nova counts whole cores: a container's fraction of one is counted as one.
    assert.deepEqual([l.maxTotalInstances, l.totalCoresUsed, l.totalRAMUsed, 'totalKeypairsUsed' in l], [40, 2, 576, false]);
  });
});

describe('quota updates in Nova words', () => {
  const used = { containers: 3, cpu: 2.5, memory: 1024, disk: 0 };
  const cases: { given: Record<string, number | string>; problem: RegExp | null }[] = [
    { given: { containers: 3 }, problem: null },
    { given: { containers: -1 }, problem: null },
    { given: { containers: 2 }, problem: /Quota limit 2 for instances must be greater than or equal to already used and reserved 3/ },
    { given: { cpu: '2' }, problem: /for cores .* reserved 3/ },
    { given: { memory: 512 }, problem: /for ram/ },
  ];
  for (const c of cases) {
    it(JSON.stringify(c.given), () => {
      const p = quotaBelowUsageProblem(c.given, used);
      if (c.problem) assert.match(p ?? '', c.problem);
      else assert.equal(p, null);
    });
  }
  it('names', () => assert.equal(inNovaNames("Invalid input for field 'containers': -2"), "Invalid input for field 'instances': -2"));
});
