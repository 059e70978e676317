/**
 * @module
 * The server's calls about this host's images (Zun's image API): `image_load` has the image loader bring
 * a Glance image into the engine (the same single flight the containers that need it share), and
 * `image_remove` removes one image from the engine, every tag of it (never forced, so one a container
 * uses stays: 409).
 * Either way the server hears the change at once in an image report.
 */
import { EngineError, type DockerEngine } from '../engine/index.js';
import type { CallResult } from './calls.js';
import type { ImageLoader } from './image-loader.js';
import type { ImageReporter } from './image-report.js';
import type { CallMethod } from './protocol.js';

export interface ImageCallContext {
  engine: Pick<DockerEngine, 'inspectImage' | 'removeImage'>;
  loader: Pick<ImageLoader, 'ensure'>;
  reporter: Pick<ImageReporter, 'reportLoaded' | 'reset' | 'reportAll'>;
}

export const isImageCall = (m: CallMethod): m is 'image_load' | 'image_remove' => m === 'image_load' || m === 'image_remove';

const param = (p: Record<string, unknown>, key: string): string => {
  const v = p[key];
  if (typeof v !== 'string' || v === '') throw new EngineError(400, `The call needs a ${key}.`);
  return v;
};

/**
 * Removes an image by each of its repo tags (a mark of Berth's included), then by id: the engine refuses
 * to remove by id an image several repositories name. Never forced: a container of it keeps it (409).
 */
async function removeWholly(engine: ImageCallContext['engine'], id: string): Promise<void> {
  const image = await engine.inspectImage(id);
  if (!image) throw new EngineError(404, `The engine does not hold ${id}.`);
  for (const tag of image.tags.slice(0, -1)) await engine.removeImage(tag);
  await engine.removeImage(image.tags.at(-1) ?? image.id);
  if (await engine.inspectImage(image.id)) await engine.removeImage(image.id);
}

export async function runImageCall(ctx: ImageCallContext, method: 'image_load' | 'image_remove', p: Record<string, unknown>): Promise<CallResult> {
  try {
    if (method === 'image_load') {
      const glanceImageId = param(p, 'glanceImageId');
      const ref = param(p, 'ref');
      // A load that fails (the image gone from the service, an archive the engine refuses) is a state
      // the caller can act on, not a fault of the server: a conflict with the loader's reason.
      await ctx.loader.ensure(glanceImageId, ref).catch((e: unknown) => {
        throw e instanceof EngineError ? e : new EngineError(409, e instanceof Error ? e.message : String(e));
      });
      await ctx.reporter.reportLoaded(glanceImageId, ref);
      const image = await ctx.engine.inspectImage(ref);
      if (!image) throw new EngineError(404, `The engine does not hold ${ref}.`);
      return { ok: true, value: { id: image.id, tags: image.tags, size: image.sizeBytes } };
    }
    await removeWholly(ctx.engine, param(p, 'id'));
    ctx.reporter.reset();
    await ctx.reporter.reportAll();
    return { ok: true, value: {} };
  } catch (e) {
    if (e instanceof EngineError && e.status < 500) return { ok: false, error: { status: e.status, message: e.message } };
    return { ok: false, error: { status: 500, message: e instanceof Error ? e.message : String(e) } };
  }
}
