/**
 * @module
 * Follows the engine's container event stream so the agent sees status changes within a second instead
 * of at the next resync.
 */
import type Docker from 'dockerode';
import { setTimeout as sleep } from 'node:timers/promises';
import { toEngineEvent } from './convert.js';
import { toEngineError } from './errors.js';
import { JsonLineSplitter } from './json-lines.js';
import type { EngineEvent } from './types.js';

export interface WatchOptions {
  /** Told about each lost connection (and each throwing onEvent); the watch itself keeps going. */
  onError?: (e: unknown) => void;
}

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/**
 * Runs until `signal` aborts. After a lost connection it reconnects with exponential backoff and asks
 * Docker to replay from the last event seen (`since`), so a short outage loses nothing; an engine
 * restart empties Docker's replay buffer, which the agent's periodic resync covers.
 * Invariant: each event is delivered at most once, in the engine's order.
 */
export async function followEvents(
  docker: Docker,
  labels: Record<string, string>,
  onEvent: (e: EngineEvent) => void,
  signal: AbortSignal,
  options: WatchOptions = {},
): Promise<void> {
  let lastNano = -1n;
  let seenAtLast = new Set<string>();
  let delay = FIRST_RETRY_MS;

  const deliver = (value: unknown, raw: string) => {
    const event = toEngineEvent(value, raw);
    if (!event) return;
    const nano = BigInt(event.timeNano);
    // NOTE: `since` is inclusive and replays the last instant again; drop what was already delivered.
    if (nano < lastNano || (nano === lastNano && seenAtLast.has(raw))) return;
    if (nano > lastNano) seenAtLast = new Set();
    lastNano = nano;
    seenAtLast.add(raw);
    try {
      onEvent(event);
    } catch (e) {
      options.onError?.(e);
    }
  };

  while (!signal.aborted) {
    try {
      const query: Record<string, unknown> = {
        filters: { type: ['container'], label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) },
        abortSignal: signal,
      };
      // NOTE: Docker takes `since` as a string with nanoseconds; dockerode's type only knows numbers.
      if (lastNano >= 0n) query.since = sinceParam(lastNano);
      const stream = await docker.getEvents(query as Docker.GetEventsOptions);
      delay = FIRST_RETRY_MS;
      await consume(stream, deliver, signal);
      if (!signal.aborted) throw new Error('engine closed the event stream');
    } catch (e) {
      if (signal.aborted) break;
      options.onError?.(toEngineError(e));
      try {
        await sleep(delay, undefined, { signal });
      } catch {
        break;
      }
      delay = Math.min(delay * 2, MAX_RETRY_MS);
    }
  }
}

function consume(
  stream: NodeJS.ReadableStream,
  deliver: (value: unknown, raw: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const readable = stream as NodeJS.ReadableStream & { destroy?: () => void };
  const splitter = new JsonLineSplitter();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      readable.destroy?.();
      resolve();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const finish = (err?: Error) => {
      signal.removeEventListener('abort', onAbort);
      if (err && !signal.aborted) reject(err);
      else resolve();
    };
    readable.on('data', (chunk: Buffer) => {
      for (const { value, raw } of splitter.push(chunk)) deliver(value, raw);
    });
    readable.on('error', finish);
    readable.on('end', () => finish());
    readable.on('close', () => finish());
  });
}

/** Docker takes `seconds.nanoseconds`. */
function sinceParam(nano: bigint): string {
  const billion = 1_000_000_000n;
  return `${nano / billion}.${(nano % billion).toString().padStart(9, '0')}`;
}
