/**
 * @module
 * Removes the engine copies of Glance images that Berth brought to this host (marked: glance-mark.ts)
 * once nothing on the host uses them: no engine container (of any owner, stopped ones included) is of
 * the image, no container the server wants here names it, and no load of it is under way. Images that
 * carry no mark of this cloud (the engine's own, or an image someone pulled) are never touched.
 *
 * `planCollection` decides from one snapshot (pure); `collectImages` lists, plans, checks each image
 * once more just before removing it, and removes by repo tag (never forced): other tags first, this
 * cloud's marks last, so an image the engine still refuses to remove keeps its mark and is tried again
 * at the next collection. An image another cloud also marked only loses this cloud's marks.
 */
import type { Logger } from '../core/log.js';
import type { DockerEngine } from '../engine/index.js';
import { parseMark } from './glance-mark.js';

export interface CollectionInput {
  cloudId: string;
  images: { id: string; tags: string[] }[];
  /** Image references (ids or repo tags) engine containers or wanted containers are of. */
  usedRefs: ReadonlySet<string>;
  /** Glance images wanted containers are of. */
  usedGlance: ReadonlySet<string>;
}

/** One image to remove: its id and the repo tags to remove, in order. */
export interface Removal { id: string; glanceImageIds: string[]; untag: string[] }

/** The images of this cloud's marks that nothing uses, and how to remove each. Pure. */
export function planCollection(input: CollectionInput): Removal[] {
  const out: Removal[] = [];
  for (const image of input.images) {
    const marks = image.tags.map((t) => ({ tag: t, mark: parseMark(t) }));
    const own = marks.filter((m) => m.mark?.cloudId === input.cloudId);
    if (own.length === 0) continue;
    const glanceImageIds = own.map((m) => m.mark!.glanceImageId);
    const used = [image.id, ...image.tags].some((r) => input.usedRefs.has(r)) || glanceImageIds.some((g) => input.usedGlance.has(g));
    if (used) continue;
    const foreign = marks.some((m) => m.mark !== null && m.mark.cloudId !== input.cloudId);
    const others = marks.filter((m) => m.mark === null).map((m) => m.tag);
    out.push({ id: image.id, glanceImageIds, untag: foreign ? own.map((m) => m.tag) : [...others, ...own.map((m) => m.tag)] });
  }
  return out;
}

export interface CollectContext {
  engine: Pick<DockerEngine, 'listImages' | 'list' | 'removeImage'>;
  cloudId: string;
  /** What the containers the server wants on this host are of (asked again before each removal). */
  wanted: () => { refs: Set<string>; glance: Set<string> };
  /** Image references being loaded right now. */
  loading: () => Set<string>;
  log: Logger;
}

/** Removes what planCollection allows; returns the ids of the images removed. */
export async function collectImages(ctx: CollectContext): Promise<string[]> {
  const [images, containers] = await Promise.all([ctx.engine.listImages(), ctx.engine.list({})]);
  const used = (): CollectionInput => {
    const wanted = ctx.wanted();
    const refs = new Set([...wanted.refs, ...ctx.loading(), ...containers.map((c) => c.image)]);
    return { cloudId: ctx.cloudId, images: [], usedRefs: refs, usedGlance: wanted.glance };
  };
  const plan = planCollection({ ...used(), images: images.map((i) => ({ id: i.id, tags: i.tags })) });
  const removed: string[] = [];
  for (const r of plan) {
    // The wanted containers may have changed while the engine was asked; decide this one again.
    const image = images.find((i) => i.id === r.id)!;
    if (planCollection({ ...used(), images: [{ id: image.id, tags: image.tags }] }).length === 0) continue;
    try {
      for (const tag of r.untag) await ctx.engine.removeImage(tag);
      removed.push(r.id);
      ctx.log.info({ imageId: r.id, glanceImages: r.glanceImageIds }, 'unused image removed from the engine');
    } catch (e) {
      ctx.log.info({ imageId: r.id, err: e instanceof Error ? e.message : String(e) }, 'unused image kept: the engine refused to remove it');
    }
  }
  return removed;
}
