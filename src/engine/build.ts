/**
 * @module
 * The engine's classic build (`POST /build`): a tar context in, the engine's JSON-lines output out, as
 * the engine writes it. An error the engine answers before any output (an unreadable context, a missing
 * Dockerfile) is an EngineError; errors during the build are the engine's own error lines in the output.
 */
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { DockerEngine } from './docker.js';
import { call } from './errors.js';

export interface EngineBuild {
  /** The tag the engine gives the result (`repo:tag`); none leaves it untagged. */
  tag?: string;
  dockerfile: string;
  buildargs?: Record<string, string>;
  labels?: Record<string, string>;
  nocache?: boolean;
  pull?: boolean;
  rm?: boolean;
  forcerm?: boolean;
  q?: boolean;
  target?: string;
  networkmode?: string;
  extrahosts?: string;
  memory?: number;
  memswap?: number;
  cpushares?: number;
  cpuperiod?: number;
  cpuquota?: number;
  shmsize?: number;
}

/** Starts a build of `context` (a tar archive, possibly compressed); resolves with the engine's output stream. */
export async function buildImage(engine: DockerEngine, context: Readable, b: EngineBuild, signal?: AbortSignal): Promise<Readable> {
  const { tag, ...rest } = b;
  const query: Record<string, unknown> = { version: '1', ...(tag ? { t: tag } : {}) };
  for (const [k, v] of Object.entries(rest)) {
    if (v === undefined) continue;
    // The engine reads booleans as 1/0 and string maps as JSON (dockerode encodes objects itself).
    query[k] = typeof v === 'boolean' ? (v ? '1' : '0') : v;
  }
  if (signal) query.abortSignal = signal;
  const out = await call(engine.api.buildImage(context, query as Docker.ImageBuildOptions));
  return out as Readable;
}
