/**
 * @module DockerInc::Docker::Container, the Heat Docker plugin's resource, made through the container core
 * like every other container: `docker_endpoint` may only be absent or this cloud's own Docker endpoint,
 * so a tenant never points Berth at another engine, and `privileged` is admin-only.
 */
import { BerthError } from '../../core/errors.js';
import type { NewContainer } from '../../container/core.js';
import type { ContainerRow } from '../../store/schema.js';
import { checkResources } from '../../http/container/parse.js';
import { addressesOf, adoptContainer, containerReady, createContainer, removeContainer, stackLabels } from './containers.js';
import { ResourceFailure, withDefaults, type ResourceEnv, type ResourceInput, type ResourceType } from './types.js';
import { showContainer } from './zun-container.js';

export const dockerContainerSchema = {
  properties: {
    docker_endpoint: { type: 'string' as const, description: 'Docker daemon endpoint (by default this cloud\'s own).' },
    hostname: { type: 'string' as const, default: '', description: 'Hostname of the container.' },
    user: { type: 'string' as const, default: '', description: 'Username or UID.' },
    memory: { type: 'integer' as const, default: 0, description: 'Memory limit (Bytes).' },
    port_specs: { type: 'list' as const, description: 'TCP/UDP ports mapping.' },
    port_bindings: { type: 'map' as const, description: 'TCP/UDP ports bindings.' },
    privileged: { type: 'boolean' as const, default: false, description: 'Enable extended privileges.' },
    tty: { type: 'boolean' as const, default: false, description: 'Allocate a pseudo-tty.' },
    open_stdin: { type: 'boolean' as const, default: false, description: 'Open stdin.' },
    stdin_once: { type: 'boolean' as const, default: false, description: 'Close stdin after the first attached client disconnects.' },
    env: { type: 'list' as const, description: 'Set environment variables (KEY=VALUE).' },
    cmd: { type: 'list' as const, default: [], description: 'Command to run after spawning the container.' },
    dns: { type: 'list' as const, description: 'Set custom dns servers.' },
    image: { type: 'string' as const, required: true, description: 'Image name.' },
    links: { type: 'map' as const, description: 'Links to other containers.' },
    name: { type: 'string' as const, description: 'Name of the container.' },
    cpu_shares: { type: 'integer' as const, default: 0, description: 'Relative weight of CPU (1024 is one CPU).' },
    restart_policy: { type: 'map' as const, default: {}, description: 'Restart policy: {Name, MaximumRetryCount}.' },
    volumes: { type: 'map' as const, default: {}, description: 'Create a bind mount.' },
    volumes_from: { type: 'list' as const, default: '', description: 'Mount all specified volumes.' },
    cap_add: { type: 'list' as const, default: [], description: 'Kernel capabilities to add.' },
    cap_drop: { type: 'list' as const, default: [], description: 'Kernel capabilities to drop.' },
    read_only: { type: 'boolean' as const, default: false, description: 'Mount the container\'s root filesystem read-only.' },
    devices: { type: 'list' as const, default: [], description: 'Device mappings.' },
  },
  attributes: ['info', 'network_info', 'network_ip', 'network_gateway', 'network_tcp_ports', 'network_udp_ports', 'logs', 'logs_head', 'logs_tail'],
};

/** True when `endpoint` names this cloud's own Docker endpoint (tcp:// or http://, host and port as configured). */
export function isOwnEndpoint(endpoint: string, own: string[]): boolean {
  const norm = (u: string) => u.trim().replace(/\/+$/, '').replace(/^http:\/\//, 'tcp://').toLowerCase();
  return own.map(norm).includes(norm(endpoint));
}

const nonEmpty = (v: unknown) => (Array.isArray(v) ? v.length > 0 : v !== null && typeof v === 'object' ? Object.keys(v).length > 0 : Boolean(v));

const bytesToMb = (b: number) => Math.max(1, Math.ceil(b / (1024 * 1024)));

/** The container core's request for the plugin's properties. */
export function dockerNewContainer(env: ResourceEnv, r: ResourceInput): NewContainer {
  const p = withDefaults(dockerContainerSchema, r.props);
  const cpu = Number(p.cpu_shares) > 0 ? Math.round((Number(p.cpu_shares) / 1024) * 1000) / 1000 : 1;
  const memoryMb = Number(p.memory) > 0 ? bytesToMb(Number(p.memory)) : 512;
  checkResources(cpu, memoryMb);
  const envVars: Record<string, string> = {};
  for (const kv of (p.env ?? []) as unknown[]) {
    const text = String(kv);
    const at = text.indexOf('=');
    if (at <= 0) throw new ResourceFailure(`Invalid env entry "${text}": KEY=VALUE expected.`);
    envVars[text.slice(0, at)] = text.slice(at + 1);
  }
  const exposed: Record<string, Record<string, never>> = {};
  for (const spec of (p.port_specs ?? []) as unknown[]) {
    const [port, proto = 'tcp'] = String(spec).split('/');
    if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) throw new ResourceFailure(`Invalid port spec "${String(spec)}": ports are 1 to 65535.`);
    exposed[`${Number(port)}/${proto.toLowerCase()}`] = {};
  }
  const rp = p.restart_policy as { Name?: string; MaximumRetryCount?: number };
  const cmd = (p.cmd ?? []) as unknown[];
  return {
    name: r.intended,
    image: String(p.image),
    imageDriver: 'docker',
    cpu, memoryMb, diskGb: 0, run: true,
    spec: {
      image: String(p.image),
      command: cmd.length ? cmd.map(String) : undefined,
      env: Object.keys(envVars).length ? envVars : undefined,
      labels: stackLabels(env, r),
      cpu, memoryMb,
      hostname: typeof p.hostname === 'string' && p.hostname !== '' ? p.hostname : undefined,
      tty: p.tty === true ? true : undefined,
      interactive: p.open_stdin === true ? true : undefined,
      privileged: p.privileged === true ? true : undefined,
      restartPolicy: rp?.Name ? { name: rp.Name as 'no', maximumRetryCount: Number(rp.MaximumRetryCount ?? 0) } : undefined,
      exposedPorts: Object.keys(exposed).length ? exposed : undefined,
    },
    placement: { cpu, memoryMb, diskGb: 0 },
    extra: { privileged: p.privileged === true },
  };
}

function attributesOf(c: ContainerRow): Record<string, unknown> {
  const addresses = Object.values(addressesOf(c)).flat();
  const observed = JSON.parse(c.observed || '{}') as { ports?: { containerPort: number; protocol: string; hostPort?: number }[] };
  const ports = (proto: string) => (observed.ports ?? []).filter((x) => x.protocol === proto).map((x) => String(x.containerPort));
  return {
    info: showContainer(c),
    network_info: addressesOf(c),
    network_ip: addresses[0]?.addr ?? null,
    network_gateway: null,
    network_tcp_ports: ports('tcp').join(','),
    network_udp_ports: ports('udp').join(','),
    logs: '', logs_head: '', logs_tail: '',
  };
}

export const dockerContainer: ResourceType = {
  schema: dockerContainerSchema,
  description: 'A Docker container (the Heat Docker plugin), run on this cloud\'s engines.',
  check(props, who) {
    const endpoint = props.docker_endpoint;
    if (typeof endpoint === 'string' && endpoint !== '' && !isOwnEndpoint(endpoint, who.dockerEndpoints))
      throw new BerthError('bad_request', `DockerInc::Docker::Container: docker_endpoint ${endpoint} is not this cloud's Docker endpoint; leave it out to run the container on this cloud.`);
    if (props.privileged === true) who.authorize('container:create:privileged');
    for (const key of ['links', 'volumes', 'volumes_from', 'devices', 'cap_add', 'cap_drop', 'dns', 'port_bindings'] as const)
      if (nonEmpty(props[key])) throw new BerthError('bad_request', `DockerInc::Docker::Container: ${key} is not supported by this cloud.`);
    if (props.read_only === true) throw new BerthError('bad_request', 'DockerInc::Docker::Container: read_only is not supported by this cloud.');
    if (typeof props.user === 'string' && props.user !== '') throw new BerthError('bad_request', 'DockerInc::Docker::Container: user is not supported by this cloud.');
  },
  adopt: adoptContainer,
  create: (env, r) => createContainer(env, dockerNewContainer(env, r)),
  ready: (env, id) => containerReady(env, id, attributesOf),
  remove: removeContainer,
  async attributes(env, id) {
    const c = await env.container(id);
    return c ? attributesOf(c) : {};
  },
};
