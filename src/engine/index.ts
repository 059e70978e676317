/**
 * @module
 * The Docker engine adapter: what the agent (and the Docker-compatible endpoint) may use.
 */
export { DockerEngine } from './docker.js';
export type { DockerEngineOptions, LogOptions } from './docker.js';
export { EngineError, isNotFound } from './errors.js';
export type { WatchOptions } from './events.js';
export { demuxFrames, FrameDecoder } from './frames.js';
export type { Demuxed, Frame } from './frames.js';
export { summarizeStats } from './stats.js';
export { renameTopEntry } from './tar.js';
export type {
  EngineAddress,
  EngineContainerSpec,
  EngineEvent,
  EngineImage,
  EngineImageSummary,
  EngineInfo,
  EnginePort,
  EngineRestartPolicy,
  EngineState,
  EngineStatsSummary,
  EngineStatus,
  EngineSummary,
} from './types.js';
