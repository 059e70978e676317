/**
 * @module
 * Loads Glance images into this host's engine on demand: the archive streams from the server's
 * /agent/v1/images/{id}/file (with the host credential) straight into `docker load`, so memory stays
 * flat whatever the image's size. One load per image at a time (single flight): every container that
 * needs the image meanwhile waits for that load, and each flight first asks the engine, so an image is
 * loaded once per host. A load gives up when no data moves for a while, and a failure is remembered for
 * a few seconds so that retries do not download the archive again at once.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Transform, type TransformCallback } from 'node:stream';
import type { Logger } from '../core/log.js';
import type { DockerEngine } from '../engine/index.js';
import { imageFilePath } from './protocol.js';

/** No byte moving (download, or the engine's answer) for this long ends the load. */
const IDLE_MS = 60_000;
/** No load takes longer than this, whatever moves. */
const MAX_LOAD_MS = 60 * 60_000;
/** A failed load is answered from memory for this long before the archive is fetched again. */
const RETRY_AFTER_MS = 15_000;

export interface ImageLoaderOptions {
  serverUrl: string;
  credential: string;
  engine: Pick<DockerEngine, 'imageExists' | 'loadImage'> & Partial<Pick<DockerEngine, 'tagImage'>>;
  log: Logger;
  /** The mark (glance-mark.ts) a load asked to be marked gets; null or absent: none. */
  markOf?: (glanceImageId: string) => { repo: string; tag: string } | null;
  /** Called after a load, with the Glance image and the engine reference it gave. */
  onLoaded?: (glanceImageId: string, ref: string) => void;
}

export class ImageLoader {
  readonly #o: ImageLoaderOptions;
  readonly #flights = new Map<string, Promise<void>>();
  readonly #failed = new Map<string, { at: number; error: Error }>();
  readonly #running = new Set<AbortController>();

  constructor(options: ImageLoaderOptions) {
    this.#o = options;
  }

  /** Ends every load under way (the agent is stopping); the containers waiting for them fail. */
  stop(): void {
    for (const abort of this.#running) abort.abort(new Error('the agent is stopping'));
  }

  /**
   * Resolves once the engine holds `ref`, loading Glance image `glanceImageId` when it does not. With
   * `mark`, an image this flight loads is marked as Berth's copy (removed once unused: image-gc.ts);
   * an image the engine already held is never marked.
   */
  ensure(glanceImageId: string, ref: string, opts: { mark?: boolean } = {}): Promise<void> {
    let flight = this.#flights.get(ref);
    if (!flight) {
      flight = this.#fly(glanceImageId, ref, opts.mark === true).finally(() => this.#flights.delete(ref));
      this.#flights.set(ref, flight);
    }
    return flight;
  }

  /** The references being loaded right now. */
  loading(): Set<string> {
    return new Set(this.#flights.keys());
  }

  async #fly(glanceImageId: string, ref: string, mark: boolean): Promise<void> {
    if (await this.#o.engine.imageExists(ref)) return;
    const failed = this.#failed.get(ref);
    if (failed && Date.now() - failed.at < RETRY_AFTER_MS) throw failed.error;
    try {
      await this.#load(glanceImageId, ref);
      this.#failed.delete(ref);
      if (mark) await this.#mark(glanceImageId, ref);
    } catch (e) {
      const error = new Error(`Cannot load image ${glanceImageId} from the image service: ${e instanceof Error ? e.message : String(e)}`);
      this.#failed.set(ref, { at: Date.now(), error });
      throw error;
    }
  }

  /** Marks a loaded image; an image left unmarked only stays in the engine. */
  async #mark(glanceImageId: string, ref: string): Promise<void> {
    const m = this.#o.markOf?.(glanceImageId);
    if (!m || !this.#o.engine.tagImage) return;
    try {
      await this.#o.engine.tagImage(ref, m.repo, m.tag);
    } catch (e) {
      this.#o.log.warn({ ref, err: e instanceof Error ? e.message : String(e) }, 'loaded image not marked');
    }
  }

  async #load(glanceImageId: string, ref: string): Promise<void> {
    const { engine, log } = this.#o;
    const started = Date.now();
    const abort = new AbortController();
    this.#running.add(abort);
    const idle = new Idle(IDLE_MS, () => abort.abort(new Error(`no data moved for ${IDLE_MS / 1000} s`)));
    const cap = setTimeout(() => abort.abort(new Error(`the load took longer than ${MAX_LOAD_MS / 60_000} min`)), MAX_LOAD_MS);
    log.info({ glanceImage: glanceImageId, ref }, 'loading image');
    try {
      const res = await this.#download(glanceImageId, abort.signal);
      const counted = counter(() => idle.touch());
      res.on('error', (e) => counted.destroy(e));
      res.pipe(counted);
      const loaded = await engine.loadImage(counted, abort.signal);
      if (!(await engine.imageExists(ref))) {
        throw new Error(`the archive loaded (${loaded.join(', ') || 'nothing reported'}) but the engine does not know ${ref}`);
      }
      log.info({ glanceImage: glanceImageId, ref, bytes: counted.bytes, ms: Date.now() - started }, 'image loaded');
      this.#o.onLoaded?.(glanceImageId, ref);
    } catch (e) {
      const reason = abort.signal.aborted ? (abort.signal.reason as Error) : e;
      // Ends the download and the engine request, whichever is still open.
      if (!abort.signal.aborted) abort.abort(reason);
      log.warn({ glanceImage: glanceImageId, ref, err: reason instanceof Error ? reason.message : String(reason) }, 'image load failed');
      throw reason;
    } finally {
      this.#running.delete(abort);
      idle.stop();
      clearTimeout(cap);
    }
  }

  /** The server's answer with the archive, or an error carrying the server's reason. */
  #download(glanceImageId: string, signal: AbortSignal): Promise<IncomingMessage> {
    const url = fileUrl(this.#o.serverUrl, glanceImageId);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, { method: 'GET', signal, headers: { Authorization: `Bearer ${this.#o.credential}` } }, (res) => {
        if (res.statusCode === 200) return resolve(res);
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => { if (body.length < 2000) body += c; });
        res.on('end', () => reject(new Error(`the server answered ${res.statusCode}: ${messageOf(body)}`)));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  }
}

/** `http(s)://…` or `ws(s)://…` of the server → the image file URL over HTTP. */
export function fileUrl(serverUrl: string, glanceImageId: string): URL {
  const u = new URL(serverUrl);
  if (u.protocol === 'ws:') u.protocol = 'http:';
  else if (u.protocol === 'wss:') u.protocol = 'https:';
  u.pathname = u.pathname.replace(/\/+$/, '') + imageFilePath(glanceImageId);
  u.search = '';
  u.hash = '';
  return u;
}

export function messageOf(body: string): string {
  try {
    const m = (JSON.parse(body) as { message?: unknown }).message;
    if (typeof m === 'string') return m;
  } catch {
    // not JSON: the text itself
  }
  return body.trim().slice(0, 300) || 'no reason given';
}

/** A pass-through that counts bytes and calls `onData` for every chunk. */
function counter(onData: () => void): Transform & { bytes: number } {
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      t.bytes += chunk.length;
      onData();
      cb(null, chunk);
    },
  }) as Transform & { bytes: number };
  t.bytes = 0;
  return t;
}

/** Calls `fire` once `ms` pass without a `touch`. */
class Idle {
  readonly #timer: NodeJS.Timeout;

  constructor(ms: number, fire: () => void) {
    this.#timer = setTimeout(fire, ms);
  }

  touch(): void {
    this.#timer.refresh();
  }

  stop(): void {
    clearTimeout(this.#timer);
  }
}
