/**
 * @module
 * Plain data exchanged with the Docker engine adapter. Nothing here refers to Berth's database rows:
 * the agent maps between the two, joined by the `berth.*` labels every engine object carries.
 */

export interface EngineContainerSpec {
  name: string;
  image: string;
  command?: string[];
  entrypoint?: string[];
  env?: Record<string, string>;
  workdir?: string;
  labels: Record<string, string>;
  /** Cores, fractional allowed. */
  cpu?: number;
  memoryMb?: number;
  hostname?: string;
  /** The user the process runs as. */
  user?: string;
  tty?: boolean;
  /** Keeps stdin open (OpenStdin, AttachStdin) so later attaches can write to it. */
  interactive?: boolean;
  /** Closes stdin once the first attached client closes its input. */
  stdinOnce?: boolean;
  restartPolicy?: EngineRestartPolicy;
  autoRemove?: boolean;
  /** Full access to the host's devices; only admins may ask for it (policy container:create:privileged). */
  privileged?: boolean;
  /** Keys like `80/tcp`. */
  exposedPorts?: Record<string, object>;
  /** Publishes every exposed port on 127.0.0.1 with an engine-chosen host port. */
  publishPorts?: boolean;
  /** Durations in seconds. */
  healthcheck?: { test: string[]; interval?: number; timeout?: number; retries?: number };
}

export interface EngineRestartPolicy {
  name: 'no' | 'always' | 'on-failure' | 'unless-stopped';
  maximumRetryCount?: number;
}

export type EngineStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface EnginePort {
  containerPort: number;
  protocol: string;
  /** null when the port is exposed but not published. */
  hostIp: string | null;
  hostPort: number | null;
}

export interface EngineAddress {
  network: string;
  ip: string;
}

export interface EngineState {
  id: string;
  name: string;
  labels: Record<string, string>;
  status: EngineStatus;
  running: boolean;
  paused: boolean;
  restarting: boolean;
  exitCode: number;
  error: string;
  /** ISO timestamps; null while Docker reports its zero time. */
  startedAt: string | null;
  finishedAt: string | null;
  oomKilled: boolean;
  health?: string;
  ports: EnginePort[];
  addresses: EngineAddress[];
  image: string;
  command: string[];
  tty: boolean;
  /** The container's environment, the image's variables included. */
  env: Record<string, string>;
  /** Limits as created; null when unlimited. */
  cpu: number | null;
  memoryMb: number | null;
}

/** What the container list endpoint gives without one inspect per container. */
export interface EngineSummary {
  id: string;
  name: string;
  labels: Record<string, string>;
  status: EngineStatus;
  /** Docker's human text, e.g. "Up 3 seconds". */
  statusText: string;
  image: string;
  command: string;
  createdAt: string;
  ports: EnginePort[];
  addresses: EngineAddress[];
}

export interface EngineInfo {
  name: string;
  version: string;
  cpus: number;
  memoryMb: number;
  /** Size of the filesystem holding the engine's data root; 0 when it cannot be read from here. */
  diskGb: number;
  runtimes: string[];
  os: string;
}

export interface EngineImage {
  id: string;
  tags: string[];
  sizeBytes: number;
  createdAt: string;
  os: string;
  architecture: string;
  command: string[];
  entrypoint: string[];
  env: string[];
  workdir: string;
  exposedPorts: string[];
}

/** One image of the engine's image list. */
export interface EngineImageSummary {
  id: string;
  /** Repo tags (`name:tag`), without Docker's `<none>:<none>` placeholder. */
  tags: string[];
  sizeBytes: number;
}

export interface EngineEvent {
  id: string;
  /** Docker's action verbatim: `start`, `die`, `health_status: healthy`, ... */
  action: string;
  /** The actor attributes: the container's labels plus Docker's `name`, `image`, `exitCode`, ... */
  labels: Record<string, string>;
  /** The status the action implies, when it implies one; a hint, inspect is the truth. */
  status?: EngineStatus;
  /** Nanoseconds since the epoch as a decimal string (exact; too large for a JSON number). */
  timeNano: string;
}

export interface EngineStatsSummary {
  'CPU %': number;
  'MEM USAGE(MiB)': number;
  'MEM LIMIT(MiB)': number;
  'MEM %': number;
  'BLOCK I/O(B)': string;
  'NET I/O(B)': string;
}
