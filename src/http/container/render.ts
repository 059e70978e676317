import type { FastifyRequest } from 'fastify';
import type { ContainerRow, HostRow } from '../../store/schema.js';
import type { ContainerSpec, ObservedStatus } from '../../agent/protocol.js';
import { baseUrl } from '../server.js';
import { atLeast } from './microversion.js';

const micro = (iso: string | null) => (iso ? iso.replace('Z', '').replace(/\.(\d{3})$/, '.$1000') : null);

type StoredSpec = ContainerSpec & { extra?: Record<string, unknown> };

/** Zun's container view at the request's microversion; `hostNames` maps host ids for admins. */
export function renderContainer(req: FastifyRequest, row: ContainerRow, host: string | null | undefined, showHost: boolean) {
  const spec = JSON.parse(row.spec) as StoredSpec;
  const extra = spec.extra ?? {};
  const observed = JSON.parse(row.observed || '{}') as ObservedStatus['observed'];
  const base = `${baseUrl(req)}/container`;
  const addresses: Record<string, unknown[]> = {};
  for (const a of observed.addresses ?? []) {
    (addresses[a.network] ??= []).push({ addr: a.ip, version: a.ip.includes(':') ? 6 : 4, port: null, subnet_id: null, preserve_on_delete: false });
  }
  const out: Record<string, unknown> = {
    uuid: row.uuid,
    name: row.name,
    image: row.image,
    image_driver: row.image_driver,
    image_pull_policy: extra.image_pull_policy ?? null,
    command: atLeast(req, '1.20') ? spec.command ?? [] : (spec.command ?? []).join(' '),
    cpu: row.cpu,
    memory: String(row.memory_mb),
    disk: row.disk_gb,
    workdir: spec.workdir ?? null,
    environment: spec.env ?? {},
    labels: spec.labels ?? {},
    restart_policy: spec.restartPolicy ? { Name: spec.restartPolicy.name, MaximumRetryCount: String(spec.restartPolicy.maximumRetryCount ?? 0) } : { Name: 'no', MaximumRetryCount: '0' },
    interactive: spec.interactive ?? false,
    security_groups: [],
    ports: (observed.ports ?? []).map((p) => ({ port: p.containerPort, protocol: p.protocol, host_ip: p.hostIp, host_port: p.hostPort })),
    addresses,
    status: row.status,
    status_reason: row.status_reason,
    // As Zun's "Exited(0) ...": a stopped container shows its exit status even when it is 0 (no reason then).
    status_detail: row.status_detail ?? (row.status === 'Stopped' && typeof observed.exitCode === 'number' ? `Exited(${observed.exitCode})` : null),
    task_state: row.task_state,
    project_id: row.project_id,
    user_id: row.user_id,
    created_at: micro(row.created_at),
    updated_at: micro(row.updated_at),
    links: [
      { href: `${base}/v1/containers/${row.uuid}`, rel: 'self' },
      { href: `${base}/containers/${row.uuid}`, rel: 'bookmark' },
    ],
  };
  if (showHost) out.host = host ?? null;
  if (atLeast(req, '1.3')) out.auto_remove = spec.autoRemove ?? false;
  if (atLeast(req, '1.5')) out.runtime = extra.runtime ?? 'runc';
  if (atLeast(req, '1.9')) out.hostname = spec.hostname ?? null;
  if (atLeast(req, '1.16')) out.auto_heal = extra.auto_heal ?? false;
  if (atLeast(req, '1.21')) out.privileged = extra.privileged ?? false;
  if (atLeast(req, '1.22'))
    out.healthcheck = spec.healthcheck
      ? { test: spec.healthcheck.test.slice(1).join(' '), interval: spec.healthcheck.interval ?? 0, retries: spec.healthcheck.retries ?? 0, timeout: spec.healthcheck.timeout ?? 0 }
      : {};
  if (atLeast(req, '1.28')) out.cpu_policy = extra.cpu_policy ?? 'shared';
  if (atLeast(req, '1.31')) out.registry_id = null;
  if (atLeast(req, '1.36')) out.tty = spec.tty ?? false;
  if (atLeast(req, '1.40')) out.entrypoint = spec.entrypoint ?? [];
  return out;
}

export function renderAction(req: FastifyRequest, a: { action: string; container_uuid: string; message: string | null; project_id: string; request_id: string; start_time: string; finish_time: string | null; user_id: string }) {
  const out: Record<string, unknown> = {
    action: a.action, container_uuid: a.container_uuid, message: a.message, project_id: a.project_id,
    request_id: a.request_id, start_time: micro(a.start_time), user_id: a.user_id,
  };
  if (atLeast(req, '1.33')) out.finish_time = micro(a.finish_time);
  return out;
}

export function renderHost(req: FastifyRequest, h: HostRow, used: { cpu: number; memoryMb: number; diskGb: number; n: number }) {
  const base = `${baseUrl(req)}/container`;
  return {
    uuid: h.id, hostname: h.name, mem_total: h.memory_mb, mem_used: used.memoryMb, total_containers: used.n,
    cpus: h.cpus, cpu_used: used.cpu, architecture: 'x86_64', os_type: 'linux', os: h.os, kernel_version: '',
    labels: JSON.parse(h.labels) as Record<string, string>, disk_total: h.disk_gb, disk_used: used.diskGb,
    disk_quota_supported: false, runtimes: JSON.parse(h.runtimes) as string[], enable_cpu_pinning: false,
    links: [{ href: `${base}/v1/hosts/${h.id}`, rel: 'self' }, { href: `${base}/hosts/${h.id}`, rel: 'bookmark' }],
  };
}
