import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hypervisorId, matchesHostname, parseHypervisorId, uptimeLine, versionNumber } from './hypervisors.js';

test('hypervisor ids are stable positive 31-bit integers', () => {
  const a = hypervisorId('3f1e0b4a-0000-4000-8000-000000000001');
  assert.equal(a, hypervisorId('3f1e0b4a-0000-4000-8000-000000000001'));
  assert.notEqual(a, hypervisorId('3f1e0b4a-0000-4000-8000-000000000002'));
  for (const id of ['', 'h', 'x'.repeat(100)]) {
    const n = hypervisorId(id);
    assert.ok(Number.isInteger(n) && n >= 1 && n <= 0x7fffffff, id);
  }
});

test('hypervisor ids in paths', () => {
  const table: [string, number | undefined][] = [['12', 12], ['0', 0], ['-1', undefined], ['1a', undefined], ['b3c1d2e4-0000-4000-8000-000000000000', undefined], ['12345678901', undefined]];
  for (const [text, want] of table) assert.equal(parseHypervisorId(text), want, text);
});

test('engine versions as Nova integers', () => {
  const table: [string, number][] = [['24.0.7', 24000007], ['1.2', 1002000], ['27', 27000000], ['20.10.5+dfsg1', 20010005], ['', 0], ['dev', 0]];
  for (const [v, want] of table) assert.equal(versionNumber(v), want, v);
});

test('uptime lines', () => {
  const now = new Date('2026-12-07T22:40:55Z');
  assert.equal(uptimeLine(now, new Date('2026-12-07T22:30:00Z')), ' 22:40:55 up 0:10');
  assert.equal(uptimeLine(now, new Date('2026-12-06T20:00:00Z')), ' 22:40:55 up 1 day, 2:40');
  assert.equal(uptimeLine(now, new Date('2026-12-01T22:40:00Z')), ' 22:40:55 up 6 days, 0:00');
  assert.equal(uptimeLine(now, new Date('2027-01-01T00:00:00Z')), ' 22:40:55 up 0:00');
});

test('hostname patterns match anywhere, ignoring case', () => {
  assert.equal(matchesHostname('Node-1.example', 'node'), true);
  assert.equal(matchesHostname('node-1', '1'), true);
  assert.equal(matchesHostname('node-1', 'nonexistent_hypervisor_name'), false);
});
