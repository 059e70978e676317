/**
 * @module
 * Pure translations between Berth's engine vocabulary and Docker's JSON shapes. No I/O here, so the
 * mapping rules (limits, port publishing, the `none` network fallback) are tested without an engine.
 */
import type Docker from 'dockerode';
import type {
  EngineAddress,
  EngineContainerSpec,
  EngineEvent,
  EngineImage,
  EnginePort,
  EngineState,
  EngineStatus,
  EngineSummary,
} from './types.js';

const NS_PER_SECOND = 1_000_000_000;
const MiB = 1024 * 1024;
/** Docker reports "never" as Go's zero time. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

export interface CreateContext {
  /** Whether the engine has its default `bridge` network (absent when started with `--bridge none`). */
  bridge: boolean;
}

/**
 * Without a bridge the container goes on `none`, and ports are not published: Docker rejects port
 * bindings on the `none` network, and nothing could reach them anyway.
 */
export function toCreateOptions(spec: EngineContainerSpec, ctx: CreateContext): Docker.ContainerCreateOptions {
  const interactive = spec.interactive ?? false;
  const publish = (spec.publishPorts ?? false) && ctx.bridge;
  const hostConfig: Docker.HostConfig = {
    NetworkMode: ctx.bridge ? 'bridge' : 'none',
    AutoRemove: spec.autoRemove ?? false,
    Privileged: spec.privileged ?? false,
  };
  if (spec.cpu !== undefined) hostConfig.NanoCpus = Math.round(spec.cpu * NS_PER_SECOND);
  if (spec.memoryMb !== undefined) hostConfig.Memory = Math.round(spec.memoryMb * MiB);
  if (spec.restartPolicy) {
    hostConfig.RestartPolicy = {
      Name: spec.restartPolicy.name === 'no' ? '' : spec.restartPolicy.name,
      MaximumRetryCount: spec.restartPolicy.maximumRetryCount ?? 0,
    };
  }
  if (publish && spec.exposedPorts) {
    hostConfig.PortBindings = Object.fromEntries(
      Object.keys(spec.exposedPorts).map((port) => [port, [{ HostIp: '127.0.0.1', HostPort: '' }]]),
    );
  }

  const options: Docker.ContainerCreateOptions = {
    name: spec.name,
    Image: spec.image,
    Labels: { ...spec.labels },
    Tty: spec.tty ?? false,
    OpenStdin: interactive,
    StdinOnce: interactive && spec.stdinOnce === true,
    AttachStdin: interactive,
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: hostConfig,
  };
  if (spec.command) options.Cmd = spec.command;
  if (spec.entrypoint) options.Entrypoint = spec.entrypoint;
  if (spec.env) options.Env = Object.entries(spec.env).map(([k, v]) => `${k}=${v}`);
  if (spec.workdir) options.WorkingDir = spec.workdir;
  if (spec.hostname) options.Hostname = spec.hostname;
  if (spec.user) options.User = spec.user;
  if (spec.exposedPorts) options.ExposedPorts = { ...spec.exposedPorts };
  if (spec.healthcheck) {
    const h = spec.healthcheck;
    options.Healthcheck = { Test: h.test };
    if (h.interval !== undefined) options.Healthcheck.Interval = h.interval * NS_PER_SECOND;
    if (h.timeout !== undefined) options.Healthcheck.Timeout = h.timeout * NS_PER_SECOND;
    if (h.retries !== undefined) options.Healthcheck.Retries = h.retries;
  }
  return options;
}

export function toEngineState(raw: Docker.ContainerInspectInfo): EngineState {
  const s = raw.State;
  const state: EngineState = {
    id: raw.Id,
    name: raw.Name.replace(/^\//, ''),
    labels: raw.Config.Labels ?? {},
    status: s.Status as EngineStatus,
    running: s.Running,
    paused: s.Paused,
    restarting: s.Restarting,
    exitCode: s.ExitCode,
    error: s.Error ?? '',
    startedAt: timeOrNull(s.StartedAt),
    finishedAt: timeOrNull(s.FinishedAt),
    oomKilled: s.OOMKilled,
    ports: inspectPorts(raw),
    addresses: addressesOf(raw.NetworkSettings?.Networks),
    image: raw.Config.Image,
    command: raw.Config.Cmd ?? [],
    tty: raw.Config.Tty ?? false,
    env: Object.fromEntries((raw.Config.Env ?? []).map(splitEnv)),
    cpu: raw.HostConfig.NanoCpus ? raw.HostConfig.NanoCpus / NS_PER_SECOND : null,
    memoryMb: raw.HostConfig.Memory ? raw.HostConfig.Memory / MiB : null,
  };
  if (s.Health?.Status) state.health = s.Health.Status;
  return state;
}

export function toSummary(raw: Docker.ContainerInfo): EngineSummary {
  return {
    id: raw.Id,
    name: (raw.Names[0] ?? '').replace(/^\//, ''),
    labels: raw.Labels ?? {},
    status: raw.State as EngineStatus,
    statusText: raw.Status,
    image: raw.Image,
    command: raw.Command,
    createdAt: new Date(raw.Created * 1000).toISOString(),
    ports: (raw.Ports ?? []).map((p) => ({
      containerPort: p.PrivatePort,
      protocol: p.Type,
      hostIp: p.IP ?? null,
      hostPort: p.PublicPort ?? null,
    })),
    addresses: addressesOf(raw.NetworkSettings?.Networks),
  };
}

export function toEngineImage(raw: Docker.ImageInspectInfo): EngineImage {
  const c = raw.Config ?? ({} as Docker.ImageInspectInfo['Config']);
  const entrypoint = c.Entrypoint as string | string[] | null | undefined;
  return {
    id: raw.Id,
    tags: raw.RepoTags ?? [],
    sizeBytes: raw.Size,
    createdAt: raw.Created,
    os: raw.Os,
    architecture: raw.Architecture,
    command: c.Cmd ?? [],
    entrypoint: typeof entrypoint === 'string' ? [entrypoint] : (entrypoint ?? []),
    env: c.Env ?? [],
    workdir: c.WorkingDir ?? '',
    exposedPorts: Object.keys(c.ExposedPorts ?? {}),
  };
}

const STATUS_AFTER: Record<string, EngineStatus> = {
  create: 'created',
  start: 'running',
  restart: 'running',
  unpause: 'running',
  pause: 'paused',
  die: 'exited',
  stop: 'exited',
};

/**
 * `raw` is the event's JSON line: timeNano is taken from the text because JSON numbers lose its last
 * digits. Returns null for anything that is not a container event.
 */
export function toEngineEvent(value: unknown, raw: string): EngineEvent | null {
  const e = value as { Type?: string; Action?: string; status?: string; id?: string; Actor?: { ID?: string; Attributes?: Record<string, string> } };
  if (!e || typeof e !== 'object' || e.Type !== 'container') return null;
  const id = e.Actor?.ID ?? e.id;
  const action = e.Action ?? e.status;
  if (!id || !action) return null;
  const event: EngineEvent = {
    id,
    action,
    labels: { ...(e.Actor?.Attributes ?? {}) },
    timeNano: /"timeNano":\s*(\d+)/.exec(raw)?.[1] ?? '0',
  };
  const status = STATUS_AFTER[action];
  if (status) event.status = status;
  return event;
}

function inspectPorts(raw: Docker.ContainerInspectInfo): EnginePort[] {
  const bound = (raw.NetworkSettings?.Ports ?? {}) as Record<string, { HostIp: string; HostPort: string }[] | null>;
  const keys = new Set([...Object.keys(raw.Config.ExposedPorts ?? {}), ...Object.keys(bound)]);
  const ports: EnginePort[] = [];
  for (const key of keys) {
    const [port, protocol = 'tcp'] = key.split('/');
    const containerPort = Number(port);
    const bindings = bound[key];
    if (!bindings || bindings.length === 0) {
      ports.push({ containerPort, protocol, hostIp: null, hostPort: null });
      continue;
    }
    for (const b of bindings) {
      ports.push({ containerPort, protocol, hostIp: b.HostIp || null, hostPort: b.HostPort ? Number(b.HostPort) : null });
    }
  }
  return ports;
}

function addressesOf(networks: Record<string, { IPAddress?: string }> | undefined): EngineAddress[] {
  return Object.entries(networks ?? {})
    .filter(([, n]) => n?.IPAddress)
    .map(([network, n]) => ({ network, ip: n.IPAddress as string }));
}

function splitEnv(entry: string): [string, string] {
  const eq = entry.indexOf('=');
  return eq === -1 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
}

function timeOrNull(t: string | undefined): string | null {
  return !t || t === ZERO_TIME ? null : t;
}
