import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extract, pack, type Header } from 'tar-stream';
import { EngineError } from './errors.js';
import { renameTopEntry } from './tar.js';

type Entry = Partial<Header> & { name: string; body?: string };

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c) => chunks.push(c as Buffer));
  const done = new Promise<void>((r) => p.on('end', () => r()));
  for (const { body, ...header } of entries) p.entry({ mode: 0o644, ...header }, body ?? '');
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

async function entriesOf(tar: Buffer): Promise<{ name: string; type: string; linkname?: string; body: string; mode: number }[]> {
  const x = extract();
  x.end(tar);
  const out = [];
  for await (const e of x) {
    const body: Buffer[] = [];
    for await (const c of e) body.push(c as Buffer);
    const entry: { name: string; type: string; linkname?: string; body: string; mode: number } = {
      name: e.header.name,
      type: e.header.type,
      body: Buffer.concat(body).toString(),
      mode: e.header.mode,
    };
    if (e.header.linkname) entry.linkname = e.header.linkname;
    out.push(entry);
  }
  return out;
}

const long = 'x'.repeat(150);

const cases: { name: string; given: Entry[]; newName: string; want: string[] }[] = [
  { name: 'a single file', given: [{ name: 'f1', body: 'one' }], newName: 'file', want: ['file'] },
  {
    name: 'a directory and what is under it, with ./ prefixes',
    given: [{ name: './d/', type: 'directory', mode: 0o755 }, { name: './d/a', body: 'a' }, { name: 'd/sub/b', body: 'b' }],
    newName: 'e',
    want: ['e/', 'e/a', 'e/sub/b'],
  },
  {
    name: 'entries outside the top entry stay as they are',
    given: [{ name: 'top', body: '1' }, { name: 'other', body: '2' }, { name: 'topless', body: '3' }],
    newName: 'renamed',
    want: ['renamed', 'other', 'topless'],
  },
  {
    name: 'names longer than the ustar field survive',
    given: [{ name: `d/${long}`, body: 'deep' }],
    newName: 'e',
    want: [`e/${long}`],
  },
];

for (const c of cases) {
  test(`renameTopEntry: ${c.name}`, async () => {
    const out = await entriesOf(await renameTopEntry(await tarOf(c.given), c.newName));
    assert.deepEqual(out.map((e) => e.name), c.want);
    assert.deepEqual(out.map((e) => e.body), c.given.map((e) => e.body ?? ''));
    assert.deepEqual(out.map((e) => e.mode), c.given.map((e) => e.mode ?? 0o644));
  });
}

test('renameTopEntry: hard links follow the rename, symlink targets do not', async () => {
  const out = await entriesOf(
    await renameTopEntry(
      await tarOf([
        { name: 'd/', type: 'directory' },
        { name: 'd/a', body: 'a' },
        { name: 'd/hard', type: 'link', linkname: 'd/a' },
        { name: 'd/soft', type: 'symlink', linkname: 'd/a' },
      ]),
      'e',
    ),
  );
  assert.deepEqual(
    out.map((e) => [e.name, e.type, e.linkname]),
    [
      ['e/', 'directory', undefined],
      ['e/a', 'file', undefined],
      ['e/hard', 'link', 'e/a'],
      ['e/soft', 'symlink', 'd/a'],
    ],
  );
});

test('renameTopEntry: refuses what it cannot rename', async () => {
  const file = await tarOf([{ name: 'f', body: '' }]);
  for (const bad of ['', '.', '..', 'a/b']) {
    await assert.rejects(renameTopEntry(file, bad), (e: EngineError) => e.status === 400, bad);
  }
  await assert.rejects(renameTopEntry(await tarOf([]), 'x'), /empty/);
  await assert.rejects(renameTopEntry(await tarOf([{ name: './', type: 'directory' }]), 'x'), /no named top entry/);
  await assert.rejects(renameTopEntry(Buffer.from('not a tar archive'.repeat(40)), 'x'), (e: EngineError) => e.status === 400);
});
