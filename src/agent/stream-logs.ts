import { BerthError } from '../core/errors.js';
import { openLogStream } from '../engine/log-stream.js';
import { engineName } from './engine-spec.js';
import type { OpenContext, OpenedStream } from './stream-kinds.js';

/**
 * A container's logs straight from its engine (follow or not): the engine's bytes are relayed unchanged,
 * multiplexed frames for a container without a TTY, raw output for one with a TTY.
 */
export async function openLogs(ctx: OpenContext): Promise<OpenedStream> {
  const state = await ctx.engine.inspect(engineName(ctx.uuid));
  if (!state) throw new BerthError('conflict', `Container ${ctx.uuid} has no engine container yet.`);
  const p = ctx.params;
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const stream = await openLogStream(ctx.engine.api, state.id, {
    stdout: p.stdout !== false,
    stderr: p.stderr !== false,
    follow: p.follow === true,
    timestamps: p.timestamps === true,
    tail: text(p.tail) ?? 'all',
    since: text(p.since),
    until: text(p.until),
  }, ctx.signal);
  return { stream };
}
