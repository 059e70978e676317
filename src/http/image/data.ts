import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { BerthError } from '../../core/errors.js';
import type { App } from '../app-type.js';
import { imageActorOf, type ImageHttpDeps } from './deps.js';
import { ImageId } from './images.js';

/** After a refused upload, what the client still sends is read and dropped (up to this much) so that it gets the answer. */
const DRAIN_BYTES = 64 * 1024 * 1024;

/** Reads and drops what is left of a refused upload (up to 64 MiB), so the client sees the answer. */
export function drain(req: IncomingMessage): void {
  if (req.complete) return;
  let seen = 0;
  req.on('data', (c: Buffer) => {
    seen += c.length;
    if (seen > DRAIN_BYTES) req.destroy();
  });
  req.resume();
}

/**
 * Image data: PUT streams the request body straight into the image store (the image scope's parser for
 * application/octet-stream leaves the body unread, so no body limit or buffering applies), GET streams
 * it back with Glance's Content-MD5 (the hex checksum) and Content-Length.
 */
export function dataRoutes(app: App, deps: ImageHttpDeps): void {
  app.put('/images/:id/file', {
    schema: { params: ImageId },
    // Before any body parser runs: another media type would otherwise be read into memory first.
    onRequest: (req, _reply, done) => {
      const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (type === 'application/octet-stream') return done();
      drain(req.raw);
      done(new BerthError('unsupported_media_type', `Unsupported Content-Type: image data is sent as application/octet-stream (got ${type || 'none'}).`));
    },
  }, async (req, reply) => {
    const length = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    const body = new PassThrough();
    req.raw.pipe(body);
    try {
      await deps.transfer.upload(imageActorOf(deps.policy, req), req.params.id, body, Number.isFinite(length) ? length : undefined);
    } catch (e) {
      req.raw.unpipe(body);
      body.destroy();
      drain(req.raw);
      throw e;
    }
    return reply.code(204).send();
  });

  app.get('/images/:id/file', { schema: { params: ImageId } }, async (req, reply) => {
    const { image, data } = await deps.transfer.download(imageActorOf(deps.policy, req), req.params.id);
    if (!data) return reply.code(204).send();
    reply.header('Content-Type', 'application/octet-stream').header('Content-Length', String(data.size));
    if (image.checksum) reply.header('Content-MD5', image.checksum);
    return reply.send(data.stream);
  });
}
