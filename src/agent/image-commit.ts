/**
 * @module
 * `commit` with a Glance image to fill: `docker commit` of the container, then its `docker save` archive
 * streamed as the request body of a PUT to the server's /agent/v1/images/{id}/file (host credential and
 * the server's upload token), which streams it into the image store. Nothing is buffered here: the
 * engine's archive flows into the request as the engine writes it. The committed engine image is then
 * marked as Berth's copy of the Glance image (glance-mark.ts), so it is removed once no container uses it.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import type { Logger } from '../core/log.js';
import { EngineError, type DockerEngine } from '../engine/index.js';
import type { CallResult } from './calls.js';
import { engineName } from './engine-spec.js';
import { markOf } from './glance-mark.js';
import { fileUrl, messageOf } from './image-loader.js';
import { UPLOAD_TOKEN_HEADER } from './upload-token.js';

export interface CommitContext {
  engine: Pick<DockerEngine, 'inspect' | 'commit' | 'saveImage' | 'tagImage'>;
  serverUrl: string;
  credential: string;
  log: Logger;
  /** The cloud the agent serves (the mark names it); null before the server's welcome. */
  cloudId: () => string | null;
  /** Told once the committed image is marked as the Glance image's copy on this host. */
  onMarked?: (glanceImageId: string, engineImageId: string) => void;
}

/** Whether a `commit` call asks for an upload to a Glance image (else it is `docker commit` only). */
export const isUploadCommit = (p: Record<string, unknown>) => typeof p.glanceImageId === 'string';

class CommitError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const param = (p: Record<string, unknown>, key: string): string => {
  const v = p[key];
  if (typeof v !== 'string' || v === '') throw new CommitError(400, `The commit needs a ${key}.`);
  return v;
};

export async function commitAndUpload(ctx: CommitContext, uuid: string, p: Record<string, unknown>): Promise<CallResult> {
  try {
    const repository = param(p, 'repository');
    const tag = param(p, 'tag');
    const glanceImageId = param(p, 'glanceImageId');
    const token = param(p, 'uploadToken');
    const state = await ctx.engine.inspect(engineName(uuid));
    if (!state) throw new CommitError(409, `Container ${uuid} has no engine container to commit.`);
    const started = Date.now();
    const imageId = await ctx.engine.commit(state.id, { repository, tag });
    const data = await ctx.engine.saveImage(`${repository}:${tag}`);
    await put(fileUrl(ctx.serverUrl, glanceImageId), {
      Authorization: `Bearer ${ctx.credential}`,
      'Content-Type': 'application/octet-stream',
      [UPLOAD_TOKEN_HEADER]: token,
    }, data);
    ctx.log.info({ uuid, glanceImage: glanceImageId, imageId, ms: Date.now() - started }, 'container committed and uploaded');
    await mark(ctx, glanceImageId, imageId);
    return { ok: true, value: { uuid: glanceImageId, imageId } };
  } catch (e) {
    const status = e instanceof CommitError || e instanceof EngineError ? e.status : 500;
    const message = e instanceof Error ? e.message : String(e);
    ctx.log.warn({ uuid, err: message }, 'commit failed');
    return { ok: false, error: { status: status >= 400 && status < 500 ? status : 500, message } };
  }
}

/** Marks the committed image as the Glance image's copy; an image left unmarked only stays. */
async function mark(ctx: CommitContext, glanceImageId: string, imageId: string): Promise<void> {
  const cloudId = ctx.cloudId();
  const m = cloudId ? markOf(glanceImageId, cloudId) : null;
  if (!m) return;
  try {
    await ctx.engine.tagImage(imageId, m.repo, m.tag);
    ctx.onMarked?.(glanceImageId, imageId);
  } catch (e) {
    ctx.log.warn({ imageId, err: e instanceof Error ? e.message : String(e) }, 'committed image not marked');
  }
}

/**
 * Streams `body` as a PUT; resolves on a 2xx answer, else fails with the server's status and message.
 * The server may answer before the body ends (a refused archive): the rest is then not sent.
 */
export function put(url: URL, headers: Record<string, string>, body: Readable): Promise<void> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<void>((resolve, reject) => {
    const req = send(url, { method: 'PUT', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { if (text.length < 2000) text += c; });
      res.on('end', () => {
        const status = res.statusCode ?? 500;
        if (status >= 200 && status < 300) resolve();
        else reject(new CommitError(status, `The server refused the image data (${status}): ${messageOf(text)}`));
      });
      res.on('error', reject);
    });
    req.on('error', (e) => reject(new CommitError(503, `The upload to the server failed: ${e.message}`)));
    body.on('error', (e) => req.destroy(e));
    body.pipe(req);
  }).finally(() => body.destroy());
}
