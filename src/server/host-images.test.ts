import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostImageRows } from './host-images.js';

const NOW = '2030-01-01T00:00:00.000Z';
const row = (ref: string, size: number, glance: string | null = null, id = ref) => ({ host_id: 'h1', image_ref: ref, glance_image_id: glance, size, updated_at: NOW, image_id: id });

const cases: Array<{ name: string; given: unknown; want: ReturnType<typeof hostImageRows> }> = [
  { name: 'an id and its tags, one row each', given: [{ id: 'sha256:1', tags: ['a:1', 'b:2'], size: 10 }], want: [row('sha256:1', 10), row('a:1', 10, null, 'sha256:1'), row('b:2', 10, null, 'sha256:1')] },
  { name: 'the Glance image it came from', given: [{ id: 'sha256:2', tags: [], size: 5, glanceImageId: 'g-1' }], want: [row('sha256:2', 5, 'g-1')] },
  { name: 'malformed entries are skipped', given: [null, { tags: ['x'] }, { id: '' }, { id: 'sha256:3', tags: [7, ''], size: -1 }], want: [row('sha256:3', 0)] },
  { name: 'not a list', given: { id: 'sha256:4' }, want: [] },
];
for (const c of cases) test(`hostImageRows: ${c.name}`, () => assert.deepEqual(hostImageRows('h1', c.given, NOW), c.want));
