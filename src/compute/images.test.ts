import { test } from 'node:test';
import assert from 'node:assert/strict';
import { novaImageProgress, novaImageStatus, planImageList } from './images.js';

test('Nova status and progress of each Glance status', () => {
  const table = [
    ['queued', 'SAVING', 25], ['saving', 'SAVING', 50], ['active', 'ACTIVE', 100], ['killed', 'ERROR', 0],
    ['deleted', 'DELETED', 0], ['pending_delete', 'DELETED', 0], ['deactivated', 'UNKNOWN', 0],
  ] as const;
  for (const [glance, nova, progress] of table) {
    assert.equal(novaImageStatus(glance), nova, glance);
    assert.equal(novaImageProgress(glance), progress, glance);
  }
});

test('Nova list filters become an image query', () => {
  const id = '0b4c5e8e-1234-4c1f-9a7e-0123456789ab';
  const cases = [
    { f: {}, props: {}, status: undefined, times: [] },
    { f: { status: 'ACTIVE', name: 'x' }, props: {}, status: 'active', times: [] },
    { f: { server: id }, props: { instance_uuid: id }, status: undefined, times: [] },
    { f: { server: `http://h/compute/v2.1/servers/${id}` }, props: { instance_uuid: id }, status: undefined, times: [] },
    { f: { type: 'snapshot' }, props: { image_type: 'snapshot' }, status: undefined, times: [] },
    { f: { 'changes-since': '2026-01-02T03:04:05Z' }, props: {}, status: undefined, times: [{ column: 'updated_at', from: '2026-01-02T03:04:05.000Z' }] },
    { f: { 'changes-since': '2026-01-02T03:04:05.678' }, props: {}, status: undefined, times: [{ column: 'updated_at', from: '2026-01-02T03:04:05.000Z' }] },
  ];
  for (const c of cases) {
    const p = planImageList(c.f, { limit: 5 });
    assert.ok(p.ok, JSON.stringify(c.f));
    assert.deepEqual(p.query.properties, c.props);
    assert.equal(p.query.status, c.status);
    assert.deepEqual(p.query.times, c.times);
    assert.equal(p.query.limit, 5);
  }
});

test('bad Nova list filters are refused', () => {
  for (const f of [{ 'changes-since': 'yesterday' }, { minRam: '-1' }, { minDisk: 'x' }]) {
    assert.equal(planImageList(f, { limit: 1 }).ok, false, JSON.stringify(f));
  }
  const p = planImageList({ minRam: '64', minDisk: '2' }, { limit: 1 });
  assert.ok(p.ok);
  assert.equal(p.minRam, 64);
  assert.equal(p.minDisk, 2);
});
