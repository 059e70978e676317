import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { extract, pack } from 'tar-stream';
import { readArchiveImages } from './image-archive.js';
import { repackArchives } from './image-repack.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const LA = '1'.repeat(64);
const LB = '2'.repeat(64);

/** A docker save archive (the layout before Docker 25) of two images, manifest last as docker writes it. */
async function twoImages(): Promise<Buffer> {
  const p = pack();
  const add = (name: string, body: string | Buffer) => p.entry({ name }, body);
  add(`${A}.json`, JSON.stringify({ os: 'linux', config: { Cmd: ['sh'] }, history: [{ created_by: 'a' }] }));
  add(`${B}.json`, JSON.stringify({ os: 'linux', config: { Cmd: ['true'] } }));
  p.entry({ name: `${LA}/`, type: 'directory' });
  add(`${LA}/VERSION`, '1.0');
  add(`${LA}/layer.tar`, Buffer.alloc(1024, 1));
  add(`${LB}/layer.tar`, Buffer.alloc(2048, 2));
  add('manifest.json', JSON.stringify([
    { Config: `${A}.json`, RepoTags: ['one:latest'], Layers: [`${LA}/layer.tar`] },
    { Config: `${B}.json`, RepoTags: null, Layers: [`${LA}/layer.tar`, `${LB}/layer.tar`] },
  ]));
  p.finalize();
  const parts: Buffer[] = [];
  for await (const c of p) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function names(data: Readable): Promise<string[]> {
  const x = extract();
  const out: string[] = [];
  x.on('entry', (h, s, next) => {
    out.push(h.name);
    s.on('end', () => next());
    s.resume();
  });
  const done = new Promise<void>((resolve, reject) => { x.on('finish', resolve); x.on('error', reject); });
  data.pipe(x);
  await done;
  return out;
}

test('readArchiveImages reads each image of an archive with its layers\' sizes', async () => {
  const images = await readArchiveImages(Readable.from(await twoImages()));
  assert.deepEqual(images.map((i) => [i.id, i.repoTags, i.layerSizes, i.config.config?.Cmd]), [
    [`sha256:${A}`, ['one:latest'], [1024], ['sh']],
    [`sha256:${B}`, [], [1024, 2048], ['true']],
  ]);
});

test('readArchiveImages refuses what is not an archive with a 400', async () => {
  await assert.rejects(readArchiveImages(Readable.from(Buffer.from('not a tar'))), { code: 'bad_request' });
  const empty = pack();
  empty.finalize();
  await assert.rejects(readArchiveImages(Readable.from(empty)), { code: 'bad_request', message: /no manifest.json/ });
});

test('repackArchives writes one image\'s files under new tags, readable again', async () => {
  const data = await twoImages();
  const [, second] = await readArchiveImages(Readable.from(data));
  const out = repackArchives([{ open: () => Promise.resolve(Readable.from(data)), image: second, repoTags: ['two:v1'] }]);
  const buf = Buffer.concat(await out.toArray() as Buffer[]);
  assert.deepEqual(await names(Readable.from(buf)), [`${B}.json`, `${LA}/`, `${LA}/VERSION`, `${LA}/layer.tar`, `${LB}/layer.tar`, 'manifest.json', 'repositories']);
  const again = await readArchiveImages(Readable.from(buf));
  assert.deepEqual(again.map((i) => [i.id, i.repoTags, i.size]), [[`sha256:${B}`, ['two:v1'], 3072]]);
});

test('repackArchives of a source that fails ends with its error', async () => {
  const [first] = await readArchiveImages(Readable.from(await twoImages()));
  const out = repackArchives([{ open: () => Promise.reject(new Error('gone')), image: first, repoTags: [] }]);
  await assert.rejects(out.toArray(), /gone/);
});
