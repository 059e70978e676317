/**
 * @module
 * `docker save` of one image as a stream, straight from the engine's API (GET /images/{name}/get), for
 * the image service to store. Nothing is buffered: the caller reads the archive as the engine writes it.
 */
import { request } from 'node:http';
import type { Readable } from 'node:stream';
import { EngineError } from './errors.js';

/** The engine's image `ref` as the tar archive `docker save` writes; a missing image is an EngineError 404. */
export function saveImage(host: string, ref: string, signal?: AbortSignal): Promise<Readable> {
  const path = `/images/${encodeURIComponent(ref)}/get`;
  const unix = host.startsWith('unix://') ? host.slice('unix://'.length) : undefined;
  const tcp = /^(?:tcp|http):\/\/([^:/]+):(\d+)\/?$/.exec(host);
  if (!unix && !tcp) return Promise.reject(new EngineError(400, `unsupported engine address ${host}: use unix:///path or tcp://host:port`));
  const target = unix ? { socketPath: unix } : { host: tcp![1], port: Number(tcp![2]) };
  return new Promise((resolve, reject) => {
    const req = request({ ...target, path, method: 'GET', signal }, (res) => {
      if (res.statusCode === 200) return resolve(res);
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => reject(new EngineError(res.statusCode ?? 500, `docker save ${ref}: ${Buffer.concat(parts).toString().trim().slice(0, 300)}`)));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
