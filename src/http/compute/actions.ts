import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BerthError } from '../../core/errors.js';
import { serverState, serverStateOf } from '../../compute/status.js';
import { metadataItemsProblem } from '../../compute/quota.js';
import type { Actor } from '../../container/core.js';
import type { DesiredAction } from '../../container/decide.js';
import * as computeRepo from '../../store/compute-repo.js';
import { isUniqueViolation } from '../../store/db.js';
import type { ContainerRow } from '../../store/schema.js';
import type { App } from '../app-type.js';
import { enforce } from '../auth.js';
import { actorOf } from '../container/actor.js';
import type { ComputeDeps } from './deps.js';
import { renderInstanceAction } from './render.js';
import { CreateImageBody, RebuildBody, ResizeBody, ServerId } from './schemas.js';
import { createServerImage, decideResize, rebuildServer, resizeServer } from './server-changes.js';
import { findServer, renameServer, renderOne, requireUnlocked, updateView } from './servers.js';
import { baseUrl } from '../server.js';

const Empty = Type.Union([Type.Null(), Type.Object({}, { additionalProperties: true })]);
/** One action per request, as Nova's `POST /servers/{id}/action`. */
const ActionBody = Type.Object({
  'os-stop': Type.Optional(Empty),
  'os-start': Type.Optional(Empty),
  reboot: Type.Optional(Type.Object({ type: Type.Union([Type.Literal('SOFT'), Type.Literal('HARD'), Type.Literal('soft'), Type.Literal('hard')]) }, { additionalProperties: false })),
  pause: Type.Optional(Empty),
  unpause: Type.Optional(Empty),
  suspend: Type.Optional(Empty),
  resume: Type.Optional(Empty),
  lock: Type.Optional(Type.Union([Type.Null(), Type.Object({ locked_reason: Type.Optional(Type.String({ maxLength: 255 })) }, { additionalProperties: false })])),
  unlock: Type.Optional(Empty),
  'os-getConsoleOutput': Type.Optional(Type.Object({ length: Type.Optional(Type.Union([Type.Integer({ minimum: -1 }), Type.String({ pattern: '^-?[0-9]{1,9}$' }), Type.Null()])) }, { additionalProperties: false })),
  createImage: Type.Optional(CreateImageBody),
  rebuild: Type.Optional(RebuildBody),
  resize: Type.Optional(ResizeBody),
  confirmResize: Type.Optional(Empty),
  revertResize: Type.Optional(Empty),
  'os-resetState': Type.Optional(Type.Object({ state: Type.Union([Type.Literal('active'), Type.Literal('error')]) }, { additionalProperties: false })),
  migrate: Type.Optional(Type.Union([Type.Null(), Type.Object({ host: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])) }, { additionalProperties: false })])),
  forceDelete: Type.Optional(Empty),
  restore: Type.Optional(Empty),
}, { additionalProperties: false, minProperties: 1, maxProperties: 1 });
const ActionParams = Type.Object({ server_id: Type.String({ minLength: 1, maxLength: 255 }), request_id: Type.String({ minLength: 1, maxLength: 255 }) });

/** Nova action → the container core's desired action and the compute policy rule. */
const desired: Record<string, { action: DesiredAction; rule: string }> = {
  'os-stop': { action: 'stop', rule: 'os_compute_api:servers:stop' },
  'os-start': { action: 'start', rule: 'os_compute_api:servers:start' },
  reboot: { action: 'reboot', rule: 'os_compute_api:servers:reboot' },
  pause: { action: 'pause', rule: 'os_compute_api:os-pause-server:pause' },
  unpause: { action: 'unpause', rule: 'os_compute_api:os-pause-server:unpause' },
  suspend: { action: 'pause', rule: 'os_compute_api:os-suspend-server:suspend' },
  resume: { action: 'unpause', rule: 'os_compute_api:os-suspend-server:resume' },
};

/** Server actions through the container core; a wrong state is Nova's 409. */
export function serverActionRoutes(app: App, deps: ComputeDeps): void {
  const q = () => deps.db.kysely;
  const who = (req: FastifyRequest) => actorOf(deps.policy, req);

  /** The core's desired action; its state refusal said in Nova's words. */
  const act = async (actor: Actor, c: ContainerRow, name: string, action: DesiredAction) => {
    try {
      await deps.core.act(actor, c.uuid, action);
    } catch (e) {
      if (e instanceof BerthError && e.code === 'invalid_state') {
        const row = await computeRepo.getServer(q(), c.uuid);
        const s = serverStateOf(c, row);
        throw new BerthError('conflict', `Cannot '${name}' instance ${c.uuid} while it is in vm_state ${s.vmState}`);
      }
      throw e;
    }
  };

  app.post('/servers/:server_id/action', { schema: { params: ServerId, body: ActionBody } }, async (req, reply) => {
    const actor = who(req);
    const [name] = Object.keys(req.body);
    const c = await findServer(deps, req, actor, req.params.server_id);
    const target = { project_id: c.project_id };
    const d = desired[name];
    if (d) {
      enforce(deps.policy, req, d.rule, target);
      await requireUnlocked(deps, req, c);
      const s = await computeRepo.getServer(q(), c.uuid);
      const suspended = s?.suspended === 1 && c.status === 'Paused';
      // Berth suspends by pausing: suspend/resume and pause/unpause are told apart by the server's flag.
      if (name === 'unpause' && suspended) throw new BerthError('conflict', `Cannot 'unpause' instance ${c.uuid} while it is in vm_state suspended`);
      if (name === 'resume' && !suspended) {
        // A suspend still under way is Nova's task state, not the vm_state it leaves.
        const st = serverStateOf(c, s ?? undefined);
        throw new BerthError('conflict', st.taskState
          ? `Cannot 'resume' instance ${c.uuid} while it is in task_state ${st.taskState}`
          : `Cannot 'resume' instance ${c.uuid} while it is in vm_state ${serverState(c, false).vmState}`);
      }
      await act(actor, c, name, d.action);
      if (s && (name === 'suspend' || name === 'resume' || name === 'pause')) await computeRepo.updateServer(q(), c.uuid, { suspended: name === 'suspend' ? 1 : 0 });
      return reply.code(202).send();
    }
    switch (name) {
      case 'lock':
      case 'unlock': {
        enforce(deps.policy, req, `os_compute_api:os-lock-server:${name}`, target);
        await ensureServerRow(deps, c);
        await computeRepo.updateServer(q(), c.uuid, { locked: name === 'lock' ? 1 : 0 });
        return reply.code(202).send();
      }
      case 'os-getConsoleOutput': {
        enforce(deps.policy, req, 'os_compute_api:os-console-output', target);
        const length = req.body['os-getConsoleOutput']?.length;
        const n = length === undefined || length === null ? -1 : Number(length);
        // One line more than asked, then cut as Nova does (its last line is what follows the last newline).
        const { value } = await deps.core.call<string>(actor, c.uuid, 'logs', 'logs', { stdout: true, stderr: true, timestamps: false, tail: n < 0 ? 'all' : n + 1 }, { journal: false });
        return { output: n < 0 ? value : n === 0 ? '' : value.split('\n').slice(-n).join('\n') };
      }
      case 'createImage': {
        enforce(deps.policy, req, 'os_compute_api:servers:create_image', target);
        await requireUnlocked(deps, req, c);
        const imageId = await createServerImage(deps, actor, c, req.body.createImage!);
        // Microversion 2.1: the image is named by the Location header only (2.45 adds a body).
        return reply.code(202).header('Location', `${baseUrl(req)}/image/v2/images/${imageId}`).send();
      }
      case 'rebuild': {
        enforce(deps.policy, req, 'os_compute_api:servers:rebuild', target);
        await requireUnlocked(deps, req, c);
        const { name, ...rebuild } = req.body.rebuild!;
        const over = metadataItemsProblem(Object.keys(rebuild.metadata ?? {}).length);
        if (over) throw new BerthError('quota_exceeded', over);
        await rebuildServer(deps, actor, c, rebuild);
        // A rebuild ends an error an admin forced (Nova rebuilds from vm_state error).
        await computeRepo.updateServer(q(), c.uuid, { reset_state: null });
        const row = await renameServer(deps, actor, c, name);
        return reply.code(202).send({ server: updateView(await renderOne(deps, req, row)) });
      }
      case 'resize':
        enforce(deps.policy, req, 'os_compute_api:servers:resize', target);
        await requireUnlocked(deps, req, c);
        await resizeServer(deps, actor, c, req.body.resize!);
        return reply.code(202).send();
      case 'confirmResize':
      case 'revertResize':
        enforce(deps.policy, req, `os_compute_api:servers:${name === 'confirmResize' ? 'confirm_resize' : 'revert_resize'}`, target);
        await requireUnlocked(deps, req, c);
        await decideResize(deps, actor, c, name);
        return reply.code(name === 'confirmResize' ? 204 : 202).send();
      case 'os-resetState':
        enforce(deps.policy, req, 'os_compute_api:os-admin-actions:reset_state', target);
        await ensureServerRow(deps, c);
        await computeRepo.updateServer(q(), c.uuid, { reset_state: req.body['os-resetState']!.state === 'error' ? 'error' : null });
        await deps.core.record(actor, c, 'resetState', { result: 'Success' });
        return reply.code(202).send();
      case 'migrate':
        enforce(deps.policy, req, 'os_compute_api:os-migrate-server:migrate', target);
        throw new BerthError('bad_request', 'Migrating a server outside a resize is not supported by this cloud yet.');
      case 'forceDelete':
      case 'restore': {
        // Berth deletes at once (Nova's reclaim_instance_interval 0): no server is ever soft-deleted.
        enforce(deps.policy, req, name === 'restore' ? 'os_compute_api:os-deferred-delete:restore' : 'os_compute_api:os-deferred-delete:force', target);
        const row = await computeRepo.getServer(q(), c.uuid);
        throw new BerthError('conflict', `Cannot '${name}' instance ${c.uuid} while it is in vm_state ${serverStateOf(c, row).vmState}`);
      }
      default: throw new BerthError('bad_request', `There is no such action: ${name}`);
    }
  });

  app.get('/servers/:server_id/os-instance-actions', { schema: { params: ServerId } }, async (req) => {
    const actor = who(req);
    const c = await findServer(deps, req, actor, req.params.server_id);
    enforce(deps.policy, req, 'os_compute_api:os-instance-actions:list', { project_id: c.project_id });
    const { actions } = await deps.core.actions(actor, c.uuid);
    return { instanceActions: actions.map(renderInstanceAction) };
  });
  app.get('/servers/:server_id/os-instance-actions/:request_id', { schema: { params: ActionParams } }, async (req) => {
    const actor = who(req);
    const c = await findServer(deps, req, actor, req.params.server_id);
    enforce(deps.policy, req, 'os_compute_api:os-instance-actions:show', { project_id: c.project_id });
    const a = await deps.core.action(actor, c.uuid, req.params.request_id);
    return { instanceAction: { ...renderInstanceAction(a), events: [] } };
  });
}

/** A container made through another API gets its compute row when the compute face first stores something for it. */
export async function ensureServerRow(deps: ComputeDeps, c: ContainerRow): Promise<void> {
  if (await computeRepo.getServer(deps.db.kysely, c.uuid)) return;
  await computeRepo.insertServer(deps.db.kysely, {
    uuid: c.uuid, project_id: c.project_id, flavor_id: '', image_id: c.image, key_name: null, metadata: '{}',
    suspended: 0, locked: 0, created_at: c.created_at,
  }).catch((e: unknown) => {
    // Another request made it first.
    if (!isUniqueViolation(e)) throw e;
  });
}
