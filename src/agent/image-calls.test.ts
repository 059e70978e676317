import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from '../engine/index.js';
import { runImageCall, type ImageCallContext } from './image-calls.js';

/** A context whose loader fails with `failure`, and whose engine holds nothing. */
function failingLoad(failure: unknown): ImageCallContext {
  return {
    engine: { inspectImage: async () => undefined, removeImage: async () => undefined } as unknown as ImageCallContext['engine'],
    loader: { ensure: async () => { throw failure; } },
    reporter: { reportLoaded: async () => undefined, reset: () => undefined, reportAll: async () => undefined },
  };
}

const cases: { name: string; failure: unknown; status: number; message: RegExp }[] = [
  { name: 'a failed load is a conflict with the reason', failure: new Error('Cannot load image i-1 from the image service: Image i-1 no longer exists.'), status: 409, message: /no longer exists/ },
  { name: 'an engine refusal keeps its status', failure: new EngineError(400, 'invalid tar header'), status: 400, message: /invalid tar header/ },
  { name: 'an engine that does not answer is a server fault', failure: new EngineError(503, 'engine down'), status: 500, message: /engine down/ },
];

for (const c of cases) {
  test(`image_load: ${c.name}`, async () => {
    const r = await runImageCall(failingLoad(c.failure), 'image_load', { glanceImageId: 'i-1', ref: 'sha256:abc' });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.error.status, c.status);
    assert.match(r.error.message, c.message);
  });
}

test('image_load without a ref is a bad request', async () => {
  const r = await runImageCall(failingLoad(new Error('unused')), 'image_load', { glanceImageId: 'i-1' });
  assert.equal(r.ok ? 0 : r.error.status, 400);
});

test('image_remove removes the image by every tag (a mark too), so that the engine does not refuse it', async () => {
  const images = new Map([['sha256:a', ['mybox:1', 'berth-glance/11111111-2222-4333-8444-555555555555:c1']]]);
  const removed: string[] = [];
  const engine = {
    inspectImage: async (ref: string) => {
      for (const [id, tags] of images) if (id === ref || tags.includes(ref)) return { id, tags, sizeBytes: 1 };
      return null;
    },
    removeImage: async (ref: string) => {
      removed.push(ref);
      for (const [id, tags] of images) {
        if (id === ref) images.delete(id);
        else if (tags.length === 1 && tags[0] === ref) images.delete(id);
        else if (tags.includes(ref)) tags.splice(tags.indexOf(ref), 1);
      }
    },
  } as unknown as ImageCallContext['engine'];
  const r = await runImageCall({ ...failingLoad(new Error('unused')), engine }, 'image_remove', { id: 'sha256:a' });
  assert.equal(r.ok, true);
  assert.deepEqual(removed, ['mybox:1', 'berth-glance/11111111-2222-4333-8444-555555555555:c1']);
  assert.equal(images.size, 0);
});
