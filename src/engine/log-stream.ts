/**
 * @module
 * Live engine streams for the Docker endpoint: a container's logs and its stats, as the engine sends
 * them (logs: multiplexed frames, or raw bytes for a TTY; stats: one JSON document per line).
 */
import type Docker from 'dockerode';
import type { Readable } from 'node:stream';
import { toEngineError } from './errors.js';
import { defined } from './io.js';

export interface LogStreamOptions {
  stdout: boolean;
  stderr: boolean;
  follow: boolean;
  timestamps: boolean;
  /** A line count, or 'all'. */
  tail: string;
  /** Unix seconds (fractions allowed), as the engine takes them. */
  since?: string;
  until?: string;
}

/** The engine's log stream of container `id`, ending when the engine ends it (follow: when the container stops). */
export function openLogStream(api: Docker, id: string, o: LogStreamOptions, signal: AbortSignal): Promise<Readable> {
  return dial(api, `/containers/${encodeURIComponent(id)}/logs?`, defined({
    stdout: o.stdout, stderr: o.stderr, follow: o.follow, timestamps: o.timestamps, tail: o.tail, since: o.since, until: o.until,
  }), signal);
}

/** The engine's stats of container `id`: one document per second while `stream`, else a single one. */
export function openStatsStream(api: Docker, id: string, o: { stream: boolean; oneShot: boolean }, signal: AbortSignal): Promise<Readable> {
  const query = o.stream ? { stream: true } : { stream: false, 'one-shot': o.oneShot };
  return dial(api, `/containers/${encodeURIComponent(id)}/stats?`, query, signal);
}

function dial(api: Docker, path: string, options: Record<string, unknown>, signal: AbortSignal): Promise<Readable> {
  return new Promise((resolve, reject) => {
    api.modem.dial(
      { path, method: 'GET', options, isStream: true, statusCodes: { 200: true, 400: 'bad parameter', 404: 'no such container', 500: 'server error' } },
      (err, data) => {
        if (err) return reject(toEngineError(err));
        const stream = data as Readable;
        if (signal.aborted) stream.destroy();
        else signal.addEventListener('abort', () => stream.destroy(), { once: true });
        resolve(stream);
      },
    );
  });
}
