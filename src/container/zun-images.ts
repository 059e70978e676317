/**
 * @module
 * Zun's image API over the images hosts' agents report (host_images): one Zun image per image id per
 * host, with its first repo tag as repo and tag. `uuid` is derived from the host and the engine id, so it
 * stays the same across reports. Pulling a Glance image has the host's agent load it (its loader's single
 * flight); the `docker` driver has no registry behind it, so it only finds what the engine already holds.
 * Removing an image is refused while a container on that host runs it.
 */
import { createHash } from 'node:crypto';
import { BerthError } from '../core/errors.js';
import type { Database } from '../store/db.js';
import * as hostRepo from '../store/container-repo.js';
import { containersOnHost, forgetHostImage, listAllHostImages } from '../store/host-image-repo.js';
import type { HostImageRow, HostRow } from '../store/schema.js';
import { recordHostImages } from '../server/host-images.js';
import type { AgentHub } from '../server/hub.js';
import type { ContainerImages } from '../image/resolve.js';
import type { HostImage } from '../agent/protocol.js';
import type { Actor } from './core.js';
import { imageActorOf } from './images.js';

export interface ZunImage {
  uuid: string; image_id: string; repo: string | null; tag: string | null; size: number; host: string;
  host_id: string; project_id: string | null; glance_image_id: string | null;
}

/** A load (download and `docker load`) may take this long before the pull answers 503. */
const LOAD_MS = 15 * 60_000;

/** A stable UUID (v5 layout) for an image id on a host. */
export function imageUuid(hostId: string, imageId: string): string {
  const h = createHash('sha256').update(`${hostId}\n${imageId}`).digest('hex');
  const variant = ((parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** `busybox` → `busybox:latest`; a tag or digest given stays. */
export function withTag(ref: string): string {
  if (ref.startsWith('sha256:') || ref.includes('@')) return ref;
  return /:[^/]+$/.test(ref) ? ref : `${ref}:latest`;
}

function splitTag(ref: string | undefined): { repo: string | null; tag: string | null } {
  if (!ref) return { repo: null, tag: null };
  const at = ref.lastIndexOf(':');
  return at > ref.lastIndexOf('/') ? { repo: ref.slice(0, at), tag: ref.slice(at + 1) } : { repo: ref, tag: null };
}

/** host_images rows → Zun images (references of rows without a known image id are left out). */
export function groupImages(rows: HostImageRow[], hosts: Map<string, HostRow>): ZunImage[] {
  const byKey = new Map<string, { hostId: string; id: string; refs: string[]; size: number; glance: string | null }>();
  for (const r of rows) {
    const id = r.image_id ?? (r.image_ref.startsWith('sha256:') ? r.image_ref : null);
    if (!id) continue;
    const key = `${r.host_id}\n${id}`;
    const g = byKey.get(key) ?? { hostId: r.host_id, id, refs: [], size: Number(r.size), glance: null };
    if (r.image_ref !== id) g.refs.push(r.image_ref);
    g.glance ??= r.glance_image_id;
    byKey.set(key, g);
  }
  return [...byKey.values()].map((g) => ({
    uuid: imageUuid(g.hostId, g.id), image_id: g.id, ...splitTag(g.refs.sort()[0]), size: g.size,
    host: hosts.get(g.hostId)?.name ?? g.hostId, host_id: g.hostId, project_id: null, glance_image_id: g.glance,
  }));
}

export class ZunImages {
  readonly #d: { db: Database; hub: AgentHub; images?: ContainerImages };

  constructor(deps: { db: Database; hub: AgentHub; images?: ContainerImages }) {
    this.#d = deps;
  }

  async list(): Promise<ZunImage[]> {
    const q = this.#d.db.kysely;
    const hosts = new Map((await hostRepo.listHosts(q)).map((h) => [h.id, h]));
    return groupImages(await listAllHostImages(q), hosts).sort((a, b) => a.host.localeCompare(b.host) || a.image_id.localeCompare(b.image_id));
  }

  /** By uuid, else by engine id (`sha256:…` or a unique short id). */
  async get(ident: string): Promise<ZunImage> {
    const all = await this.list();
    const bare = ident.replace(/^sha256:/, '');
    const hit = all.find((i) => i.uuid === ident.toLowerCase()) ?? one(all.filter((i) => bare.length >= 12 && i.image_id.replace(/^sha256:/, '').startsWith(bare)), ident);
    if (!hit) throw new BerthError('not_found', `Image ${ident} could not be found.`);
    return hit;
  }

  async remove(ident: string): Promise<void> {
    const image = await this.get(ident);
    const users = await this.#usersOn(image);
    if (users.length > 0) {
      throw new BerthError('conflict', `Image ${ident} is in use by container(s) ${users.slice(0, 5).join(', ')} on host ${image.host}; delete them first.`);
    }
    await this.#d.hub.call(image.host_id, 'image_remove', image.image_id, { id: image.image_id });
    await forgetHostImage(this.#d.db.kysely, image.host_id, image.image_id);
  }

  async pull(who: Actor, body: { repo: string; host: string; image_driver?: 'docker' | 'glance' | undefined }): Promise<ZunImage> {
    const q = this.#d.db.kysely;
    const host = (await hostRepo.getHostByName(q, body.host)) ?? (await hostRepo.getHost(q, body.host));
    if (!host) throw new BerthError('not_found', `Host ${body.host} could not be found.`);
    if (body.image_driver !== 'docker' && this.#d.images) {
      try {
        const { image, ref } = await this.#d.images.resolve(imageActorOf(who), body.repo);
        const got = await this.#d.hub.call<HostImage>(host.id, 'image_load', image.id, { glanceImageId: image.id, ref: ref.id }, LOAD_MS);
        await recordHostImages(this.#d.db, host.id, [{ ...got, glanceImageId: image.id }], false);
        return this.#held(host, got.id, body.repo);
      } catch (e) {
        if (!(body.image_driver === undefined && e instanceof BerthError && e.code === 'not_found')) throw e;
      }
    }
    return this.#held(host, withTag(body.repo), body.repo);
  }

  async #held(host: HostRow, ref: string, asked: string): Promise<ZunImage> {
    const all = await this.list();
    const rows = await listAllHostImages(this.#d.db.kysely);
    const row = rows.find((r) => r.host_id === host.id && r.image_ref === ref);
    const id = row?.image_id ?? (ref.startsWith('sha256:') ? ref : undefined);
    const hit = id ? all.find((i) => i.host_id === host.id && i.image_id === id) : undefined;
    if (!hit) {
      throw new BerthError('bad_request', `Image ${asked} is neither a Glance image you may use nor held by the engine of host ${host.name}, and Berth has no registry to pull from: upload it to the image service (openstack image create --container-format docker ...) and pull that.`);
    }
    return hit;
  }

  /** Containers on the image's host whose image is one of its references. */
  async #usersOn(image: ZunImage): Promise<string[]> {
    const refs = new Set((await listAllHostImages(this.#d.db.kysely))
      .filter((r) => r.host_id === image.host_id && (r.image_id === image.image_id || r.image_ref === image.image_id)).map((r) => r.image_ref));
    refs.add(image.image_id);
    const rows = await containersOnHost(this.#d.db.kysely, image.host_id);
    return rows.filter((c) => c.status !== 'Deleted').filter((c) => {
      const spec = JSON.parse(c.spec) as { image?: string };
      return [spec.image, c.image].some((r) => typeof r === 'string' && (refs.has(r) || refs.has(withTag(r))));
    }).map((c) => c.uuid);
  }
}

function one(list: ZunImage[], ident: string): ZunImage | undefined {
  if (list.length > 1) throw new BerthError('conflict', `Image ${ident} names several images; use its uuid.`);
  return list[0];
}
