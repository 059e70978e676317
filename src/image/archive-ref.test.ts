import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { pack } from 'tar-stream';
import { readArchiveRef, refOfManifest } from './archive-ref.js';

const HEX = 'a'.repeat(64);

/** A tar archive of `entries` (name → content). */
async function tarOf(entries: [string, string | Buffer][]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve) => p.on('end', () => resolve()));
  for (const [name, content] of entries) p.entry({ name }, content);
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

const cases: Array<{ name: string; given: string; want: ReturnType<typeof refOfManifest> }> = [
  { name: 'docker save before 25', given: JSON.stringify([{ Config: `${HEX}.json`, RepoTags: ['mybox:1'], Layers: [] }]), want: { id: `sha256:${HEX}`, repoTag: 'mybox:1' } },
  { name: 'OCI layout', given: JSON.stringify([{ Config: `blobs/sha256/${HEX}`, RepoTags: ['a:1', 'b:2'], Layers: [] }]), want: { id: `sha256:${HEX}`, repoTag: 'a:1' } },
  { name: 'no repo tags', given: JSON.stringify([{ Config: `${HEX}.json`, RepoTags: null, Layers: [] }]), want: { id: `sha256:${HEX}`, repoTag: null } },
  { name: 'not JSON', given: '{', want: 'manifest.json is not JSON' },
  { name: 'an empty list', given: '[]', want: 'manifest.json names no image config' },
  { name: 'a config that is no digest', given: JSON.stringify([{ Config: 'config.json' }]), want: 'manifest.json names an unexpected config file config.json' },
];
for (const c of cases) test(`refOfManifest: ${c.name}`, () => assert.deepEqual(refOfManifest(c.given), c.want));

test('readArchiveRef reads up to manifest.json and stops', async () => {
  const manifest = JSON.stringify([{ Config: `${HEX}.json`, RepoTags: ['mybox:1'], Layers: ['l/layer.tar'] }]);
  const data = await tarOf([['l/layer.tar', Buffer.alloc(200_000, 1)], [`${HEX}.json`, '{}'], ['manifest.json', manifest], ['repositories', '{}']]);
  // After the archive, a source that would never end: reading must stop at manifest.json.
  const source = Readable.from((function* () { yield data; for (;;) yield Buffer.alloc(512, 0); })());
  assert.deepEqual(await readArchiveRef(source), { id: `sha256:${HEX}`, repoTag: 'mybox:1' });
  assert.equal(source.destroyed, true);
});

test('readArchiveRef refuses an archive without manifest.json, and what is not a tar', async () => {
  await assert.rejects(readArchiveRef(Readable.from([await tarOf([['a', 'b']])])), /no manifest\.json/);
  await assert.rejects(readArchiveRef(Readable.from([Buffer.from('not a tar archive at all'.repeat(40))])), /cannot be read/);
});
