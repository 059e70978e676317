import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isBerthError } from '../core/errors.js';
import { applyChanges, type Change } from './update.js';
import type { Image, ImageActor } from './types.js';

const image = (o: Partial<Image> = {}): Image => ({
  id: '11111111-2222-3333-4444-555555555555', name: 'box', status: 'queued', containerFormat: 'docker', diskFormat: 'raw',
  visibility: 'private', protected: false, hidden: false, owner: 'p-1', size: null, virtualSize: null, checksum: null,
  hashAlgo: null, hashValue: null, minDisk: 0, minRam: 0, tags: ['a'], properties: { os_distro: 'busybox' }, location: null,
  generation: 3, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', ...o,
});
const member: ImageActor = { projectId: 'p-1', admin: false, allowed: () => true };
const admin: ImageActor = { projectId: 'p-0', admin: true, allowed: () => true };
const AT = '2026-02-02T00:00:00.000Z';

const ok: { name: string; given: Image; changes: Change[]; who?: ImageActor; want: Partial<Image>; rules?: string[] }[] = [
  { name: 'rename', given: image(), changes: [{ op: 'replace', field: 'name', value: 'b2' }], want: { name: 'b2' } },
  { name: 'add sets a base attribute too', given: image(), changes: [{ op: 'add', field: 'minRam', value: 64 }], want: { minRam: 64 } },
  { name: 'add a property', given: image(), changes: [{ op: 'add', property: 'k', value: 'v' }], want: { properties: { os_distro: 'busybox', k: 'v' } } },
  { name: 'add overwrites a property', given: image(), changes: [{ op: 'add', property: 'os_distro', value: 'x' }], want: { properties: { os_distro: 'x' } } },
  { name: 'remove a property', given: image(), changes: [{ op: 'remove', property: 'os_distro' }], want: { properties: {} } },
  { name: 'tags are deduplicated', given: image(), changes: [{ op: 'replace', field: 'tags', value: ['x', 'y', 'x'] }], want: { tags: ['x', 'y'] } },
  { name: 'formats change while queued', given: image(), changes: [{ op: 'replace', field: 'containerFormat', value: 'bare' }], want: { containerFormat: 'bare' } },
  { name: 'setting the same format on an active image is no change', given: image({ status: 'active' }), changes: [{ op: 'replace', field: 'diskFormat', value: 'raw' }], want: { diskFormat: 'raw' } },
  { name: 'going public needs publicize_image', given: image(), changes: [{ op: 'replace', field: 'visibility', value: 'public' }], want: { visibility: 'public' }, rules: ['image:modify_image', 'image:publicize_image'] },
  { name: 'going community needs communitize_image', given: image(), changes: [{ op: 'replace', field: 'visibility', value: 'community' }], want: { visibility: 'community' }, rules: ['image:modify_image', 'image:communitize_image'] },
  { name: 'an admin gives the image away', given: image(), who: admin, changes: [{ op: 'replace', field: 'owner', value: 'p-2' }], want: { owner: 'p-2' } },
  { name: 'changes apply in order', given: image(), changes: [{ op: 'replace', field: 'name', value: 'x' }, { op: 'replace', field: 'name', value: null }], want: { name: null } },
];
for (const c of ok) {
  test(`applyChanges: ${c.name}`, () => {
    const r = applyChanges(c.who ?? member, c.given, c.changes, AT);
    for (const [k, v] of Object.entries(c.want)) assert.deepEqual(r.image[k as keyof Image], v, k);
    assert.equal(r.image.generation, c.given.generation + 1);
    assert.equal(r.image.updatedAt, AT);
    assert.deepEqual(r.rules, c.rules ?? ['image:modify_image']);
    assert.deepEqual(c.given.properties, { os_distro: 'busybox' }, 'the given image is not changed');
  });
}

const refused: { name: string; given: Image; changes: Change[]; status: number; message: RegExp }[] = [
  { name: 'a format of an active image', given: image({ status: 'active' }), changes: [{ op: 'replace', field: 'containerFormat', value: 'bare' }], status: 403, message: /container_format can be only replaced for a queued image/ },
  { name: 'removing a base attribute', given: image(), changes: [{ op: 'remove', base: 'name' }], status: 403, message: /Property name may not be removed/ },
  { name: 'replacing a missing property', given: image(), changes: [{ op: 'replace', property: 'nope', value: 'v' }], status: 409, message: /Property nope does not exist/ },
  { name: 'removing a missing property', given: image(), changes: [{ op: 'remove', property: 'nope' }], status: 409, message: /does not exist/ },
  { name: 'the owner, by a non-admin', given: image(), changes: [{ op: 'add', field: 'owner', value: 'p-2' }], status: 403, message: /Owner can't be updated by non admin/ },
  { name: 'too many tags', given: image(), changes: [{ op: 'replace', field: 'tags', value: Array.from({ length: 129 }, (_, i) => `t${i}`) }], status: 413, message: /Attempted: 129, Maximum: 128/ },
  { name: 'too many properties', given: image(), changes: Array.from({ length: 128 }, (_, i) => ({ op: 'add', property: `p${i}`, value: 'v' })), status: 413, message: /image properties\. Attempted: 129/ },
];
for (const c of refused) {
  test(`applyChanges refuses ${c.name}`, () => {
    assert.throws(() => applyChanges(member, c.given, c.changes, AT), (e: unknown) => isBerthError(e) && e.status === c.status && c.message.test(e.message));
  });
}
