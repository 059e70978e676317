/**
 * @module
 * Sharing an image with other projects (Glance's image members). Only shared images have members; the
 * owner adds and removes them, each member accepts or rejects for itself, and a member sees only its
 * own membership.
 */
import { BerthError, conflict } from '../core/errors.js';
import { isUniqueViolation } from '../store/db.js';
import * as repo from '../store/image-repo.js';
import { authorize, ownsImage, targetOf } from './access.js';
import { loadView, type ImageDeps } from './service.js';
import { MAX_MEMBERS, MEMBER_STATUSES, type ImageActor, type ImageMember, type ImageView, type MemberStatus } from './types.js';

const sharedOnly = (v: ImageView, what: string) => {
  if (v.image.visibility !== 'shared')
    throw new BerthError('forbidden', `Not allowed to ${what} image ${v.image.id}: only shared images have members (this one is ${v.image.visibility}).`);
};
const notMember = (memberId: string, imageId: string) =>
  new BerthError('not_found', `${memberId} not found in the member list of the image ${imageId}.`);

export class ImageMembers {
  readonly #deps: ImageDeps;

  constructor(deps: ImageDeps) {
    this.#deps = deps;
  }

  async list(actor: ImageActor, imageId: string): Promise<ImageMember[]> {
    const v = await loadView(this.#deps.db, actor, imageId);
    sharedOnly(v, 'list members for');
    authorize(actor, v, 'image:get_members');
    return repo.listMembers(this.#deps.db.kysely, v.image.id, ownsImage(actor, v.image) ? undefined : actor.projectId ?? '');
  }

  async get(actor: ImageActor, imageId: string, memberId: string): Promise<ImageMember> {
    const v = await loadView(this.#deps.db, actor, imageId);
    if (v.image.visibility !== 'shared') throw notMember(memberId, v.image.id);
    return this.#lookup(actor, v, memberId, 'image:get_member');
  }

  async add(actor: ImageActor, imageId: string, memberId: string): Promise<ImageMember> {
    const { db } = this.#deps;
    const v = await loadView(db, actor, imageId);
    sharedOnly(v, 'create members for');
    authorize(actor, v, 'image:add_member');
    if (!ownsImage(actor, v.image)) throw new BerthError('forbidden', 'You are not permitted to create image members for the image.');
    const n = await repo.countMembers(db.kysely, v.image.id);
    if (n >= MAX_MEMBERS)
      throw new BerthError('payload_too_large', `The limit has been exceeded on the number of allowed image members for this image. Attempted: ${n + 1}, Maximum: ${MAX_MEMBERS}`);
    const now = new Date().toISOString();
    const m: ImageMember = { imageId: v.image.id, memberId, status: 'pending', createdAt: now, updatedAt: now };
    try {
      await repo.insertMember(db.kysely, m);
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict(`Member ${memberId} is duplicated for image ${v.image.id}`);
      throw e;
    }
    return m;
  }

  /** A member accepts, rejects or resets its own membership (an admin may set anyone's). */
  async setStatus(actor: ImageActor, imageId: string, memberId: string, status: string): Promise<ImageMember> {
    const { db } = this.#deps;
    const v = await loadView(db, actor, imageId);
    sharedOnly(v, 'update members for');
    if (!(MEMBER_STATUSES as readonly string[]).includes(status))
      throw new BerthError('bad_request', `Incorrect request: Status must be one of ${MEMBER_STATUSES.join(', ')} (got '${status}').`);
    const m = await this.#lookup(actor, v, memberId, 'image:get_member');
    authorize(actor, v, 'image:modify_member', { ...targetOf(actor, v), member_id: memberId });
    const now = new Date().toISOString();
    if (!(await repo.setMemberStatus(db.kysely, v.image.id, memberId, status as MemberStatus, now))) throw notMember(memberId, v.image.id);
    return { ...m, status: status as MemberStatus, updatedAt: now };
  }

  async remove(actor: ImageActor, imageId: string, memberId: string): Promise<void> {
    const { db } = this.#deps;
    const v = await loadView(db, actor, imageId);
    sharedOnly(v, 'delete members for');
    await this.#lookup(actor, v, memberId, 'image:get_member');
    authorize(actor, v, 'image:delete_member');
    if (!ownsImage(actor, v.image)) throw new BerthError('forbidden', 'You cannot delete image member.');
    if (!(await repo.deleteMember(db.kysely, v.image.id, memberId))) throw notMember(memberId, v.image.id);
  }

  /** The membership `memberId`, when the caller may see it: the owner sees every member, a member itself. */
  async #lookup(actor: ImageActor, v: ImageView, memberId: string, rule: string): Promise<ImageMember> {
    authorize(actor, v, rule);
    if (!ownsImage(actor, v.image) && memberId !== actor.projectId) throw notMember(memberId, v.image.id);
    const m = await repo.getMember(this.#deps.db.kysely, v.image.id, memberId);
    if (!m) throw notMember(memberId, v.image.id);
    return m;
  }
}
