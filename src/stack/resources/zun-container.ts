/** @module OS::Zun::Container: a container of the container service, with Heat's properties and attributes. */
import { BerthError } from '../../core/errors.js';
import type { NewContainer } from '../../container/core.js';
import type { ContainerRow } from '../../store/schema.js';
import { checkResources, parseMemoryMb, splitCommand } from '../../http/container/parse.js';
import type { PropertySchema } from '../template/index.js';
import { addressesOf, adoptContainer, containerReady, createContainer, parseRestartPolicy, removeContainer, stackLabels } from './containers.js';
import { changedProperties, withDefaults, type ResourceEnv, type ResourceInput, type ResourceType } from './types.js';

const str = (description: string, extra: Partial<PropertySchema> = {}): PropertySchema => ({ type: 'string', description, ...extra });

export const zunContainerSchema = {
  properties: {
    name: str('Name of the container.', { updateAllowed: true }),
    image: str('Name or ID of the image.', { required: true }),
    command: str('Send command to the container.'),
    cpu: { type: 'number', description: 'The number of virtual cpus.', updateAllowed: true },
    memory: { type: 'integer', description: 'The container memory size in MiB.', updateAllowed: true },
    environment: { type: 'map', description: 'The environment variables.' },
    workdir: str('The working directory for commands to run in.'),
    labels: { type: 'map', description: 'Adds a map of labels to a container.' },
    image_pull_policy: str('The policy which determines if the image should be pulled prior to starting the container.', { allowedValues: ['ifnotpresent', 'always', 'never'] }),
    restart_policy: str('Restart policy: no, on-failure[:max-retry], always or unless-stopped.'),
    interactive: { type: 'boolean', description: 'Keep STDIN open even if not attached.', default: false },
    image_driver: str('The image driver to use to pull container image.', { allowedValues: ['docker', 'glance'] }),
    hints: { type: 'map', description: 'Arbitrary key-value pairs for the scheduler.' },
    hostname: str('The hostname of the container.'),
    security_groups: { type: 'list', description: 'List of security group names or IDs.' },
    mounts: { type: 'list', description: 'A list of volumes mounted inside the container.' },
    networks: { type: 'list', description: 'An ordered list of nics to be added to this container.' },
    runtime: str('The runtime of the container.'),
    entrypoint: str('The entrypoint which overwrites the default ENTRYPOINT of the image.'),
    tty: { type: 'boolean', description: 'Allocate a TTY.' },
  } satisfies Record<string, PropertySchema>,
  attributes: ['name', 'addresses', 'show'],
};

const UPDATABLE = ['name', 'cpu', 'memory'];
const DEFAULT_CPU = 1;
const DEFAULT_MEMORY_MB = 512;

const nonEmpty = (v: unknown) => Array.isArray(v) && v.length > 0;

function stringMap(v: unknown, what: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = typeof x === 'string' ? x : JSON.stringify(x);
  for (const k of Object.keys(out)) if (what === 'labels' && k.startsWith('berth.') && k !== 'berth.priority') throw new BerthError('bad_request', `Label ${k} is reserved: labels starting with "berth." belong to the cloud.`);
  return out;
}

/** The container core's request for this resource's properties. */
export function zunNewContainer(env: ResourceEnv, r: ResourceInput): NewContainer {
  const p = withDefaults(zunContainerSchema, r.props);
  const cpu = p.cpu == null ? DEFAULT_CPU : Number(p.cpu);
  const memoryMb = p.memory == null ? DEFAULT_MEMORY_MB : parseMemoryMb(p.memory as number);
  checkResources(cpu, memoryMb);
  const hints = (p.hints ?? {}) as Record<string, string>;
  const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);
  return {
    name: r.intended,
    image: String(p.image),
    imageDriver: typeof p.image_driver === 'string' ? p.image_driver : 'docker',
    cpu, memoryMb, diskGb: 0, run: true,
    spec: {
      image: String(p.image),
      command: typeof p.command === 'string' && p.command !== '' ? splitCommand(p.command) : undefined,
      entrypoint: typeof p.entrypoint === 'string' && p.entrypoint !== '' ? splitCommand(p.entrypoint) : undefined,
      env: stringMap(p.environment, 'environment'),
      workdir: typeof p.workdir === 'string' ? p.workdir : undefined,
      labels: { ...stringMap(p.labels, 'labels'), ...stackLabels(env, r) },
      cpu, memoryMb,
      hostname: typeof p.hostname === 'string' ? p.hostname : undefined,
      interactive: p.interactive === true,
      tty: p.tty === true ? true : undefined,
      restartPolicy: parseRestartPolicy(p.restart_policy),
    },
    placement: { cpu, memoryMb, diskGb: 0, runtime: typeof p.runtime === 'string' ? p.runtime : undefined, hints: { sameHost: list(hints.same_host), differentHost: list(hints.different_host) } },
    extra: { image_pull_policy: p.image_pull_policy ?? null, runtime: p.runtime ?? 'runc', privileged: false, cpu_policy: 'shared' },
  };
}

/** Zun's view of a container, for the `show` attribute. */
export function showContainer(c: ContainerRow): Record<string, unknown> {
  const spec = JSON.parse(c.spec) as { command?: string[]; env?: Record<string, string>; labels?: Record<string, string>; workdir?: string };
  return {
    uuid: c.uuid, name: c.name, image: c.image, image_driver: c.image_driver, command: spec.command ?? [], cpu: c.cpu,
    memory: String(c.memory_mb), environment: spec.env ?? {}, labels: spec.labels ?? {}, workdir: spec.workdir ?? null,
    status: c.status, status_reason: c.status_reason, addresses: addressesOf(c), created_at: c.created_at,
  };
}

const attributesOf = (c: ContainerRow) => ({ name: c.name, addresses: addressesOf(c), show: showContainer(c) });

export const zunContainer: ResourceType = {
  schema: zunContainerSchema,
  description: 'A container created through the container service (Zun).',
  check(props, who) {
    if (nonEmpty(props.mounts)) throw new BerthError('bad_request', 'OS::Zun::Container: mounts are not supported by this cloud yet.');
    if (nonEmpty(props.networks)) throw new BerthError('bad_request', 'OS::Zun::Container: networks are not supported by this cloud yet; containers use the host engine\'s default network.');
    if (nonEmpty(props.security_groups)) throw new BerthError('bad_request', 'OS::Zun::Container: security groups are not supported by this cloud yet.');
    if (typeof props.runtime === 'string' && props.runtime !== 'runc') who.authorize('container:create:runtime');
  },
  adopt: adoptContainer,
  create: (env, r) => createContainer(env, zunNewContainer(env, r)),
  ready: (env, id) => containerReady(env, id, attributesOf),
  async update(env, id, before, r) {
    const changed = changedProperties(withDefaults(zunContainerSchema, before), withDefaults(zunContainerSchema, r.props));
    if (changed.some((k) => !UPDATABLE.includes(k))) return false;
    const p = r.props;
    await env.core.update(env.who, id, {
      name: changed.includes('name') && typeof p.name === 'string' ? p.name : undefined,
      cpu: changed.includes('cpu') ? Number(p.cpu ?? DEFAULT_CPU) : undefined,
      memoryMb: changed.includes('memory') ? parseMemoryMb((p.memory ?? DEFAULT_MEMORY_MB) as number) : undefined,
    });
    const c = await env.container(id);
    return c ? attributesOf(c) : {};
  },
  remove: removeContainer,
  async attributes(env, id) {
    const c = await env.container(id);
    return c ? attributesOf(c) : {};
  },
};
