/**
 * @module The server actions that change what a server is: createImage (a snapshot into the image
 * service), rebuild (a new image, same server), resize with confirmResize and revertResize (the
 * flavor's limits through the container core's update, which checks quota and the host's room, or a
 * move to another host when the server's own has no room). Nova's state rules are in
 * compute/resize.ts; the container changes in container/snapshot.ts, container/rebuild.ts,
 * container/move.ts and the core.
 */
import type { Static } from '@sinclair/typebox';
import { BerthError } from '../../core/errors.js';
import { DOWN_AFTER_SECONDS } from '../../agent/protocol.js';
import { imageFitProblem } from '../../compute/flavors.js';
import { checkResize, checkResizeDecision, resizeEnd } from '../../compute/resize.js';
import { serverState } from '../../compute/status.js';
import type { Actor } from '../../container/core.js';
import { imageActorOf } from '../../container/images.js';
import * as computeRepo from '../../store/compute-repo.js';
import { claimSnapshot, endSnapshot } from '../../store/snapshot-repo.js';
import * as flavorRepo from '../../store/flavor-repo.js';
import { checkQuotaFits } from '../../container/preempt.js';
import type { Queryable } from '../../store/db.js';
import type { ContainerRow, FlavorRow } from '../../store/schema.js';
import type { ComputeDeps } from './deps.js';
import { ensureServerRow } from './actions.js';
import type { CreateImageBody, RebuildBody, ResizeBody } from './schemas.js';

const lastSegment = (ref: string | number) => String(ref).replace(/\/+$/, '').split('/').pop() ?? '';
const unsupported = (what: string) => new BerthError('bad_request', `${what} is not available on this server.`);

/** The server's Nova state now (with the compute face's suspended and resized flags). */
async function stateOf(deps: ComputeDeps, c: ContainerRow) {
  const s = await computeRepo.getServer(deps.db.kysely, c.uuid);
  return { server: s, state: serverState(c, s?.suspended === 1 && c.status === 'Paused', Boolean(s?.resize_from)) };
}

/** Runs a core operation, its state refusal said in Nova's words. */
async function inNovaWords<T>(deps: ComputeDeps, c: ContainerRow, action: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof BerthError && e.code === 'invalid_state') {
      const { state } = await stateOf(deps, c);
      throw new BerthError('conflict', `Cannot '${action}' instance ${c.uuid} while it is in vm_state ${state.vmState}`);
    }
    throw e;
  }
}

/**
 * createImage: the server's container committed and stored as a private image of its project; its id,
 * once the image exists: the snapshot runs on in the background, marked on the server (task_state
 * image_snapshot, seen by every Berth server) until it ends, and a second one meanwhile is refused.
 */
export async function createServerImage(deps: ComputeDeps, actor: Actor, c: ContainerRow, body: Static<typeof CreateImageBody>): Promise<string> {
  if (!deps.snapshots || !deps.hub) throw unsupported('Creating an image of a server');
  const { state } = await stateOf(deps, c);
  const busy = (task: string) => new BerthError('conflict', `Cannot 'createImage' instance ${c.uuid} while it is in task_state ${task}`);
  if (state.taskState !== null) throw busy(state.taskState);
  await ensureServerRow(deps, c);
  const db = deps.db.kysely;
  const serverId = deps.hub.serverId;
  if (!(await claimSnapshot(db, c.uuid, serverId, new Date(Date.now() - DOWN_AFTER_SECONDS * 1000).toISOString()))) throw busy('image_snapshot');
  const ended = async () => {
    await endSnapshot(db, c.uuid, serverId);
  };
  try {
    const { imageId } = await inNovaWords(deps, c, 'createImage', () => deps.snapshots!.snapshot(actor, c.uuid, body.name, body.metadata ?? {}, { ended }));
    return imageId;
  } catch (e) {
    await ended();
    throw e;
  }
}

/** rebuild: the server's container re-created from another image; name and metadata replaced when given. */
export async function rebuildServer(deps: ComputeDeps, actor: Actor, c: ContainerRow, body: Static<typeof RebuildBody>): Promise<ContainerRow> {
  if (!deps.rebuilds || !deps.images) throw unsupported('Rebuilding a server');
  const imageRef = lastSegment(body.imageRef);
  let resolved;
  try {
    resolved = await deps.images.resolve(imageActorOf(actor), imageRef);
  } catch (e) {
    if (e instanceof BerthError && e.code === 'not_found') throw new BerthError('bad_request', `Image ${imageRef} could not be found.`);
    throw e;
  }
  const { image, ref } = resolved;
  const { server, state } = await stateOf(deps, c);
  if (state.vmState === 'resized') throw new BerthError('conflict', `Cannot 'rebuild' instance ${c.uuid} while it is in vm_state resized`);
  const flavor = server?.flavor_id ? await computeRepo.getFlavor(deps.db.kysely, server.flavor_id) : undefined;
  const fit = flavor ? imageFitProblem(flavor, image) : null;
  if (fit) throw new BerthError('bad_request', fit);
  let row = await inNovaWords(deps, c, 'rebuild', () => deps.rebuilds!.rebuild(actor, c.uuid, { ref: ref.id, glanceImageId: image.id, repoTag: ref.repoTag ?? undefined }, async (trx) => {
    if (server) await computeRepo.updateServer(trx, c.uuid, { image_id: image.id, ...(body.metadata ? { metadata: JSON.stringify(body.metadata) } : {}) });
  }));
  if (body.name !== undefined && body.name !== row.name) row = await deps.core.update(actor, c.uuid, { name: body.name });
  const key = server?.key_name ? await computeRepo.getKeypair(deps.db.kysely, c.user_id, server.key_name) : undefined;
  if (key && deps.keys) void deps.keys.inject(actor, c.uuid, key.public_key);
  return row;
}

const flavorOf = async (deps: ComputeDeps, id: string): Promise<FlavorRow | undefined> => (id ? computeRepo.getFlavor(deps.db.kysely, id) : undefined);

/** The core's update to a flavor's limits on the server's own host. */
async function applyFlavor(deps: ComputeDeps, actor: Actor, c: ContainerRow, action: string, f: Pick<FlavorRow, 'vcpus' | 'ram'>): Promise<void> {
  await inNovaWords(deps, c, action, () => deps.core.update(actor, c.uuid, { cpu: f.vcpus, memoryMb: f.ram }));
}

/**
 * resize: the new flavor's limits applied live when the server's host has room; otherwise the server
 * moves to another host that has (Nova's resize across hosts), the host it left keeping its old claim
 * until confirm or revert. VERIFY_RESIZE until confirmed. No room anywhere is Nova's "no valid host".
 */
export async function resizeServer(deps: ComputeDeps, actor: Actor, c: ContainerRow, body: Static<typeof ResizeBody>): Promise<void> {
  const flavorId = lastSegment(body.flavorRef);
  // A private flavor the caller's project has no access to is not found.
  const to = await flavorRepo.getVisibleFlavor(deps.db.kysely, flavorId, actor.projectId ?? '', actor.admin);
  if (!to) throw new BerthError('bad_request', `Flavor ${flavorId} could not be found.`);
  const { server, state } = await stateOf(deps, c);
  const from = await flavorOf(deps, server?.flavor_id ?? '');
  checkResize(c.uuid, state, from, to);
  if (!server) throw new BerthError('conflict', `Instance ${c.uuid} was not made through the compute API and has no flavor to resize from.`);
  // Quota before room, as Nova: a flavor over the project's quota is its 403, not "no valid host".
  if (deps.quotas.enforced && c.queued_at === null) {
    await checkQuotaFits(deps.db, await deps.quotas.tree(c.project_id), c.project_id, { containers: 0, cpu: Math.max(0, to.vcpus - c.cpu), memory: Math.max(0, to.ram - c.memory_mb), disk: 0 });
  }
  // The sizes it had are kept too: a revert restores them even when the old flavor was deleted meanwhile.
  const resized = { flavor_id: to.id, resize_from: server.flavor_id, resize_from_size: JSON.stringify({ vcpus: c.cpu, ram: c.memory_mb }) };
  if (!deps.moves) {
    try {
      await applyFlavor(deps, actor, c, 'resize', to);
    } catch (e) {
      // The update's only conflict is the host's room.
      if (e instanceof BerthError && e.code === 'conflict') throw new BerthError('conflict', `No valid host was found. ${e.message}`);
      throw e;
    }
    await computeRepo.updateServer(deps.db.kysely, c.uuid, resized);
    return;
  }
  const { hold } = await inNovaWords(deps, c, 'resize', () => deps.moves!.resize(actor, c.uuid, { cpu: to.vcpus, memoryMb: to.ram }, {
    onCommit: async (trx, _row, held) => {
      await computeRepo.updateServer(trx, c.uuid, { ...resized, ...computeRepo.moveHoldColumns(held) });
      return true;
    },
  }));
  if (!hold) await computeRepo.updateServer(deps.db.kysely, c.uuid, resized);
}

/** The sizes a resize started from, as resizeServer stored them. */
function sizeOf(json: string | null | undefined): Pick<FlavorRow, 'vcpus' | 'ram'> | undefined {
  if (!json) return undefined;
  const v = JSON.parse(json) as { vcpus?: unknown; ram?: unknown };
  return typeof v.vcpus === 'number' && typeof v.ram === 'number' ? { vcpus: v.vcpus, ram: v.ram } : undefined;
}

/**
 * confirmResize keeps the new flavor (a moved server's old host gives its claim back); revertResize
 * restores the old one's limits (a moved server goes back to the host it left, where its claim waited).
 */
export async function decideResize(deps: ComputeDeps, actor: Actor, c: ContainerRow, action: 'confirmResize' | 'revertResize'): Promise<void> {
  const { server, state } = await stateOf(deps, c);
  checkResizeDecision(action, c.uuid, state);
  const end = resizeEnd(action, server?.resize_from, computeRepo.moveHoldOf(server));
  switch (end.kind) {
    case 'nothing':
      return;
    case 'keep':
      await computeRepo.updateServer(deps.db.kysely, c.uuid, { resize_from: null });
      break;
    case 'restore': {
      const old = (await flavorOf(deps, end.flavorId)) ?? sizeOf(server?.resize_from_size);
      if (!old) throw new BerthError('conflict', `Cannot 'revertResize' instance ${c.uuid}: its previous flavor ${end.flavorId} no longer exists.`);
      await applyFlavor(deps, actor, c, action, old);
      await computeRepo.updateServer(deps.db.kysely, c.uuid, { flavor_id: end.flavorId, resize_from: null, resize_from_size: null });
      break;
    }
    case 'release':
    case 'move_back': {
      if (!deps.moves) throw unsupported('Ending a resize that moved a server');
      const { hold } = end;
      const set = end.kind === 'move_back' ? { flavor_id: end.flavorId, resize_from: null } : { resize_from: null };
      const onCommit = (trx: Queryable) => computeRepo.endMoveIf(trx, c.uuid, hold.hostId, set);
      // The journal entry is written with the change.
      if (end.kind === 'release') await deps.moves.confirm(actor, c.uuid, hold, { onCommit });
      else await inNovaWords(deps, c, action, () => deps.moves!.revert(actor, c.uuid, hold, { onCommit }));
      return;
    }
  }
  await deps.core.record(actor, c, action, { result: 'Success' });
}
