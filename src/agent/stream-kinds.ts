/**
 * @module Streams other than interactive exec and attach: each kind opens an engine stream whose bytes
 * the agent relays to the server as they come (`stream-data`), ending with `stream-close`. A kind lives
 * in its own module; this table is how streams.ts finds it.
 */
import type { Duplex, Readable } from 'node:stream';
import type { DockerEngine } from '../engine/index.js';
import type { Logger } from '../core/log.js';
import type { StreamKind } from './protocol.js';
import { openLogs } from './stream-logs.js';
import { openStats } from './stream-stats.js';
import { openBuild } from './stream-build.js';

export interface OpenedStream {
  /** Relayed as is: its bytes go to the server unchanged; input from the server is written to it when it is a Duplex. */
  stream: Readable | Duplex;
  /** Called once the stream ended: the exit code to report with `stream-close`, if any. */
  exitCode?: () => Promise<number | undefined>;
}

export interface OpenContext {
  engine: DockerEngine;
  /** The Berth container (uuid) the stream is about; the engine container is engineName(uuid). Empty for a build. */
  uuid: string;
  params: Record<string, unknown>;
  log: Logger;
  /** Aborted when the server closes the stream or the channel drops. */
  signal: AbortSignal;
  /** The agent's own server access (a build downloads its context and uploads its image with it). */
  server?: AgentServerAccess;
}

export interface AgentServerAccess {
  url: string;
  /** The host credential; never logged. */
  credential: string;
  /** The cloud the agent serves, once welcomed. */
  cloudId: () => string | null;
  /** Told when an engine image was marked as a Glance image's copy. */
  onMarked?: () => void;
}

export type Opener = (ctx: OpenContext) => Promise<OpenedStream>;

export const extraKinds: Partial<Record<StreamKind, Opener>> = {
  logs: openLogs,
  stats: openStats,
  build: openBuild,
};
