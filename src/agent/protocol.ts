/**
 * The channel between the server and a host's agent: one WebSocket at /agent/v1/connect that the agent
 * dials (so hosts behind NAT work), JSON text frames, each message one of the types below. The server
 * sends desired state and calls; the agent sends what it observes and answers calls. The in-process
 * agent of `berth server` uses the same channel over loopback.
 */

export const AGENT_PATH = '/agent/v1/connect';
/**
 * Where an agent downloads a Glance image's data (`docker save` tarball) with its host credential (GET),
 * and uploads a committed container's data (PUT, with an upload token too: see upload-token.ts).
 */
export const imageFilePath = (imageId: string) => `/agent/v1/images/${encodeURIComponent(imageId)}/file`;
export const PROTOCOL_VERSION = 1;

/** Docker labels Berth puts on everything it creates. */
export const LABEL_CLOUD = 'berth.cloud';
export const LABEL_UUID = 'berth.container-uuid';
export const LABEL_PROJECT = 'berth.project';
export const LABEL_NAME = 'berth.name';
export const LABEL_HOST = 'berth.host';

/** What the database wants for one container on this host. */
export interface DesiredContainer {
  uuid: string;
  name: string;
  projectId: string;
  /** 'running' | 'stopped' | 'paused' | 'deleted' — what the engine should show. */
  desired: 'running' | 'stopped' | 'paused' | 'deleted';
  /** Bumped on every change of spec or desired state. */
  generation: number;
  /** Bumped on every reboot request: the agent restarts when it is above what it last applied. */
  restartGeneration: number;
  /** Set when the engine container was already created (its id), so a missing one is noticed. */
  engineId: string | null;
  /**
   * The generation the agent last reported as applied. The agent acts on `desired` only when
   * `generation` is above it (and above what it applied itself since): a container that exits on its own
   * or is stopped out of band is observed, not restarted.
   */
  appliedGeneration: number;
  /** The restart generation last applied (reported back in status updates). */
  appliedRestartGeneration: number;
  spec: ContainerSpec;
}

/** What to run, in Berth's own words (the engine adapter maps it to Docker). */
export interface ContainerSpec {
  /** What the engine knows the image by (for a Glance image: its id `sha256:…` once loaded). */
  image: string;
  /** The Glance image `image` comes from: the agent loads its data from the server when the engine lacks it. */
  glanceImageId?: string;
  command?: string[];
  entrypoint?: string[];
  env?: Record<string, string>;
  workdir?: string;
  labels?: Record<string, string>;
  cpu: number;
  memoryMb: number;
  hostname?: string;
  /** The user the process runs as (`user`, `user:group`, `uid:gid`). */
  user?: string;
  tty?: boolean;
  interactive?: boolean;
  /** Closes the process's stdin when the first attached client closes its input (`docker run -i`). */
  stdinOnce?: boolean;
  restartPolicy?: { name: 'no' | 'always' | 'on-failure' | 'unless-stopped'; maximumRetryCount?: number };
  autoRemove?: boolean;
  /** Granted only when policy allows container:create:privileged. */
  privileged?: boolean;
  exposedPorts?: Record<string, Record<string, never>>;
  healthcheck?: { test: string[]; interval?: number; timeout?: number; retries?: number };
  /** Seconds Docker waits after SIGTERM on stop/reboot. */
  stopTimeout?: number;
}

/** What the agent saw for one container. */
export interface ObservedStatus {
  uuid: string;
  /** The generation the agent had applied when it observed this. */
  generation: number;
  restartGeneration: number;
  status: string;            // Zun status: Creating, Created, Running, Stopped, Paused, Restarting, Error, Deleted...
  statusReason: string | null;
  statusDetail: string | null;
  engineId: string | null;
  /** The engine refused the spec's new limits (a live resize): why, and the limits it kept. */
  limitsRefused?: { reason: string; cpu: number; memoryMb: number };
  observed: {
    exitCode?: number;
    startedAt?: string;
    finishedAt?: string;
    ports?: { containerPort: number; protocol: string; hostIp: string; hostPort: number }[];
    addresses?: { network: string; ip: string }[];
    health?: string;
  };
}

export interface HostInfo {
  name: string;
  cpus: number;
  memoryMb: number;
  diskGb: number;
  maxContainers: number;
  runtimes: string[];
  engineVersion: string;
  os: string;
  labels: Record<string, string>;
  zone?: string;
}

/** One image the engine holds: its id, its repo tags, and the Glance image it was loaded from when known. */
export interface HostImage {
  id: string;
  tags: string[];
  size: number;
  glanceImageId?: string;
}

/**
 * What a stream relays: an interactive exec or attach, or the output of a follow-mode call (logs -f,
 * streaming stats, an image build; see stream-kinds.ts).
 */
export const STREAM_KINDS = ['exec', 'attach', 'logs', 'stats', 'build'] as const;
export type StreamKind = (typeof STREAM_KINDS)[number];

/** Server → agent. */
export type ServerMessage =
  | { type: 'welcome'; hostId: string; cloudId: string; protocol: number }
  /** `full`: this is every container of the host; anything labelled and not listed is to be removed. */
  | { type: 'desired'; full: boolean; containers: DesiredContainer[] }
  | { type: 'call'; id: string; method: CallMethod; uuid: string; params: Record<string, unknown> }
  | { type: 'stream-open'; sid: string; kind: StreamKind; uuid: string; params: Record<string, unknown> }
  | { type: 'stream-data'; sid: string; data: string /* base64 */ }
  | { type: 'stream-resize'; sid: string; width: number; height: number }
  | { type: 'stream-close'; sid: string };

export type CallMethod =
  | 'exec' | 'logs' | 'top' | 'stats' | 'get_archive' | 'put_archive' | 'commit' | 'kill' | 'resize' | 'exec_resize'
  /**
   * `commit` with `glanceImageId` and `uploadToken` commits the container and uploads the image's
   * `docker save` archive as that Glance image's data (image-commit.ts); without them, `docker commit` only.
   * About the host's images, not a container (`uuid` names the image): see image-calls.ts.
   */
  | 'image_load' | 'image_remove';

/** Agent → server. */
export type AgentMessage =
  | { type: 'hello'; protocol: number; host: HostInfo }
  | { type: 'heartbeat' }
  | { type: 'status'; updates: ObservedStatus[] }
  /** `full`: every image the engine holds (the server forgets the others); else images just loaded. */
  | { type: 'images'; full: boolean; images: HostImage[] }
  | { type: 'result'; id: string; ok: true; value: unknown }
  | { type: 'result'; id: string; ok: false; error: { status: number; message: string } }
  | { type: 'stream-data'; sid: string; data: string /* base64 */ }
  /** `error`: why the stream could not open or broke (a follow-mode stream's reason to show the client). */
  | { type: 'stream-close'; sid: string; exitCode?: number; error?: { status: number; message: string } };

export const HEARTBEAT_SECONDS = 5;
/** A host whose last heartbeat is older than this is down. */
export const DOWN_AFTER_SECONDS = 20;
