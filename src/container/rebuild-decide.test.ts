import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideRebuild } from './rebuild-decide.js';
import type { ContainerRow } from '../store/schema.js';

const row = (over: Partial<ContainerRow> = {}): ContainerRow => ({
  uuid: 'u1', name: 'vm', project_id: 'p', user_id: 'u', host_id: 'h1', image: 'img-old', image_driver: 'glance',
  cpu: 1, memory_mb: 64, disk_gb: 0, spec: JSON.stringify({ image: 'sha256:old', cpu: 1, memoryMb: 64, labels: { team: 'a' }, extra: { flavor_id: '1' } }),
  desired: 'running', status: 'Running', status_reason: null, status_detail: null, task_state: null,
  generation: 3, observed_generation: 3, restart_generation: 0, engine_id: 'e1', observed: '{}', deleted: 0,
  created_at: 't', updated_at: 't', priority: null, admitted_at: 't', queued_at: null, ...over,
});
const image = { ref: 'sha256:new', glanceImageId: 'img-new', repoTag: 'snap:latest' };

test('a running container is rebuilt from the new image with the next rebuild count', () => {
  const set = decideRebuild(row(), image);
  const spec = JSON.parse(set.spec!);
  assert.equal(set.image, 'img-new');
  assert.equal(set.status, 'Rebuilding');
  assert.equal(set.desired, 'running');
  assert.equal(set.generation, 4);
  assert.equal(spec.image, 'sha256:new');
  assert.equal(spec.glanceImageId, 'img-new');
  assert.deepEqual(spec.labels, { team: 'a', 'berth.rebuild': '1' });
  assert.deepEqual(spec.extra, { flavor_id: '1', glance_image_id: 'img-new', image_ref: 'snap:latest' });
  const again = decideRebuild(row({ spec: set.spec! }), image);
  assert.equal(JSON.parse(again.spec!).labels['berth.rebuild'], '2');
});

test('a stopped container is rebuilt stopped; a failed one comes back running', () => {
  assert.equal(decideRebuild(row({ status: 'Stopped', desired: 'stopped' }), image).desired, 'stopped');
  assert.equal(decideRebuild(row({ status: 'Error' }), image).desired, 'running');
});

test('refused while paused, creating, deleting or without a host', () => {
  for (const over of [{ status: 'Paused', desired: 'paused' }, { status: 'Creating' }, { status: 'Deleting', desired: 'deleted' }, { status: 'Error', host_id: null }] as Partial<ContainerRow>[]) {
    assert.throws(() => decideRebuild(row(over), image), (e: Error & { code?: string }) => e.code === 'invalid_state', JSON.stringify(over));
  }
});
