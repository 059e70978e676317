/**
 * @module
 * A `build` stream: the agent fetches the build context from the server that received it (host
 * credential and the server's context token), runs the engine's classic build and relays its JSON-lines
 * output unchanged as it comes. When the engine reports no error, the built image (tagged with the mark
 * of the first Glance image, glance-mark.ts) is `docker save`d and PUT into each Glance image the server
 * created for it (image-commit.ts put, with the server's upload token). A failure after the engine's
 * output is one more Docker error line; the stream ends with exit code 0 only when every image is stored.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { PassThrough, type Readable } from 'node:stream';
import { BerthError } from '../core/errors.js';
import { BuildOutput, errorLine } from '../docker/build-output.js';
import { CONTEXT_TOKEN_HEADER, readBuildParams, type BuildParams } from '../docker/build-params.js';
import { buildImage } from '../engine/build.js';
import { markOf } from './glance-mark.js';
import { put } from './image-commit.js';
import { fileUrl, messageOf } from './image-loader.js';
import type { AgentServerAccess, OpenContext, OpenedStream } from './stream-kinds.js';
import { UPLOAD_TOKEN_HEADER } from './upload-token.js';

export async function openBuild(ctx: OpenContext): Promise<OpenedStream> {
  const p = readBuildParams(ctx.params);
  if (typeof p === 'string') throw new BerthError('bad_request', p);
  const server = ctx.server;
  if (!server) throw new BerthError('not_implemented', 'This agent has no server access for builds.');
  const cloudId = server.cloudId();
  const tags = p.targets.map((t) => (cloudId ? markOf(t.glanceImageId, cloudId) : null));
  if (tags.some((t) => t === null)) throw new BerthError('conflict', 'The agent cannot name the built image yet (no cloud id).');
  const context = await download(p.contextUrl, { Authorization: `Bearer ${server.credential}`, [CONTEXT_TOKEN_HEADER]: p.contextToken }, ctx.signal);
  const out = new PassThrough();
  const code = run(ctx, server, p, context, tags.map((t) => `${t!.repo}:${t!.tag}`), out);
  return { stream: out, exitCode: () => code };
}

async function run(ctx: OpenContext, server: AgentServerAccess, p: BuildParams, context: Readable, refs: string[], out: PassThrough): Promise<number> {
  const started = Date.now();
  try {
    const engineOut = await buildImage(ctx.engine, context, { ...p.options, ...(refs[0] ? { tag: refs[0] } : {}) }, ctx.signal);
    const watch = new BuildOutput();
    await new Promise<void>((resolve, reject) => {
      engineOut.on('data', (c: Buffer) => {
        watch.push(c);
        out.write(c);
      });
      engineOut.on('end', resolve);
      engineOut.on('error', reject);
      engineOut.on('close', () => (engineOut.readableEnded ? resolve() : reject(new Error('the engine ended the build output early'))));
    });
    watch.end();
    if (watch.error !== undefined) return 1;
    for (const [i, target] of p.targets.entries()) {
      // The project already has this very image under the name: the server keeps that one.
      if (target.previousDockerId !== undefined && target.previousDockerId === watch.imageId) continue;
      if (i > 0) {
        const [repo, tag] = splitRef(refs[i]);
        await ctx.engine.tagImage(refs[0], repo, tag);
      }
      const data = await ctx.engine.saveImage(refs[i]);
      await put(fileUrl(server.url, target.glanceImageId), {
        Authorization: `Bearer ${server.credential}`,
        'Content-Type': 'application/octet-stream',
        [UPLOAD_TOKEN_HEADER]: target.uploadToken,
      }, data);
    }
    if (p.targets.length > 0) server.onMarked?.();
    ctx.log.info({ images: p.targets.map((t) => t.glanceImageId), ms: Date.now() - started }, 'image built and uploaded');
    return 0;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    ctx.log.warn({ err: message }, 'build failed');
    if (!ctx.signal.aborted) out.write(errorLine(message));
    return 1;
  } finally {
    context.destroy();
    out.end();
  }
}

const splitRef = (ref: string): [string, string] => {
  const colon = ref.lastIndexOf(':');
  return [ref.slice(0, colon), ref.slice(colon + 1)];
};

/** GETs the build context; resolves with the response once the server answered 200. */
function download(url: string, headers: Record<string, string>, signal: AbortSignal): Promise<IncomingMessage> {
  const u = new URL(url);
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(u, { method: 'GET', headers, signal }, (res) => {
      if (res.statusCode === 200) return resolve(res);
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { if (text.length < 2000) text += c; });
      res.on('end', () => reject(new BerthError('unavailable', `The build context could not be fetched (${res.statusCode ?? 0}): ${messageOf(text)}`)));
      res.on('error', reject);
    });
    req.on('error', (e) => reject(new BerthError('unavailable', `The build context could not be fetched: ${e.message}`)));
    req.end();
  });
}
