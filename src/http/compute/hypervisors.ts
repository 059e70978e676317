/**
 * @module Nova's os-hypervisors (admins): a hypervisor is a Berth host of type "docker", its sizes the
 * engine's capacity and its use the claims of the containers placed on it. Ids are integers, as Nova
 * has them at microversion 2.1 (see hypervisorId).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BerthError } from '../../core/errors.js';
import { hypervisorId, matchesHostname, parseHypervisorId, uptimeLine, versionNumber } from '../../compute/hypervisors.js';
import { isUp } from '../../container/host-view.js';
import * as repo from '../../store/container-repo.js';
import { agentConnectedAt } from '../../store/hypervisor-repo.js';
import type { ContainerRow, HostRow } from '../../store/schema.js';
import type { App } from '../app-type.js';
import { enforce } from '../auth.js';
import type { ComputeDeps } from './deps.js';

// One parameter name for every /os-hypervisors/:x route: an id, or a hostname pattern for search and servers.
const Id = Type.Object({ id: Type.String({ maxLength: 255 }) });
const Pattern = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });

const rule = (name: string) => `os_compute_api:os-hypervisors:${name}`;
const notFound = (id: string) => new BerthError('not_found', `Hypervisor with ID ${id} could not be found.`);
const noMatch = (pattern: string) => new BerthError('not_found', `No hypervisor matching '${pattern}' could be found.`);

function brief(h: HostRow, now: number) {
  return { id: hypervisorId(h.id), hypervisor_hostname: h.name, state: isUp(h, now) ? 'up' : 'down', status: h.enabled === 1 ? 'enabled' : 'disabled' };
}

function sizes(h: HostRow, containers: readonly ContainerRow[]) {
  const vcpusUsed = Math.ceil(Number(h.used_cpu) - 1e-9);
  const memoryUsed = Number(h.used_memory_mb);
  const diskUsed = Number(h.used_disk_gb);
  return {
    vcpus: h.cpus, vcpus_used: vcpusUsed, memory_mb: h.memory_mb, memory_mb_used: memoryUsed, local_gb: h.disk_gb, local_gb_used: diskUsed,
    free_ram_mb: h.memory_mb - memoryUsed, free_disk_gb: h.disk_gb - diskUsed, disk_available_least: h.disk_gb - diskUsed,
    running_vms: containers.length, current_workload: containers.filter((c) => c.task_state !== null).length,
  };
}

function detail(h: HostRow, containers: readonly ContainerRow[], now: number) {
  return {
    ...brief(h, now), ...sizes(h, containers),
    hypervisor_type: 'docker', hypervisor_version: versionNumber(h.engine_version), host_ip: null,
    cpu_info: JSON.stringify({ os: h.os, cpus: h.cpus }),
    service: { host: h.name, id: hypervisorId(h.id), disabled_reason: h.enabled === 1 ? null : h.disabled_reason },
  };
}

export function hypervisorRoutes(app: App, deps: ComputeDeps): void {
  const q = () => deps.db.kysely;
  /** Every host and the containers on it (not deleted). */
  const fleet = async () => {
    const [hosts, containers] = await Promise.all([repo.listHosts(q()), repo.listContainers(q(), { sortKey: 'created_at', sortDir: 'asc' })]);
    const on = new Map<string, ContainerRow[]>();
    for (const c of containers) if (c.host_id) on.set(c.host_id, [...(on.get(c.host_id) ?? []), c]);
    return hosts.map((h) => ({ h, containers: on.get(h.id) ?? [] }));
  };
  const one = async (text: string) => {
    const id = parseHypervisorId(text);
    const found = id === undefined ? undefined : (await fleet()).find((x) => hypervisorId(x.h.id) === id);
    if (!found) throw notFound(text);
    return found;
  };
  const matching = async (pattern: string) => {
    const found = (await fleet()).filter((x) => matchesHostname(x.h.name, pattern));
    if (found.length === 0) throw noMatch(pattern);
    return found;
  };

  app.get('/os-hypervisors', async (req: FastifyRequest) => {
    enforce(deps.policy, req, rule('list'));
    const now = Date.now();
    return { hypervisors: (await fleet()).map((x) => brief(x.h, now)) };
  });
  app.get('/os-hypervisors/detail', async (req: FastifyRequest) => {
    enforce(deps.policy, req, rule('list-detail'));
    const now = Date.now();
    return { hypervisors: (await fleet()).map((x) => detail(x.h, x.containers, now)) };
  });
  app.get('/os-hypervisors/statistics', async (req: FastifyRequest) => {
    enforce(deps.policy, req, rule('statistics'));
    const all = (await fleet()).map((x) => sizes(x.h, x.containers));
    const sum = (k: keyof ReturnType<typeof sizes>) => all.reduce((n, s) => n + s[k], 0);
    return {
      hypervisor_statistics: {
        count: all.length, vcpus: sum('vcpus'), vcpus_used: sum('vcpus_used'), memory_mb: sum('memory_mb'), memory_mb_used: sum('memory_mb_used'),
        local_gb: sum('local_gb'), local_gb_used: sum('local_gb_used'), free_ram_mb: sum('free_ram_mb'), free_disk_gb: sum('free_disk_gb'),
        disk_available_least: sum('disk_available_least'), running_vms: sum('running_vms'), current_workload: sum('current_workload'),
      },
    };
  });
  app.get('/os-hypervisors/:id', { schema: { params: Id } }, async (req) => {
    enforce(deps.policy, req, rule('show'));
    const x = await one(req.params.id);
    return { hypervisor: detail(x.h, x.containers, Date.now()) };
  });
  app.get('/os-hypervisors/:id/uptime', { schema: { params: Id } }, async (req) => {
    enforce(deps.policy, req, rule('uptime'));
    const { h } = await one(req.params.id);
    const now = new Date();
    if (!isUp(h, now.getTime())) throw new BerthError('bad_request', `Hypervisor ${hypervisorId(h.id)} (${h.name}) is not up.`);
    const since = (await agentConnectedAt(q(), h.id)) ?? h.created_at;
    return { hypervisor: { ...brief(h, now.getTime()), uptime: uptimeLine(now, new Date(since)) } };
  });
  app.get('/os-hypervisors/:id/search', { schema: { params: Pattern } }, async (req) => {
    enforce(deps.policy, req, rule('search'));
    const now = Date.now();
    return { hypervisors: (await matching(req.params.id)).map((x) => brief(x.h, now)) };
  });
  app.get('/os-hypervisors/:id/servers', { schema: { params: Pattern } }, async (req) => {
    enforce(deps.policy, req, rule('servers'));
    const now = Date.now();
    return {
      hypervisors: (await matching(req.params.id)).map((x) => ({
        ...brief(x.h, now),
        ...(x.containers.length ? { servers: x.containers.map((c) => ({ uuid: c.uuid, name: c.name })) } : {}),
      })),
    };
  });
}
