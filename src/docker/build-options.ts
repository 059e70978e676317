/**
 * @module The query of Docker's classic `POST /build` in Berth's words: the image names to store the
 * result under, and the engine options a tenant may set. Options that would reach past the tenant's own
 * build (the host's network, another container's network, a cgroup parent, pinned host CPUs, security
 * options) are refused with a 403; options Berth does not serve (remote contexts, BuildKit, squash) are a
 * 400. Pure.
 */
import { BerthError } from '../core/errors.js';
import { parseRef, type DockerRef } from './refs.js';

/** What the agent passes to the engine's build, under engine query names. */
export interface EngineBuildOptions {
  dockerfile: string;
  buildargs: Record<string, string>;
  labels: Record<string, string>;
  nocache: boolean;
  pull: boolean;
  rm: boolean;
  forcerm: boolean;
  q: boolean;
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

export interface BuildRequest {
  /** Where the result is stored: one Glance image per reference (none: the build is only reported). */
  tags: DockerRef[];
  options: EngineBuildOptions;
}

export type BuildQuery = Record<string, string | string[] | undefined>;

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
const all = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const bad = (message: string) => new BerthError('bad_request', message);
const denied = (message: string) => new BerthError('forbidden', message);

/** Docker's booleans in a query: 1/true/True are true; absent or empty is the default. */
function flag(q: BuildQuery, key: string, dflt: boolean): boolean {
  const v = first(q[key]);
  if (v === undefined || v === '') return dflt;
  if (/^(1|true)$/i.test(v)) return true;
  if (/^(0|false)$/i.test(v)) return false;
  throw bad(`Invalid value for ${key}: "${v}" is not a boolean.`);
}

/** A non-negative integer, or undefined for 0/absent (the engine's default). */
function amount(q: BuildQuery, key: string): number | undefined {
  const v = first(q[key]);
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d{1,18}$/.test(v)) throw bad(`Invalid value for ${key}: "${v}" is not an integer.`);
  const n = Number(v);
  if (n === -1 && key === 'memswap') return n;
  if (n < 0) throw bad(`Invalid value for ${key}: ${n} is negative.`);
  return n === 0 ? undefined : n;
}

/** A JSON object of strings (buildargs, labels); a null value (an unset build arg) is left out. */
function stringMap(q: BuildQuery, key: string): Record<string, string> {
  const v = first(q[key]);
  if (v === undefined || v === '' || v === 'null') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    throw bad(`Invalid ${key}: not a JSON object.`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw bad(`Invalid ${key}: not a JSON object.`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(parsed as Record<string, unknown>)) {
    if (val === null) continue;
    if (typeof val !== 'string') throw bad(`Invalid ${key}: the value of ${k} is not a string.`);
    out[k] = val;
  }
  return out;
}

/** Whether a list-valued option names nothing (absent, empty, `[]` or `null`). */
const noneOf = (v: string | undefined) => v === undefined || v === '' || v === '[]' || v === 'null';

/** Refusals of what a tenant's build may not touch. */
function refuseEscapes(q: BuildQuery): void {
  const net = first(q.networkmode) ?? '';
  if (net === 'host') throw denied('Builds may not use the host network (networkmode=host): a build runs on a shared compute host.');
  if (/^container:/.test(net)) throw denied('Builds may not join another container\'s network (networkmode=container:…).');
  if (!['', 'default', 'bridge', 'none'].includes(net)) throw bad(`Network mode "${net}" is not available to builds; use default or none.`);
  const isolation = first(q.isolation) ?? '';
  if (!['', 'default'].includes(isolation)) throw bad(`Isolation "${isolation}" is not supported; Berth builds use the engine's default isolation.`);
  if (!noneOf(first(q.securityopt))) throw denied('Builds may not set security options (--security-opt).');
  if ((first(q.cgroupparent) ?? '') !== '') throw denied('Builds may not choose a cgroup parent (--cgroup-parent).');
  if ((first(q.cpusetcpus) ?? '') !== '' || (first(q.cpusetmems) ?? '') !== '') throw denied('Builds may not pin host CPUs or memory nodes (--cpuset-cpus, --cpuset-mems).');
}

function refuseUnserved(q: BuildQuery): void {
  if ((first(q.remote) ?? '') !== '') throw bad('Remote build contexts (a URL or git repository) are not supported: send the context as a tar archive.');
  if ((first(q.version) ?? '1') === '2') throw bad('BuildKit builds are not supported: use the classic builder (DOCKER_BUILDKIT=0).');
  if (flag(q, 'squash', false)) throw bad('Squashed builds (--squash) are not supported.');
  if ((first(q.outputs) ?? '') !== '' && !noneOf(first(q.outputs))) throw bad('Build outputs (--output) are not supported by the classic builder.');
  const platform = first(q.platform) ?? '';
  if (platform !== '' && !/^linux(\/|$)/.test(platform)) throw bad(`Platform "${platform}" is not available: Berth hosts run linux.`);
}

/** Reads and checks the query of `POST /build`. */
export function parseBuildQuery(q: BuildQuery): BuildRequest {
  refuseUnserved(q);
  refuseEscapes(q);
  const tags: DockerRef[] = [];
  for (const t of all(q.t)) {
    if (t === '') continue;
    const ref = parseRef(t);
    if (!ref || ref.digest) throw bad(`invalid reference format: "${t}" is not a valid repository name and tag.`);
    if (!tags.some((x) => x.repo === ref.repo && x.tag === ref.tag)) tags.push(ref);
  }
  const dockerfile = first(q.dockerfile) || 'Dockerfile';
  if (dockerfile.length > 4096 || dockerfile.includes('\0')) throw bad('Invalid dockerfile path.');
  const target = first(q.target) || undefined;
  const net = first(q.networkmode) || undefined;
  const extrahosts = first(q.extrahosts) || undefined;
  const options: EngineBuildOptions = {
    dockerfile,
    buildargs: stringMap(q, 'buildargs'),
    labels: stringMap(q, 'labels'),
    nocache: flag(q, 'nocache', false),
    pull: flag(q, 'pull', false),
    rm: flag(q, 'rm', true),
    forcerm: flag(q, 'forcerm', false),
    q: flag(q, 'q', false),
    ...(target ? { target } : {}),
    ...(net && net !== 'default' ? { networkmode: net } : {}),
    ...(extrahosts ? { extrahosts } : {}),
  };
  for (const key of ['memory', 'memswap', 'cpushares', 'cpuperiod', 'cpuquota', 'shmsize'] as const) {
    const n = amount(q, key);
    if (n !== undefined) options[key] = n;
  }
  return { tags, options };
}
