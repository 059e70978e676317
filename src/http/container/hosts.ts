import type { App } from '../app-type.js';
import { Type, type Static } from '@sinclair/typebox';
import { BerthError } from '../../core/errors.js';
import { hashSecret, newId, newSecret } from '../../core/ids.js';
import type { HostRow } from '../../store/schema.js';
import * as repo from '../../store/container-repo.js';
import { isUp } from '../../container/host-view.js';
import { enforce } from '../auth.js';
import type { ContainerDeps } from './deps.js';
import { renderHost } from './render.js';
import { Ident, truthy } from './schemas.js';

const HostName = Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' });
const ServiceQuery = Type.Object({
  host: HostName,
  binary: Type.String({ minLength: 1, maxLength: 255 }),
  disabled_reason: Type.Optional(Type.String({ maxLength: 255 })),
  forced_down: Type.Optional(Type.Union([Type.Boolean(), Type.String({ pattern: '^(true|false|True|False|1|0)$' })])),
});
const ListLimit = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 10000 })), marker: Type.Optional(Type.String({ maxLength: 255 })),
  sort_key: Type.Optional(Type.String({ maxLength: 64 })), sort_dir: Type.Optional(Type.Enum({ a: 'asc', d: 'desc' })),
});
const CredentialBody = Type.Object({ host: HostName }, { additionalProperties: false });

const BINARY = 'zun-compute';
const micro = (iso: string | null) => (iso ? iso.replace('Z', '').replace(/\.(\d{3})$/, '.$1000') : null);

/** Creates the host record if needed and gives it a fresh credential (the previous one stops working). */
export async function issueHostCredential(deps: Pick<ContainerDeps, 'db'>, name: string): Promise<{ host: HostRow; credential: string }> {
  const credential = newSecret('h');
  return deps.db.tx(async (trx) => {
    let host = await repo.getHostByName(trx, name);
    const now = new Date().toISOString();
    if (!host) {
      host = {
        id: newId(), name, zone: 'nova', enabled: 1, forced_down: 0, disabled_reason: null, cpus: 0, memory_mb: 0, disk_gb: 0,
        max_containers: 0, labels: '{}', runtimes: '["runc"]', engine_version: '', os: '', credential_hash: hashSecret(credential),
        last_seen_at: null, created_at: now, updated_at: now, used_cpu: 0, used_memory_mb: 0, used_disk_gb: 0, used_containers: 0,
      };
      await repo.insertHost(trx, host);
    } else {
      await repo.updateHost(trx, host.id, { credential_hash: hashSecret(credential) });
    }
    return { host, credential };
  });
}

export function hostRoutes(app: App, deps: ContainerDeps): void {
  const q = () => deps.db.kysely;
  const used = (h: HostRow) => ({ cpu: Number(h.used_cpu), memoryMb: Number(h.used_memory_mb), diskGb: Number(h.used_disk_gb), n: Number(h.used_containers) });

  app.get('/hosts', { schema: { querystring: ListLimit } }, async (req) => {
    enforce(deps.policy, req, 'host:get_all');
    return { hosts: (await repo.listHosts(q())).map((h) => renderHost(req, h, used(h))), next: null };
  });
  app.get('/hosts/:id', { schema: { params: Ident } }, async (req) => {
    enforce(deps.policy, req, 'host:get');
    const { id } = req.params;
    const h = (await repo.getHost(q(), id)) ?? (await repo.getHostByName(q(), id));
    if (!h) throw new BerthError('not_found', `Host ${id} could not be found.`);
    return renderHost(req, h, used(h));
  });

  const renderService = (h: HostRow, n: number) => ({
    id: n, host: h.name, binary: BINARY, availability_zone: h.zone, state: isUp(h) ? 'up' : 'down',
    disabled: h.enabled === 0, disabled_reason: h.disabled_reason, forced_down: h.forced_down === 1,
    report_count: 0, created_at: micro(h.created_at), updated_at: micro(h.updated_at), last_seen_up: micro(h.last_seen_at),
  });
  app.get('/services', { schema: { querystring: ListLimit } }, async (req) => {
    enforce(deps.policy, req, 'zun-service:get_all');
    return { services: (await repo.listHosts(q())).map((h, i) => renderService(h, i + 1)) };
  });

  const findService = async (f: Static<typeof ServiceQuery>) => {
    if (f.binary !== BINARY) throw new BerthError('not_found', `Service ${f.binary} could not be found; Berth's compute service is ${BINARY}.`);
    const h = await repo.getHostByName(q(), f.host);
    if (!h) throw new BerthError('not_found', `Service ${f.binary} on host ${f.host} could not be found.`);
    return { h, f };
  };
  app.delete('/services', { schema: { querystring: ServiceQuery } }, async (req, reply) => {
    enforce(deps.policy, req, 'zun-service:delete');
    const { h } = await findService(req.query);
    if (isUp(h)) throw new BerthError('conflict', `Host ${h.name} is up; stop its agent before deleting its service.`);
    // Conditional on the host holding no claim, so a create racing this delete cannot land on it.
    if (!(await repo.deleteEmptyHost(q(), h.id))) {
      const live = (await repo.getHost(q(), h.id))?.used_containers ?? 0;
      throw new BerthError('conflict', `Host ${h.name} still runs ${live} containers; delete or move them first.`);
    }
    await deps.core.hostChanged(h.id);
    return reply.code(204).send();
  });
  app.put('/services/enable', { schema: { querystring: ServiceQuery } }, async (req) => {
    enforce(deps.policy, req, 'zun-service:update');
    const { h } = await findService(req.query);
    await repo.updateHost(q(), h.id, { enabled: 1, disabled_reason: null });
    await deps.core.hostChanged(h.id);
    return { service: { host: h.name, binary: BINARY, disabled: false, disabled_reason: null } };
  });
  app.put('/services/disable', { schema: { querystring: ServiceQuery } }, async (req) => {
    enforce(deps.policy, req, 'zun-service:update');
    const { h, f } = await findService(req.query);
    await repo.updateHost(q(), h.id, { enabled: 0, disabled_reason: f.disabled_reason ?? null });
    await deps.core.hostChanged(h.id);
    return { service: { host: h.name, binary: BINARY, disabled: true, disabled_reason: f.disabled_reason ?? null } };
  });
  app.put('/services/force_down', { schema: { querystring: ServiceQuery } }, async (req) => {
    enforce(deps.policy, req, 'zun-service:update');
    const { h, f } = await findService(req.query);
    const down = f.forced_down === undefined ? true : truthy(f.forced_down);
    await repo.updateHost(q(), h.id, { forced_down: down ? 1 : 0 });
    await deps.core.hostChanged(h.id);
    return { service: { host: h.name, binary: BINARY, forced_down: down } };
  });

  app.post('/os-berth/host-credentials', { schema: { body: CredentialBody } }, async (req, reply) => {
    enforce(deps.policy, req, 'berth:host_credentials');
    const { host, credential } = await issueHostCredential(deps, req.body.host);
    reply.code(201);
    return { host: host.name, host_id: host.id, credential };
  });
}
