import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ArchiveImage } from './image-archive.js';
import { imagesOfArchive } from './image-archive.js';
import { applyFilters, parseImageFilters, referenceMatches, untilOf } from './image-filters.js';
import { filesOf, keeps, manifestOf } from './image-repack.js';
import { groupImages, renderHistory, renderInspect, renderSummary, type DockerImage } from './image-render.js';

const HEX = 'ceeb30d8501721935ae04c57aa748c806db650f67909c4be81723a53b592cce2';
const LAYER = 'f991f2b1fb2c4ea2eefcf2b32ddd44bda72b14fbc77141024c29cfc35e402805';

function archive(over: Partial<ArchiveImage> = {}): ArchiveImage {
  return {
    id: `sha256:${HEX}`, repoTags: ['busybox:latest'], configFile: `${HEX}.json`, layers: [`${LAYER}/layer.tar`],
    config: {
      architecture: 'amd64', os: 'linux', created: '2026-01-02T03:04:05Z', config: { Cmd: ['sh'], Labels: { team: 'a' } },
      rootfs: { type: 'layers', diff_ids: ['sha256:e7'] },
      history: [{ created: '2026-01-02T03:04:05Z', comment: 'Imported from -' }, { created: '2026-01-02T03:04:06Z', created_by: 'CMD ["sh"]', empty_layer: true }],
    },
    layerSizes: [2000], size: 2000, ...over,
  };
}

const img = (name: string | null, over: Partial<DockerImage> = {}): DockerImage => ({
  glanceId: `g-${name ?? 'none'}`, name, owner: 'p1', createdAt: '2026-02-01T00:00:00Z', updatedAt: '2026-02-01T00:00:00Z', archive: archive(), ...over,
});

test('imagesOfArchive reads manifest entries, configs and layer sizes', () => {
  const manifest = JSON.stringify([{ Config: `${HEX}.json`, RepoTags: ['busybox:latest'], Layers: [`${LAYER}/layer.tar`] }]);
  const got = imagesOfArchive(manifest, new Map([[`${HEX}.json`, '{"os":"linux"}']]), new Map([[`${LAYER}/layer.tar`, 4096]]));
  assert.ok(Array.isArray(got));
  assert.deepEqual(got[0], { id: `sha256:${HEX}`, repoTags: ['busybox:latest'], configFile: `${HEX}.json`, layers: [`${LAYER}/layer.tar`], config: { os: 'linux' }, layerSizes: [4096], size: 4096 });
  const cases: [string, string | undefined, string][] = [
    ['no manifest', undefined, 'it has no manifest.json'],
    ['not JSON', '{', 'manifest.json is not JSON'],
    ['empty', '[]', 'manifest.json is not a list of images'],
    ['config missing', JSON.stringify([{ Config: `blobs/sha256/${HEX}`, Layers: [] }]), `the config blobs/sha256/${HEX} is not in the archive`],
    ['odd config', JSON.stringify([{ Config: 'x.json', Layers: [] }]), 'manifest.json names an unexpected config file x.json'],
  ];
  for (const [name, text, want] of cases) assert.equal(imagesOfArchive(text, new Map(), new Map()), want, name);
});

test('groups merge the Glance images of one Docker image; summaries and inspect show its tags', () => {
  const groups = groupImages([img('busybox'), img('mybox:v1'), img(null, { archive: archive({ id: 'sha256:ab' }) })]);
  assert.equal(groups.length, 2);
  assert.deepEqual(groups[0].repoTags, ['busybox:latest', 'mybox:v1']);
  assert.deepEqual(groups[1].repoTags, []);
  const s = renderSummary(groups[0]);
  assert.deepEqual(s, { Id: `sha256:${HEX}`, ParentId: '', RepoTags: ['busybox:latest', 'mybox:v1'], RepoDigests: [], Created: Date.parse('2026-01-02T03:04:05Z') / 1000, Size: 2000, SharedSize: -1, Labels: { team: 'a' }, Containers: -1 });
  const i = renderInspect(groups[0]);
  assert.deepEqual(i.Config.Cmd, ['sh']);
  assert.equal(i.Config.WorkingDir, '');
  assert.deepEqual(i.RootFS, { Type: 'layers', Layers: ['sha256:e7'] });
  assert.equal(i.Architecture, 'amd64');
});

test('history is newest first with the image id and tags on top and layer sizes in order', () => {
  const h = renderHistory(groupImages([img('busybox')])[0]);
  assert.deepEqual(h.map((r) => [r.Id, r.CreatedBy, r.Size, r.Tags]), [
    [`sha256:${HEX}`, 'CMD ["sh"]', 0, ['busybox:latest']],
    ['<missing>', '', 2000, null],
  ]);
});

test('filters: parsing both JSON forms and refusing unknown ones', () => {
  assert.deepEqual(parseImageFilters('{"reference":["busy*"],"dangling":["false"]}'), { reference: ['busy*'], label: [], dangling: false });
  assert.deepEqual(parseImageFilters('{"label":{"team=a":true}}'), { reference: [], label: ['team=a'] });
  assert.deepEqual(parseImageFilters(undefined), { reference: [], label: [] });
  for (const bad of ['{"color":["x"]}', '[', '{"dangling":["maybe"]}', '{"before":["a","b"]}', '{"reference":[1]}']) {
    assert.throws(() => parseImageFilters(bad), { code: 'bad_request' }, bad);
  }
  assert.equal(untilOf('100'), 100);
  assert.equal(untilOf('1h', 7200_000), 3600);
  assert.equal(untilOf('1970-01-01T00:01:00Z'), 60);
});

test('reference patterns match repo:tag or repo as Go path.Match does', () => {
  const cases: [string, string, boolean][] = [
    ['busybox', 'busybox:latest', true],
    ['busybox:latest', 'busybox:latest', true],
    ['busy*', 'busybox:latest', true],
    ['busybox:v*', 'busybox:latest', false],
    ['*', 'team/app:v1', false],
    ['team/*', 'team/app:v1', true],
    ['bus?box', 'busybox:latest', true],
    ['[ab]pp', 'app:latest', true],
  ];
  for (const [pattern, tag, want] of cases) assert.equal(referenceMatches(pattern, tag), want, `${pattern} ~ ${tag}`);
});

test('applyFilters narrows tags and leaves out what does not match', () => {
  const [g] = groupImages([img('busybox'), img('mybox:v1')]);
  const f = (text: string, times = {}) => applyFilters(g, parseImageFilters(text), times)?.repoTags;
  assert.deepEqual(f('{"reference":["mybox"]}'), ['mybox:v1']);
  assert.equal(f('{"reference":["nope"]}'), undefined);
  assert.equal(f('{"dangling":["true"]}'), undefined);
  assert.deepEqual(f('{"label":["team"]}'), ['busybox:latest', 'mybox:v1']);
  assert.equal(f('{"label":["team=b"]}'), undefined);
  assert.equal(f('{}', { before: 1 }), undefined);
  assert.deepEqual(f('{}', { since: 1 }), ['busybox:latest', 'mybox:v1']);
});

test('repack keeps an image\'s files and writes a manifest naming the given tags', () => {
  const a = archive();
  const sel = filesOf(a);
  const cases: [string, boolean][] = [
    [`${HEX}.json`, true], [`${LAYER}/layer.tar`, true], [`${LAYER}/json`, true], [`${LAYER}/VERSION`, true], [LAYER, true],
    ['other/layer.tar', false], ['index.json', false],
  ];
  for (const [name, want] of cases) assert.equal(keeps(sel, name), want, name);
  const oci = filesOf(archive({ configFile: `blobs/sha256/${HEX}`, layers: [`blobs/sha256/${LAYER}`] }));
  assert.equal(keeps(oci, 'blobs/sha256'), true);
  assert.equal(keeps(oci, `blobs/sha256/${'0'.repeat(64)}`), false);
  const { manifest, repositories } = manifestOf([{ image: a, repoTags: ['mybox:v1'] }]);
  assert.deepEqual(JSON.parse(manifest), [{ Config: `${HEX}.json`, RepoTags: ['mybox:v1'], Layers: [`${LAYER}/layer.tar`] }]);
  assert.deepEqual(JSON.parse(repositories!), { mybox: { v1: LAYER } });
  assert.equal(manifestOf([{ image: a, repoTags: [] }]).repositories, undefined);
});
