import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { pack } from 'tar-stream';
import { isBerthError } from '../core/errors.js';
import { dockerArchiveCheck, manifestProblem } from './docker-archive.js';

interface Entry { name: string; content?: string | Buffer; type?: 'file' | 'directory' | 'symlink' }

/** A tar archive of `entries`, as `docker save` lays one out. */
async function tarOf(entries: Entry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve) => p.on('end', () => resolve()));
  for (const e of entries) {
    if (e.type === 'directory') p.entry({ name: e.name, type: 'directory' });
    else if (e.type === 'symlink') p.entry({ name: e.name, type: 'symlink', linkname: String(e.content) });
    else p.entry({ name: e.name }, e.content ?? '');
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

const manifest = (layers: string[], config = 'cfg.json') => JSON.stringify([{ Config: config, RepoTags: ['busybox:latest'], Layers: layers }]);
const layer = Buffer.alloc(300_000, 7);
const save = (extra: Entry[] = [], m = manifest(['abc/layer.tar'])) => tarOf([
  { name: 'abc/', type: 'directory' }, { name: 'abc/VERSION', content: '1.0' }, { name: 'abc/layer.tar', content: layer },
  { name: 'cfg.json', content: '{}' }, { name: 'manifest.json', content: m }, { name: 'repositories', content: '{}' }, ...extra,
]);

/** Runs `data` through the check in chunks of `chunk` bytes; returns what came out, or the error's message. */
async function check(data: Buffer, chunk = 4096): Promise<{ out?: Buffer; error?: string }> {
  const out: Buffer[] = [];
  const sink = new Writable({ write(c: Buffer, _e, cb) { out.push(c); cb(); } });
  const parts = function* () { for (let i = 0; i < data.length; i += chunk) yield data.subarray(i, i + chunk); };
  try {
    await pipeline(Readable.from(parts()), dockerArchiveCheck(), sink);
    return { out: Buffer.concat(out) };
  } catch (e) {
    assert.ok(isBerthError(e) && e.status === 400, `a 400, got ${String(e)}`);
    return { error: (e as Error).message };
  }
}

test('a docker save archive passes through unchanged, in any chunk size', async () => {
  const tar = await save();
  for (const size of [1, 511, 512, 4096, 65536, tar.length]) {
    const r = await check(tar, size);
    assert.equal(r.error, undefined, `chunk ${size}`);
    assert.ok(r.out!.equals(tar), `chunk ${size}`);
  }
});

test('the OCI layout of newer engines (blobs, symlinks) passes', async () => {
  const tar = await tarOf([
    { name: 'blobs/', type: 'directory' }, { name: 'blobs/sha256/', type: 'directory' },
    { name: 'blobs/sha256/aa', content: layer }, { name: 'blobs/sha256/cc', content: '{}' },
    { name: 'abc/layer.tar', type: 'symlink', content: '../blobs/sha256/aa' },
    { name: 'index.json', content: '{}' }, { name: 'manifest.json', content: manifest(['blobs/sha256/aa'], 'blobs/sha256/cc') },
  ]);
  assert.equal((await check(tar)).error, undefined);
});

const bad: { name: string; data: () => Promise<Buffer>; want: RegExp }[] = [
  { name: 'cut at half', data: async () => { const t = await save(); return t.subarray(0, t.length >> 1); }, want: /truncated \(it ends inside an entry/ },
  { name: 'cut after an entry (no end blocks)', data: async () => (await save()).subarray(0, 512 * 3), want: /truncated/ },
  { name: 'end blocks only partly there', data: async () => { const t = await save(); return t.subarray(0, t.length - 512 * 19 - 100); }, want: /truncated/ },
  { name: 'not a tar', data: async () => Buffer.alloc(4096, 'x'), want: /not a tar archive/ },
  { name: 'a few bytes', data: async () => Buffer.from('hello\n'), want: /not a tar archive \(6 bytes/ },
  { name: 'empty', data: async () => Buffer.alloc(0), want: /truncated|not a tar/ },
  { name: 'gzip', data: async () => Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]), want: /gzip-compressed/ },
  { name: 'no manifest', data: () => tarOf([{ name: 'cfg.json', content: '{}' }]), want: /no manifest\.json/ },
  { name: 'manifest not JSON', data: () => save([], '[{'), want: /not JSON/ },
  { name: 'manifest not a list', data: () => save([], '{"Config":"cfg.json"}'), want: /not a list/ },
  { name: 'manifest entry without Layers', data: () => save([], '[{"Config":"cfg.json"}]'), want: /entry 0 is not \{Config, RepoTags, Layers\}/ },
  { name: 'a layer missing', data: () => save([], manifest(['abc/layer.tar', 'def/layer.tar'])), want: /names def\/layer\.tar, which is not in the archive/ },
  { name: 'the config missing', data: () => save([], manifest(['abc/layer.tar'], 'nope.json')), want: /names nope\.json/ },
];
for (const c of bad) {
  test(`refused: ${c.name}`, async () => {
    const r = await check(await c.data());
    assert.match(r.error ?? '(passed)', c.want);
    assert.match(r.error ?? '', /^The image data is not a valid 'docker save' archive: /);
  });
}

test('manifestProblem: names are compared without ./ and trailing /', () => {
  assert.equal(manifestProblem(manifest(['./abc/layer.tar']), new Set(['abc/layer.tar', 'cfg.json'])), undefined);
  assert.match(manifestProblem(undefined, new Set()) ?? '', /no manifest/);
});
