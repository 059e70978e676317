/**
 * @module What the two container resource types share: containers are made, changed and removed through
 * the container core, labelled with the stack and resource, found again by their intended name after a
 * crash, and complete once Running.
 */
import { BerthError, isBerthError } from '../../core/errors.js';
import type { NewContainer } from '../../container/core.js';
import type { ObservedStatus } from '../../agent/protocol.js';
import type { ContainerRow } from '../../store/schema.js';
import { ResourceFailure, type Made, type ResourceEnv, type ResourceInput } from './types.js';

export const LABEL_STACK = 'berth.stack-id';
export const LABEL_RESOURCE = 'berth.stack-resource';

/** The labels every container of a stack carries. */
export const stackLabels = (env: ResourceEnv, r: ResourceInput): Record<string, string> =>
  ({ [LABEL_STACK]: env.stack.id, [LABEL_RESOURCE]: r.name });

function labelsOf(c: ContainerRow): Record<string, string> {
  return (JSON.parse(c.spec) as { labels?: Record<string, string> }).labels ?? {};
}

const belongs = (env: ResourceEnv, c: ContainerRow, r: { name: string }) =>
  labelsOf(c)[LABEL_STACK] === env.stack.id && labelsOf(c)[LABEL_RESOURCE] === r.name;

async function findByName(env: ResourceEnv, name: string): Promise<ContainerRow | undefined> {
  try {
    return await env.core.find(env.who, name);
  } catch (e) {
    if (isBerthError(e) && (e.code === 'not_found' || e.code === 'conflict')) return undefined;
    throw e;
  }
}

/** The container this resource made before a crash, if any. */
export async function adoptContainer(env: ResourceEnv, r: ResourceInput): Promise<Made | null> {
  const c = await findByName(env, r.intended);
  return c && belongs(env, c, r) ? { physicalId: c.uuid } : null;
}

export async function createContainer(env: ResourceEnv, n: NewContainer): Promise<Made> {
  try {
    const c = await env.core.create(env.who, n);
    if (c.status === 'Error') throw new ResourceFailure(c.status_reason ?? `Container ${n.name} could not be placed.`);
    return { physicalId: c.uuid };
  } catch (e) {
    if (isBerthError(e) && e.status < 500) throw new ResourceFailure(e.message);
    throw e;
  }
}

/** Waits for Running; Error (or a container that vanished) fails the resource with the container's reason. */
export async function containerReady(env: ResourceEnv, uuid: string, describe: (c: ContainerRow) => Record<string, unknown>): Promise<Record<string, unknown>> {
  const c = await env.settled(uuid, (x) => ['Running', 'Error', 'Stopped'].includes(x.status));
  if (!c) throw new ResourceFailure(`Container ${uuid} was deleted before it was running.`);
  if (c.status === 'Error') throw new ResourceFailure(`Container ${c.name} went to Error: ${c.status_reason ?? 'no reason given'}`);
  return describe(c);
}

/** Deletes the container (by id, else by intended name when it carries this stack's labels) and waits until it is gone. */
export async function removeContainer(env: ResourceEnv, physicalId: string | null, r: { name: string; intended: string | null }): Promise<void> {
  let c = physicalId ? await env.container(physicalId) : undefined;
  if (c && c.project_id !== env.stack.projectId) c = undefined;
  if (!c && r.intended) {
    const found = await findByName(env, r.intended);
    if (found && belongs(env, found, r)) c = found;
  }
  if (!c) return;
  if (c.status !== 'Deleting') {
    try {
      await env.core.remove(env.who, c.uuid, 'delete_force');
    } catch (e) {
      if (isBerthError(e) && e.code === 'not_found') return;
      if (isBerthError(e) && e.status < 500) throw new ResourceFailure(e.message);
      throw e;
    }
  }
  const left = await env.settled(c.uuid, () => false);
  if (left) throw new BerthError('busy', `Container ${c.name} is still being deleted.`);
}

/** Network name → IP addresses, as Zun's `addresses` attribute has them. */
export function addressesOf(c: ContainerRow): Record<string, { addr: string; version: number }[]> {
  const observed = JSON.parse(c.observed || '{}') as ObservedStatus['observed'];
  const out: Record<string, { addr: string; version: number }[]> = {};
  for (const a of observed.addresses ?? []) (out[a.network] ??= []).push({ addr: a.ip, version: a.ip.includes(':') ? 6 : 4 });
  return out;
}

/** Restart policy as Zun and Heat write it ("no", "always", "on-failure:3", "unless-stopped"). */
export function parseRestartPolicy(v: unknown): NewContainer['spec']['restartPolicy'] {
  if (typeof v !== 'string' || v === '') return undefined;
  const [name, count] = v.split(':');
  if (!['no', 'always', 'on-failure', 'unless-stopped'].includes(name) || (count !== undefined && !/^\d+$/.test(count)))
    throw new ResourceFailure(`Invalid restart_policy "${v}": one of no, always, on-failure[:N], unless-stopped.`);
  return { name: name as 'no', maximumRetryCount: count === undefined ? 0 : Number(count) };
}
