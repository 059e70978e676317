/**
 * The agent's image loader against a small HTTP server playing the server's image route and an engine
 * held in memory: one download and one load per image whatever the number of waiting creates, the
 * server's reason in the error, and no new download right after a failure.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createLogger } from '../core/log.js';
import { fileUrl, ImageLoader } from './image-loader.js';

const ARCHIVE = Buffer.alloc(256 * 1024, 3);

/** An engine that "loads" an archive by reading it all, then knows the refs `gives` says. */
class FakeEngine {
  readonly images = new Set<string>();
  loads = 0;
  bytes = 0;
  gives: string[] = [];
  async imageExists(ref: string): Promise<boolean> {
    return this.images.has(ref);
  }
  async loadImage(data: NodeJS.ReadableStream): Promise<string[]> {
    this.loads++;
    for await (const c of data as AsyncIterable<Buffer>) this.bytes += c.length;
    for (const ref of this.gives) this.images.add(ref);
    return this.gives;
  }
}

let server: Server;
let url = '';
const requests: { path: string; auth: string | undefined }[] = [];

before(async () => {
  server = createServer((req, res) => {
    requests.push({ path: req.url ?? '', auth: req.headers.authorization });
    if (req.url === '/base/agent/v1/images/img-1/file') {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': ARCHIVE.length });
      // In pieces, so that every create is waiting while the data flows.
      let at = 0;
      const next = () => {
        if (at >= ARCHIVE.length) return res.end();
        res.write(ARCHIVE.subarray(at, at + 32 * 1024));
        at += 32 * 1024;
        setTimeout(next, 5);
      };
      next();
      return;
    }
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ message: 'Image gone no longer exists in the image service.' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/base`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const loaderFor = (engine: FakeEngine, loaded: string[] = []) =>
  new ImageLoader({ serverUrl: url, credential: 'h-secret', engine, log: createLogger('silent'), onLoaded: (g) => loaded.push(g) });

test('20 creates waiting for one image: one download, one load', async () => {
  const engine = new FakeEngine();
  engine.gives = ['sha256:one'];
  const loaded: string[] = [];
  const loader = loaderFor(engine, loaded);
  requests.length = 0;
  await Promise.all(Array.from({ length: 20 }, () => loader.ensure('img-1', 'sha256:one')));
  assert.deepEqual([engine.loads, engine.bytes, requests.length, loaded], [1, ARCHIVE.length, 1, ['img-1']]);
  assert.deepEqual(requests[0], { path: '/base/agent/v1/images/img-1/file', auth: 'Bearer h-secret' });
  await loader.ensure('img-1', 'sha256:one');
  assert.equal(requests.length, 1, 'an image the engine holds is not fetched again');
});

test('the server\'s reason is the error; a retry right after does not download again', async () => {
  const engine = new FakeEngine();
  const loader = loaderFor(engine);
  requests.length = 0;
  const reason = /Cannot load image gone from the image service: the server answered 404: Image gone no longer exists in the image service\.$/;
  await assert.rejects(loader.ensure('gone', 'sha256:gone'), reason);
  await assert.rejects(loader.ensure('gone', 'sha256:gone'), reason);
  assert.deepEqual([requests.length, engine.loads], [1, 0]);
});

test('an archive that does not give the image is an error', async () => {
  const engine = new FakeEngine();
  engine.gives = ['other:1'];
  await assert.rejects(loaderFor(engine).ensure('img-1', 'sha256:wanted'), /loaded \(other:1\) but the engine does not know sha256:wanted/);
});

test('fileUrl: the server URL the agent dialled, over HTTP', () => {
  assert.equal(fileUrl('ws://h:1/x/', 'a b').toString(), 'http://h:1/x/agent/v1/images/a%20b/file');
  assert.equal(fileUrl('https://h', 'i').toString(), 'https://h/agent/v1/images/i/file');
});
