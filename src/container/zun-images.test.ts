import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostRow } from '../store/schema.js';
import { groupImages, imageUuid, withTag } from './zun-images.js';

const row = (host: string, ref: string, id: string | null, size = 7) =>
  ({ host_id: host, image_ref: ref, image_id: id, glance_image_id: null, size, updated_at: '' });
const hosts = new Map([['h1', { name: 'host-1' } as HostRow]]);

test('withTag: a bare repo means latest; tags, digests and ids stay', () => {
  assert.deepEqual(['busybox', 'a/b:2', 'r:5000/x', 'x@sha256:1', 'sha256:ab'].map(withTag),
    ['busybox:latest', 'a/b:2', 'r:5000/x:latest', 'x@sha256:1', 'sha256:ab']);
});

test('imageUuid: stable per host and image, and shaped like a UUID', () => {
  assert.equal(imageUuid('h1', 'sha256:1'), imageUuid('h1', 'sha256:1'));
  assert.notEqual(imageUuid('h1', 'sha256:1'), imageUuid('h2', 'sha256:1'));
  assert.match(imageUuid('h1', 'sha256:1'), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('groupImages: one image per id per host, repo and tag from its first tag; untied tags left out', () => {
  const got = groupImages([
    row('h1', 'sha256:1', 'sha256:1'), row('h1', 'busybox:latest', 'sha256:1'), row('h1', 'reg:5000/x/y:2', 'sha256:2'),
    row('h1', 'sha256:3', null), row('h1', 'old:tag', null), row('h2', 'sha256:1', 'sha256:1'),
  ], hosts);
  assert.deepEqual(got.map((i) => [i.host, i.image_id, i.repo, i.tag, i.size]), [
    ['host-1', 'sha256:1', 'busybox', 'latest', 7], ['host-1', 'sha256:2', 'reg:5000/x/y', '2', 7],
    ['host-1', 'sha256:3', null, null, 7], ['h2', 'sha256:1', null, null, 7],
  ]);
});
