/**
 * @module The server actions that change what a server is: createImage (a snapshot into the image
 * service), rebuild (a new image, same server), resize with confirmResize and revertResize (the
 * flavor's limits through the container core's update, which checks quota and the host's room).
 * Nova's state rules are in compute/resize.ts; the container changes in container/snapshot.ts,
 * container/rebuild.ts and the core.
 */
import type { Static } from '@sinclair/typebox';
import { BerthError } from '../../core/errors.js';
import { imageFitProblem } from '../../compute/flavors.js';
import { checkResize, checkResizeDecision } from '../../compute/resize.js';
import { serverState } from '../../compute/status.js';
import type { Actor } from '../../container/core.js';
import { imageActorOf } from '../../container/images.js';
import * as computeRepo from '../../store/compute-repo.js';
import type { ContainerRow, FlavorRow } from '../../store/schema.js';
import type { ComputeDeps } from './deps.js';
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

/** createImage: the server's container committed and stored as a private image of its project; its id. */
export async function createServerImage(deps: ComputeDeps, actor: Actor, c: ContainerRow, body: Static<typeof CreateImageBody>): Promise<string> {
  if (!deps.snapshots) throw unsupported('Creating an image of a server');
  const { state } = await stateOf(deps, c);
  if (state.taskState !== null) throw new BerthError('conflict', `Cannot 'createImage' instance ${c.uuid} while it is in task_state ${state.taskState}`);
  const { imageId } = await inNovaWords(deps, c, 'createImage', () => deps.snapshots!.snapshot(actor, c.uuid, body.name, body.metadata ?? {}));
  return imageId;
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

/** The core's update to a flavor's limits; no room on the host is Nova's "no valid host". */
async function applyFlavor(deps: ComputeDeps, actor: Actor, c: ContainerRow, action: string, f: FlavorRow): Promise<void> {
  try {
    await inNovaWords(deps, c, action, () => deps.core.update(actor, c.uuid, { cpu: f.vcpus, memoryMb: f.ram }));
  } catch (e) {
    if (e instanceof BerthError && e.code === 'conflict' && /no room|cannot take/i.test(e.message)) {
      throw new BerthError('conflict', `No valid host was found. ${e.message} Moving a server to another host is not supported by this cloud yet.`);
    }
    throw e;
  }
}

/** resize: the new flavor's limits applied live (quota and host room checked); VERIFY_RESIZE until confirmed. */
export async function resizeServer(deps: ComputeDeps, actor: Actor, c: ContainerRow, body: Static<typeof ResizeBody>): Promise<void> {
  const flavorId = lastSegment(body.flavorRef);
  const to = await flavorOf(deps, flavorId);
  if (!to) throw new BerthError('bad_request', `Flavor ${flavorId} could not be found.`);
  const { server, state } = await stateOf(deps, c);
  const from = await flavorOf(deps, server?.flavor_id ?? '');
  checkResize(c.uuid, state, from, to);
  if (!server) throw new BerthError('conflict', `Instance ${c.uuid} was not made through the compute API and has no flavor to resize from.`);
  await applyFlavor(deps, actor, c, 'resize', to);
  await computeRepo.updateServer(deps.db.kysely, c.uuid, { flavor_id: to.id, resize_from: server.flavor_id });
}

/** confirmResize keeps the new flavor; revertResize restores the old one's limits. */
export async function decideResize(deps: ComputeDeps, actor: Actor, c: ContainerRow, action: 'confirmResize' | 'revertResize'): Promise<void> {
  const { server, state } = await stateOf(deps, c);
  checkResizeDecision(action, c.uuid, state);
  if (!server?.resize_from) return;
  if (action === 'revertResize') {
    const old = await flavorOf(deps, server.resize_from);
    if (!old) throw new BerthError('conflict', `Cannot 'revertResize' instance ${c.uuid}: its previous flavor ${server.resize_from} no longer exists.`);
    await applyFlavor(deps, actor, c, action, old);
    await computeRepo.updateServer(deps.db.kysely, c.uuid, { flavor_id: old.id, resize_from: null });
  } else {
    await computeRepo.updateServer(deps.db.kysely, c.uuid, { resize_from: null });
  }
  await deps.core.record(actor, c, action, { result: 'Success' });
}
