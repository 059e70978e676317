/**
 * @module Docker's container create body in Berth's words: the spec, the claim, the placement and the
 * policy rules the caller must pass. Pure. What lets a tenant reach the host (host paths, devices, added
 * capabilities, the host's namespaces, unconfined security profiles) is refused here with Docker-worded
 * messages; what Berth cannot honour yet (volumes, user networks) is refused as not supported.
 */
import { Type, type Static } from '@sinclair/typebox';
import { BerthError } from '../core/errors.js';
import type { ContainerSpec } from '../agent/protocol.js';
import type { PlacementRequest } from '../scheduler/index.js';
import { checkResources } from '../http/container/parse.js';

const Str = Type.Union([Type.String(), Type.Null()]);
const StrList = Type.Union([Type.Array(Type.String()), Type.Null()]);
const Words = Type.Union([Type.String(), Type.Array(Type.String()), Type.Null()]);
const Int = Type.Union([Type.Integer(), Type.Null()]);
const Bool = Type.Union([Type.Boolean(), Type.Null()]);
const Binding = Type.Object({ HostIp: Type.Optional(Str), HostPort: Type.Optional(Str) });

/** The fields of Docker's ContainerCreateRequest that Berth reads; any other field is accepted and ignored. */
export const DockerCreateBody = Type.Object({
  Image: Type.Optional(Str), Cmd: Type.Optional(Words), Entrypoint: Type.Optional(Words), Env: Type.Optional(StrList),
  WorkingDir: Type.Optional(Str), User: Type.Optional(Str), Hostname: Type.Optional(Str),
  Labels: Type.Optional(Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()])),
  Tty: Type.Optional(Bool), OpenStdin: Type.Optional(Bool), AttachStdin: Type.Optional(Bool),
  AttachStdout: Type.Optional(Bool), AttachStderr: Type.Optional(Bool), StdinOnce: Type.Optional(Bool),
  ExposedPorts: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Object({})), Type.Null()])),
  Volumes: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Object({})), Type.Null()])),
  StopTimeout: Type.Optional(Int),
  Healthcheck: Type.Optional(Type.Union([Type.Object({
    Test: Type.Optional(StrList), Interval: Type.Optional(Int), Timeout: Type.Optional(Int), Retries: Type.Optional(Int),
  }), Type.Null()])),
  HostConfig: Type.Optional(Type.Union([Type.Object({
    Memory: Type.Optional(Int), NanoCpus: Type.Optional(Int), CpuShares: Type.Optional(Int), CpuQuota: Type.Optional(Int), CpuPeriod: Type.Optional(Int),
    RestartPolicy: Type.Optional(Type.Union([Type.Object({ Name: Type.Optional(Str), MaximumRetryCount: Type.Optional(Int) }), Type.Null()])),
    AutoRemove: Type.Optional(Bool), Privileged: Type.Optional(Bool), PublishAllPorts: Type.Optional(Bool),
    PortBindings: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Union([Type.Array(Binding), Type.Null()])), Type.Null()])),
    Binds: Type.Optional(StrList), VolumesFrom: Type.Optional(StrList),
    Mounts: Type.Optional(Type.Union([Type.Array(Type.Object({ Type: Type.Optional(Str), Source: Type.Optional(Str), Target: Type.Optional(Str) })), Type.Null()])),
    CapAdd: Type.Optional(StrList), CapDrop: Type.Optional(StrList), SecurityOpt: Type.Optional(StrList),
    Devices: Type.Optional(Type.Union([Type.Array(Type.Object({})), Type.Null()])),
    DeviceRequests: Type.Optional(Type.Union([Type.Array(Type.Object({})), Type.Null()])),
    NetworkMode: Type.Optional(Str), PidMode: Type.Optional(Str), IpcMode: Type.Optional(Str), UsernsMode: Type.Optional(Str),
    UTSMode: Type.Optional(Str), CgroupnsMode: Type.Optional(Str), CgroupParent: Type.Optional(Str), Runtime: Type.Optional(Str),
    Sysctls: Type.Optional(Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()])),
  }), Type.Null()])),
});
export type DockerCreateBody = Static<typeof DockerCreateBody>;

/** A create as the container core takes it, plus what the front door still has to check or resolve. */
export interface DockerCreatePlan {
  image: string;
  cpu: number;
  memoryMb: number;
  spec: ContainerSpec;
  placement: PlacementRequest;
  /** Container names (or ids) the new one must share a host with, or avoid (Swarm's affinity hints). */
  affinity: { same: string[]; different: string[] };
  /** Policy rules the caller must pass (container:create:privileged, ...). */
  needs: string[];
  extra: Record<string, unknown>;
  warnings: string[];
}

export const NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const NS = 1_000_000_000;
const MiB = 1024 * 1024;

const forbidden = (what: string) => new BerthError('forbidden', `${what} is not allowed in this cloud: containers may not reach their host.`);
const unsupported = (what: string) => new BerthError('bad_request', `${what} is not supported by this cloud yet.`);

/** The container name Docker would store, without its leading slash; 400 when Docker would refuse it. */
export function containerName(name: string): string {
  if (!NAME.test(name)) throw new BerthError('bad_request', `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  return name.replace(/^\//, '');
}

const words = (v: string | string[] | null | undefined) => (v == null ? undefined : typeof v === 'string' ? [v] : v);
const nonEmpty = <T>(v: T[] | null | undefined): v is T[] => Array.isArray(v) && v.length > 0;

/** Swarm's scheduling hints, given as environment entries, in Berth's placement terms. */
export function parseHints(entries: string[]): { host?: string; labels: Record<string, string>; same: string[]; different: string[] } {
  const out = { host: undefined as string | undefined, labels: {} as Record<string, string>, same: [] as string[], different: [] as string[] };
  for (const e of entries) {
    const m = /^(constraint|affinity):([A-Za-z0-9_.\-/]+)(==|!=)(.+)$/.exec(e);
    const bad = () => new BerthError('bad_request', `Unsupported scheduling hint "${e}": Berth supports constraint:node==HOST, constraint:LABEL==VALUE, affinity:container==NAME and affinity:container!=NAME.`);
    if (!m) throw bad();
    const [, kind, key, op, value] = m;
    if (value.startsWith('~') || value.startsWith('/')) throw bad();
    if (kind === 'constraint' && op === '==' && key === 'node') out.host = value;
    else if (kind === 'constraint' && op === '==') out.labels[key] = value;
    else if (kind === 'affinity' && key === 'container') (op === '==' ? out.same : out.different).push(value);
    else throw bad();
  }
  return out;
}

/** Environment entries `K=V` (a bare `K` unsets K, so it is left out) and the scheduling hints among them. */
export function splitEnv(env: string[]): { env: Record<string, string>; hints: string[] } {
  const out: Record<string, string> = {};
  const hints: string[] = [];
  for (const e of env) {
    if (/^(constraint|affinity):/.test(e)) {
      hints.push(e);
      continue;
    }
    const eq = e.indexOf('=');
    const key = eq < 0 ? e : e.slice(0, eq);
    if (key === '' || key.includes('\0')) throw new BerthError('bad_request', `Invalid environment variable: ${e}`);
    if (eq >= 0) out[key] = e.slice(eq + 1);
  }
  return { env: out, hints };
}

/** Refuses what would let the container reach its host, and what Berth does not do yet. */
function refuseEscapes(h: NonNullable<DockerCreateBody['HostConfig']>, volumes: string[]): void {
  for (const b of h.Binds ?? []) {
    const source = b.split(':')[0];
    if (source.startsWith('/')) throw forbidden(`Mounting the host path ${source} (-v ${b})`);
    throw unsupported(`The named volume ${source} (-v ${b}): volumes`);
  }
  for (const m of h.Mounts ?? []) {
    if (m.Type === 'bind') throw forbidden(`Mounting the host path ${m.Source ?? ''} (--mount type=bind)`);
    throw unsupported(`A mount of type ${m.Type ?? 'volume'} (--mount): mounts`);
  }
  if (volumes.length > 0) throw unsupported(`The anonymous volume ${volumes[0]}: volumes`);
  if (nonEmpty(h.VolumesFrom)) throw unsupported('--volumes-from');
  if (nonEmpty(h.Devices)) throw forbidden('Giving a container host devices (--device)');
  if (nonEmpty(h.DeviceRequests)) throw forbidden('Giving a container host devices (--gpus)');
  if (nonEmpty(h.CapAdd)) throw forbidden(`Adding capabilities (--cap-add ${h.CapAdd.join(',')})`);
  if (nonEmpty(h.CapDrop)) throw unsupported('Dropping capabilities (--cap-drop)');
  const net = h.NetworkMode ?? '';
  if (net === 'host' || net.startsWith('container:')) throw forbidden(`Network mode ${net}`);
  if (!['', 'default', 'bridge'].includes(net)) throw unsupported(`Network mode ${net}: networks other than the default`);
  for (const [flag, mode] of [['--pid', h.PidMode], ['--ipc', h.IpcMode], ['--userns', h.UsernsMode], ['--uts', h.UTSMode], ['--cgroupns', h.CgroupnsMode]] as const) {
    if (mode === 'host' || mode?.startsWith('container:')) throw forbidden(`Sharing the ${mode === 'host' ? 'host' : 'other container'}'s namespace (${flag}=${mode})`);
  }
  if (h.CgroupParent) throw forbidden(`Choosing the cgroup parent (--cgroup-parent ${h.CgroupParent})`);
  for (const o of h.SecurityOpt ?? []) {
    if (/unconfined|^label[=:]disable$/.test(o)) throw forbidden(`The security option ${o}`);
    throw unsupported(`The security option ${o}`);
  }
  if (h.Sysctls && Object.keys(h.Sysctls).length > 0) throw unsupported('Sysctls (--sysctl)');
}

/** CPUs from NanoCpus or CpuQuota/CpuPeriod; undefined when neither limits them (Docker's "no limit"). */
function cpusOf(h: NonNullable<DockerCreateBody['HostConfig']>): number | undefined {
  if (h.NanoCpus && (h.CpuQuota || h.CpuPeriod)) throw new BerthError('bad_request', 'Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (h.NanoCpus) return h.NanoCpus / NS;
  if (h.CpuQuota && h.CpuQuota > 0) return h.CpuQuota / (h.CpuPeriod || 100_000);
  return undefined;
}

/**
 * Translates a create body. `defaults` stand for Docker's "no limit" (Berth always claims cpu and memory
 * on a host). The image is kept as typed; the front door decides the image driver.
 */
export function translateCreate(b: DockerCreateBody, defaults: { cpu: number; memoryMb: number }): DockerCreatePlan {
  const image = b.Image?.trim();
  if (!image) throw new BerthError('bad_request', 'No image was specified: the create body needs an Image.');
  const h = b.HostConfig ?? {};
  refuseEscapes(h, Object.keys(b.Volumes ?? {}));
  const needs: string[] = [];
  const warnings: string[] = [];
  if (h.Privileged) needs.push('container:create:privileged');
  if (h.Runtime && h.Runtime !== 'runc') needs.push('container:create:runtime');

  const cpu = cpusOf(h) ?? defaults.cpu;
  const memoryMb = h.Memory ? Math.ceil(h.Memory / MiB) : defaults.memoryMb;
  if (h.Memory && h.Memory < 6 * MiB) throw new BerthError('bad_request', 'Minimum memory limit allowed is 6MB');
  checkResources(cpu, memoryMb);

  const labels = b.Labels ?? {};
  for (const key of Object.keys(labels))
    if (key.startsWith('berth.') && key !== 'berth.priority')
      throw new BerthError('bad_request', `Label ${key} is reserved: labels starting with "berth." belong to the cloud (except berth.priority).`);
  const { env, hints: hintEntries } = splitEnv(b.Env ?? []);
  const hints = parseHints(hintEntries);
  if (hints.host) needs.push('container:create:requested_destination');

  const restartName = h.RestartPolicy?.Name || 'no';
  if (!['no', 'always', 'on-failure', 'unless-stopped'].includes(restartName)) throw new BerthError('bad_request', `invalid restart policy: ${restartName}`);
  if (h.AutoRemove && restartName !== 'no') throw new BerthError('bad_request', 'conflicting options: cannot specify both --restart and --rm');

  const exposed: Record<string, Record<string, never>> = {};
  const portKey = (k: string) => {
    const m = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/i.exec(k);
    if (!m || Number(m[1]) < 1 || Number(m[1]) > 65535) throw new BerthError('bad_request', `invalid port specification: "${k}"`);
    return `${Number(m[1])}/${(m[2] ?? 'tcp').toLowerCase()}`;
  };
  for (const k of Object.keys(b.ExposedPorts ?? {})) exposed[portKey(k)] = {};
  for (const [k, binds] of Object.entries(h.PortBindings ?? {})) {
    exposed[portKey(k)] = {};
    for (const bind of binds ?? [])
      if (bind.HostPort || (bind.HostIp && bind.HostIp !== '127.0.0.1'))
        warnings.push(`Port ${k} is published on 127.0.0.1 with a host port the engine chooses; ${bind.HostIp || '0.0.0.0'}:${bind.HostPort || ''} was not kept.`);
  }

  const hc = b.Healthcheck;
  const secs = (ns: number | null | undefined) => (ns ? ns / NS : undefined);
  const spec: ContainerSpec = {
    image,
    command: words(b.Cmd),
    entrypoint: words(b.Entrypoint),
    env: Object.keys(env).length ? env : undefined,
    workdir: b.WorkingDir || undefined,
    user: b.User || undefined,
    labels: Object.keys(labels).length ? labels : undefined,
    cpu,
    memoryMb,
    hostname: b.Hostname || undefined,
    tty: b.Tty ?? undefined,
    interactive: b.OpenStdin ?? undefined,
    stdinOnce: (b.OpenStdin && b.StdinOnce) || undefined,
    restartPolicy: restartName === 'no' ? undefined : { name: restartName as 'always', maximumRetryCount: h.RestartPolicy?.MaximumRetryCount ?? 0 },
    autoRemove: h.AutoRemove || undefined,
    privileged: h.Privileged || undefined,
    exposedPorts: Object.keys(exposed).length ? exposed : undefined,
    healthcheck: nonEmpty(hc?.Test) ? { test: hc.Test, interval: secs(hc.Interval), timeout: secs(hc.Timeout), retries: hc.Retries ?? undefined } : undefined,
    stopTimeout: b.StopTimeout ?? undefined,
  };
  for (const k of Object.keys(spec) as (keyof ContainerSpec)[]) if (spec[k] === undefined) delete spec[k];
  const placement: PlacementRequest = {
    cpu, memoryMb, diskGb: 0,
    runtime: h.Runtime || undefined,
    labels: Object.keys(hints.labels).length ? hints.labels : undefined,
    hints: hints.host ? { host: hints.host } : undefined,
  };
  const extra: Record<string, unknown> = {
    front_door: 'docker', privileged: h.Privileged ?? false, runtime: h.Runtime || 'runc',
    cpu_limited: cpusOf(h) !== undefined, memory_limited: Boolean(h.Memory), cpu_shares: h.CpuShares ?? 0,
    port_bindings: h.PortBindings ?? {}, attach: { stdin: b.AttachStdin ?? false, stdout: b.AttachStdout ?? false, stderr: b.AttachStderr ?? false, stdinOnce: b.StdinOnce ?? false },
  };
  return { image, cpu, memoryMb, spec, placement, affinity: { same: hints.same, different: hints.different }, needs, extra, warnings };
}
