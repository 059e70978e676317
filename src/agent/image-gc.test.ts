import { deepStrictEqual, equal } from 'node:assert/strict';
import { test } from 'node:test';
import { markOf, parseMark } from './glance-mark.js';
import { planCollection, type CollectionInput, type Removal } from './image-gc.js';

const G1 = '11111111-2222-4333-8444-555555555555';
const G2 = '66666666-7777-4888-9999-aaaaaaaaaaaa';
const mark = (g: string, cloud = 'c1') => `berth-glance/${g}:${cloud}`;
const input = (images: CollectionInput['images'], used: { refs?: string[]; glance?: string[] } = {}): CollectionInput =>
  ({ cloudId: 'c1', images, usedRefs: new Set(used.refs ?? []), usedGlance: new Set(used.glance ?? []) });

const cases: { name: string; given: CollectionInput; want: Removal[] }[] = [
  { name: 'an unmarked image (the engine\'s own) is never removed', given: input([{ id: 'sha256:a', tags: ['busybox:latest'] }]), want: [] },
  { name: 'an unmarked, unused, untagged image is never removed', given: input([{ id: 'sha256:a', tags: [] }]), want: [] },
  {
    name: 'a marked, unused image: other tags first, the mark last',
    given: input([{ id: 'sha256:a', tags: [mark(G1), 'mybox:1'] }]),
    want: [{ id: 'sha256:a', glanceImageIds: [G1], untag: ['mybox:1', mark(G1)] }],
  },
  { name: 'used by a container of its id', given: input([{ id: 'sha256:a', tags: [mark(G1)] }], { refs: ['sha256:a'] }), want: [] },
  { name: 'used by a container of one of its tags', given: input([{ id: 'sha256:a', tags: [mark(G1), 'mybox:1'] }], { refs: ['mybox:1'] }), want: [] },
  { name: 'wanted through its Glance image', given: input([{ id: 'sha256:a', tags: [mark(G1)] }], { glance: [G1] }), want: [] },
  { name: 'two Glance images of the same data, one wanted: kept', given: input([{ id: 'sha256:a', tags: [mark(G1), mark(G2)] }], { glance: [G2] }), want: [] },
  {
    name: 'another cloud\'s mark too: only this cloud\'s mark goes',
    given: input([{ id: 'sha256:a', tags: [mark(G1), mark(G1, 'c2'), 'mybox:1'] }]),
    want: [{ id: 'sha256:a', glanceImageIds: [G1], untag: [mark(G1)] }],
  },
  { name: 'only another cloud\'s mark: not ours to remove', given: input([{ id: 'sha256:a', tags: [mark(G1, 'c2')] }]), want: [] },
];

for (const c of cases) test(`planCollection: ${c.name}`, () => deepStrictEqual(planCollection(c.given), c.want));

test('marks: made and read back; anything else is not a mark', () => {
  deepStrictEqual(markOf(G1.toUpperCase(), 'c1'), { repo: `berth-glance/${G1}`, tag: 'c1' });
  deepStrictEqual(parseMark(mark(G1)), { glanceImageId: G1, cloudId: 'c1' });
  equal(markOf('not-a-uuid', 'c1'), null);
  equal(markOf(G1, 'bad cloud'), null);
  for (const t of ['busybox:latest', `berth-glance/${G1}`, `berth-glance/x:c1`, `other/${G1}:c1`]) equal(parseMark(t), null, t);
});
