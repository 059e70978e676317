import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ObservedStatus } from '../../agent/protocol.js';
import { serverStateOf } from '../../compute/status.js';
import type { ComputeServerRow, ContainerActionRow, ContainerRow } from '../../store/schema.js';
import { linksOf, novaTime } from './links.js';

/** A host as a server shows it: its name and availability zone. */
export interface HostInfo { name: string; zone: string }

type StoredSpec = { extra?: Record<string, unknown> };

/** The Glance image id a container runs (a server's, or a glance-driver container's); else what it was made from. */
export function imageIdOf(c: ContainerRow, s: ComputeServerRow | undefined): string {
  if (s) return s.image_id;
  const extra = (JSON.parse(c.spec) as StoredSpec).extra ?? {};
  return typeof extra.glance_image_id === 'string' ? extra.glance_image_id : c.image;
}

const PROGRESS_STATUSES = ['ACTIVE', 'BUILD', 'REBUILD', 'RESIZE', 'VERIFY_RESIZE'];

/** A server's Nova name: its own, or its container's for one made through another API. */
export const displayNameOf = (c: ContainerRow, s: ComputeServerRow | undefined): string => s?.display_name ?? c.name;

/** Nova's brief server: id, name, links. */
export function renderBrief(req: FastifyRequest, c: ContainerRow, s?: ComputeServerRow) {
  return { id: c.uuid, name: displayNameOf(c, s), links: linksOf(req, `servers/${c.uuid}`) };
}

/** Nova's server view (2.1) of a container and what the compute face keeps for it. */
export function renderServer(req: FastifyRequest, c: ContainerRow, s: ComputeServerRow | undefined, host: HostInfo | undefined, showHost: boolean) {
  const st = serverStateOf(c, s);
  const observed = JSON.parse(c.observed || '{}') as ObservedStatus['observed'];
  const addresses: Record<string, unknown[]> = {};
  for (const a of observed.addresses ?? []) {
    (addresses[a.network] ??= []).push({ version: a.ip.includes(':') ? 6 : 4, addr: a.ip, 'OS-EXT-IPS:type': 'fixed' });
  }
  const imageId = imageIdOf(c, s);
  const out: Record<string, unknown> = {
    ...renderBrief(req, c, s),
    status: st.status,
    tenant_id: c.project_id,
    user_id: c.user_id,
    metadata: s ? (JSON.parse(s.metadata) as Record<string, string>) : {},
    hostId: c.host_id && host ? createHash('sha224').update(c.project_id + host.name).digest('hex') : '',
    image: { id: imageId, links: linksOf(req, `images/${imageId}`).slice(1) },
    flavor: { id: s?.flavor_id ?? '', links: linksOf(req, `flavors/${s?.flavor_id ?? ''}`).slice(1) },
    created: novaTime(c.created_at),
    updated: novaTime(c.updated_at),
    addresses,
    accessIPv4: s?.access_ipv4 ?? '',
    accessIPv6: s?.access_ipv6 ?? '',
    key_name: s?.key_name ?? null,
    config_drive: '',
    security_groups: [{ name: 'default' }],
    'OS-DCF:diskConfig': 'MANUAL',
    'OS-EXT-AZ:availability_zone': host?.zone ?? '',
    'OS-EXT-STS:vm_state': st.vmState,
    'OS-EXT-STS:task_state': st.taskState,
    'OS-EXT-STS:power_state': st.powerState,
    'OS-SRV-USG:launched_at': c.status === 'Creating' || !c.engine_id ? null : novaTime(c.created_at)?.replace('Z', '.000000') ?? null,
    'OS-SRV-USG:terminated_at': null,
    'os-extended-volumes:volumes_attached': [],
  };
  // Nova shows progress only while a server is in one of its progress statuses.
  if (PROGRESS_STATUSES.includes(st.status)) out.progress = st.status === 'ACTIVE' || st.status === 'VERIFY_RESIZE' ? 100 : 0;
  if (st.status === 'ERROR') out.fault = { code: 500, created: novaTime(c.updated_at), message: c.status_reason ?? 'The container failed.' };
  if (showHost) {
    out['OS-EXT-SRV-ATTR:host'] = host?.name ?? null;
    out['OS-EXT-SRV-ATTR:hypervisor_hostname'] = host?.name ?? null;
    out['OS-EXT-SRV-ATTR:instance_name'] = `container-${c.uuid}`;
  }
  return out;
}

/** Nova's instance action, from the container's journal entry. */
export function renderInstanceAction(a: ContainerActionRow) {
  return {
    action: novaActionName(a.action), instance_uuid: a.container_uuid, message: a.message, project_id: a.project_id,
    request_id: a.request_id, start_time: novaTime(a.start_time), user_id: a.user_id,
  };
}

const actionNames: Record<string, string> = { run: 'create', create: 'create', delete: 'delete', rename: 'update', update: 'resize' };
const novaActionName = (a: string) => actionNames[a] ?? a;
