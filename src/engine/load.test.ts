import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from './errors.js';
import { loadedImages } from './load.js';

const lines = (...xs: unknown[]) => Buffer.from(xs.map((x) => JSON.stringify(x)).join('\r\n'));

const cases: Array<{ name: string; given: Buffer; want: string[] }> = [
  { name: 'a tagged image', given: lines({ stream: 'Loaded image: mybox:1\n' }), want: ['mybox:1'] },
  { name: 'an untagged image', given: lines({ stream: `Loaded image ID: sha256:${'b'.repeat(64)}\n` }), want: [`sha256:${'b'.repeat(64)}`] },
  { name: 'several, with progress', given: lines({ status: 'Loading layer' }, { stream: 'Loaded image: a:1\n' }, { stream: 'Loaded image: b:2\n' }), want: ['a:1', 'b:2'] },
  { name: 'nothing', given: Buffer.alloc(0), want: [] },
];
for (const c of cases) test(`loadedImages: ${c.name}`, () => assert.deepEqual(loadedImages(c.given), c.want));

test('loadedImages: an error line is the engine refusing the archive', () => {
  assert.throws(
    () => loadedImages(lines({ errorDetail: { message: 'unexpected EOF' }, error: 'unexpected EOF' })),
    (e: unknown) => e instanceof EngineError && e.status === 400 && /docker load refused the archive: unexpected EOF/.test(e.message),
  );
});
