/**
 * @module Berth's container rows in Docker's words: the state, the status line of `docker ps`, the
 * list summary and the inspect document. Pure: the caller passes the host's name and the time.
 */
import { dockerId } from './ids.js';
import type { ContainerRow } from '../store/schema.js';
import type { ContainerSpec, ObservedStatus } from '../agent/protocol.js';

export type DockerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

type StoredSpec = ContainerSpec & { extra?: Record<string, unknown> };
type Observed = ObservedStatus['observed'];
type Row = Pick<ContainerRow, 'uuid' | 'name' | 'image' | 'status' | 'status_reason' | 'engine_id' | 'spec' | 'observed' | 'created_at' | 'cpu' | 'memory_mb' | 'restart_generation'>;

const ZERO_TIME = '0001-01-01T00:00:00Z';
const NS = 1_000_000_000;
const MiB = 1024 * 1024;

/** A Berth status as Docker's state. An Error container the engine holds has exited; one it never held is dead. */
export function dockerState(row: Pick<ContainerRow, 'status' | 'engine_id'>): DockerState {
  switch (row.status) {
    case 'Creating': case 'Created': return 'created';
    case 'Running': return 'running';
    case 'Paused': return 'paused';
    case 'Restarting': return 'restarting';
    case 'Stopped': return 'exited';
    case 'Deleting': return 'removing';
    case 'Error': return row.engine_id ? 'exited' : 'dead';
    default: return 'dead';
  }
}

/** Docker's units.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.floor(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(ms / 3_600_000 / 24 / 365)} years`;
}

const since = (iso: string | undefined, now: number) => humanDuration(Math.max(0, now - (iso ? Date.parse(iso) : now)));

/** The exit code Docker would show: the engine's, or 128 for a container that failed without one. */
export function exitCodeOf(row: Pick<ContainerRow, 'status' | 'observed'>): number {
  const o = JSON.parse(row.observed || '{}') as Observed;
  if (typeof o.exitCode === 'number') return o.exitCode;
  return row.status === 'Error' ? 128 : 0;
}

/** The Status column of `docker ps`: "Up 3 seconds", "Exited (0) 2 seconds ago", "Created"... */
export function statusText(row: Row, now: number): string {
  const o = JSON.parse(row.observed || '{}') as Observed;
  const health = o.health && o.health !== 'none' ? ` (${o.health === 'starting' ? 'health: starting' : o.health})` : '';
  switch (dockerState(row)) {
    case 'running': return `Up ${since(o.startedAt ?? row.created_at, now)}${health}`;
    case 'paused': return `Up ${since(o.startedAt ?? row.created_at, now)} (Paused)`;
    case 'restarting': return `Restarting (${exitCodeOf(row)}) ${since(o.finishedAt, now)} ago`;
    case 'exited': return `Exited (${exitCodeOf(row)}) ${since(o.finishedAt ?? row.created_at, now)} ago`;
    case 'removing': return 'Removal In Progress';
    case 'dead': return 'Dead';
    default: return 'Created';
  }
}

const specOf = (row: Row) => JSON.parse(row.spec) as StoredSpec;
/** The image as the Docker client named it (a Glance image is stored under its Glance name). */
const imageOf = (row: Row, s: StoredSpec) => (typeof s.extra?.docker_image === 'string' ? s.extra.docker_image : row.image);
const observedOf = (row: Row) => JSON.parse(row.observed || '{}') as Observed;
const commandOf = (s: StoredSpec) => [...(s.entrypoint ?? []), ...(s.command ?? [])];

function portsMap(s: StoredSpec, o: Observed): Record<string, { HostIp: string; HostPort: string }[] | null> {
  const out: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  for (const k of Object.keys(s.exposedPorts ?? {})) out[k] = null;
  for (const p of o.ports ?? []) {
    const key = `${p.containerPort}/${p.protocol}`;
    if (p.hostPort) (out[key] ??= []).push({ HostIp: p.hostIp, HostPort: String(p.hostPort) });
    else out[key] ??= null;
  }
  return out;
}

function hostConfig(row: Row, s: StoredSpec) {
  const extra = s.extra ?? {};
  return {
    NetworkMode: 'bridge',
    Memory: row.memory_mb * MiB,
    NanoCpus: Math.round(row.cpu * NS),
    CpuShares: Number(extra.cpu_shares ?? 0),
    RestartPolicy: { Name: s.restartPolicy?.name ?? 'no', MaximumRetryCount: s.restartPolicy?.maximumRetryCount ?? 0 },
    AutoRemove: s.autoRemove ?? false,
    Privileged: s.privileged ?? false,
    PortBindings: extra.port_bindings ?? {},
    Binds: null, Mounts: [], CapAdd: null, Devices: [], SecurityOpt: null,
    PidMode: '', IpcMode: 'private', UsernsMode: '', Runtime: typeof extra.runtime === 'string' ? extra.runtime : 'runc',
  };
}

/** One entry of GET /containers/json. Labels are the tenant's own (berth.* stay out). */
export function renderSummary(row: Row, now: number, size: boolean) {
  const s = specOf(row);
  const o = observedOf(row);
  const labels = Object.fromEntries(Object.entries(s.labels ?? {}).filter(([k]) => !k.startsWith('berth.') || k === 'berth.priority'));
  const out: Record<string, unknown> = {
    Id: dockerId(row.uuid),
    Names: [`/${row.name}`],
    Image: imageOf(row, s),
    ImageID: s.image.startsWith('sha256:') ? s.image : '',
    Command: commandOf(s).join(' '),
    Created: Math.floor(Date.parse(row.created_at) / 1000),
    Ports: (o.ports ?? []).map((p) => (p.hostPort ? { IP: p.hostIp, PrivatePort: p.containerPort, PublicPort: p.hostPort, Type: p.protocol } : { PrivatePort: p.containerPort, Type: p.protocol })),
    Labels: labels,
    State: dockerState(row),
    Status: statusText(row, now),
    HostConfig: { NetworkMode: 'bridge' },
    NetworkSettings: { Networks: networks(o) },
    Mounts: [],
  };
  if (size) Object.assign(out, { SizeRw: 0, SizeRootFs: 0 });
  return out;
}

function networks(o: Observed) {
  const out: Record<string, { IPAddress: string; Gateway: string; MacAddress: string; NetworkID: string; EndpointID: string; IPPrefixLen: number }> = {};
  for (const a of o.addresses ?? []) out[a.network] = { IPAddress: a.ip, Gateway: '', MacAddress: '', NetworkID: '', EndpointID: '', IPPrefixLen: 0 };
  return out;
}

/** GET /containers/{id}/json. The host the container runs on is shown as the label berth.host. */
export function renderInspect(row: Row, host: string | null) {
  const s = specOf(row);
  const o = observedOf(row);
  const state = dockerState(row);
  const cmd = commandOf(s);
  const attach = (s.extra?.attach ?? {}) as { stdin?: boolean; stdout?: boolean; stderr?: boolean; stdinOnce?: boolean };
  const labels = { ...(s.labels ?? {}), ...(host ? { 'berth.host': host } : {}) };
  const ip = o.addresses?.[0]?.ip ?? '';
  return {
    Id: dockerId(row.uuid),
    Created: row.created_at,
    Path: cmd[0] ?? '',
    Args: cmd.slice(1),
    State: {
      Status: state,
      Running: state === 'running' || state === 'paused' || state === 'restarting',
      Paused: state === 'paused',
      Restarting: state === 'restarting',
      OOMKilled: false,
      Dead: state === 'dead',
      Pid: 0,
      ExitCode: state === 'exited' || state === 'dead' ? exitCodeOf(row) : 0,
      Error: row.status === 'Error' ? row.status_reason ?? '' : '',
      StartedAt: o.startedAt ?? ZERO_TIME,
      FinishedAt: o.finishedAt ?? ZERO_TIME,
      ...(o.health ? { Health: { Status: o.health, FailingStreak: 0, Log: [] } } : {}),
    },
    Image: s.image.startsWith('sha256:') ? s.image : row.image,
    Name: `/${row.name}`,
    RestartCount: row.restart_generation,
    Driver: 'overlay2',
    Platform: 'linux',
    HostConfig: hostConfig(row, s),
    Mounts: [],
    Config: {
      Hostname: s.hostname ?? row.uuid.replace(/-/g, '').slice(0, 12),
      Domainname: '',
      User: s.user ?? '',
      AttachStdin: attach.stdin ?? false,
      AttachStdout: attach.stdout ?? false,
      AttachStderr: attach.stderr ?? false,
      ExposedPorts: s.exposedPorts ?? undefined,
      Tty: s.tty ?? false,
      OpenStdin: s.interactive ?? false,
      StdinOnce: attach.stdinOnce ?? false,
      Env: Object.entries(s.env ?? {}).map(([k, v]) => `${k}=${v}`),
      Cmd: s.command ?? null,
      Healthcheck: s.healthcheck
        ? { Test: s.healthcheck.test, Interval: (s.healthcheck.interval ?? 0) * NS, Timeout: (s.healthcheck.timeout ?? 0) * NS, Retries: s.healthcheck.retries ?? 0 }
        : undefined,
      Image: imageOf(row, s),
      WorkingDir: s.workdir ?? '',
      Entrypoint: s.entrypoint ?? null,
      Labels: labels,
      StopTimeout: s.stopTimeout,
    },
    NetworkSettings: { Ports: portsMap(s, o), IPAddress: ip, Gateway: '', MacAddress: '', Networks: networks(o) },
  };
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';
type WaitRow = Pick<ContainerRow, 'status' | 'engine_id' | 'observed' | 'generation' | 'observed_generation' | 'desired' | 'task_state'>;

const finishedAt = (r: WaitRow) => (JSON.parse(r.observed || '{}') as Observed).finishedAt;
const ended = (r: WaitRow) => ['exited', 'dead'].includes(dockerState(r));

/**
 * Whether `docker wait` is over for a container first seen as `start` and now as `now` (a removed one
 * ends every wait). next-exit waits for an exit after the wait began: the engine's finish time moved, or
 * an action taken since (a start, a stop) was applied and left the container exited — so a wait on a
 * created container, which `docker run` sends before its start, does not end before the run does.
 */
export function waitOver(condition: WaitCondition, start: WaitRow, now: WaitRow): boolean {
  if (condition === 'removed') return false;
  const settled = now.observed_generation >= now.generation && now.status !== 'Creating';
  if (condition === 'not-running') return settled && (ended(now) || dockerState(now) === 'created');
  return ended(now) && ((now.generation > start.generation && settled) || finishedAt(now) !== finishedAt(start));
}
