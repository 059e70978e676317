import { BerthError } from '../core/errors.js';
import { openStatsStream } from '../engine/log-stream.js';
import { engineName } from './engine-spec.js';
import type { OpenContext, OpenedStream } from './stream-kinds.js';

/** A container's stats from its engine, relayed unchanged: one JSON document per line (about one a second while `stream`). */
export async function openStats(ctx: OpenContext): Promise<OpenedStream> {
  const state = await ctx.engine.inspect(engineName(ctx.uuid));
  if (!state) throw new BerthError('conflict', `Container ${ctx.uuid} has no engine container yet.`);
  const stream = await openStatsStream(ctx.engine.api, state.id, {
    stream: ctx.params.stream !== false,
    oneShot: ctx.params.one_shot === true,
  }, ctx.signal);
  return { stream };
}
