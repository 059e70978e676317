/**
 * @module
 * Who may see and act on an image: Glance's visibility rules, and its answer to a denied policy check
 * (404 when the caller may not even see the image, so that others' private images do not leak their
 * existence; 403 otherwise). Pure: the policy check comes in through the actor.
 */
import { BerthError } from '../core/errors.js';
import type { Image, ImageActor, ImageView } from './types.js';

/**
 * Glance's visibility: an admin sees every image; others see their project's images, public and
 * community ones, and shared ones their project is a member of (whatever the membership's status, so
 * that a pending member can look at what it is offered).
 */
export function canSee(actor: ImageActor, v: ImageView): boolean {
  const i = v.image;
  if (actor.admin) return true;
  if (i.owner !== null && i.owner === actor.projectId) return true;
  if (i.visibility === 'public' || i.visibility === 'community') return true;
  return i.visibility === 'shared' && v.membership !== undefined;
}

/** The policy target of an image: its owner as project_id, its visibility, the caller as member_id if it is one. */
export function targetOf(actor: ImageActor, v: ImageView): Record<string, unknown> {
  return {
    project_id: v.image.owner,
    owner: v.image.owner,
    visibility: v.image.visibility,
    member_id: v.membership !== undefined ? actor.projectId : null,
  };
}

export const imageNotFound = (id: string) => new BerthError('not_found', `No image found with ID ${id}`);
export const policyDenied = (rule: string) => new BerthError('policy_denied', `You are not authorized to complete ${rule} action.`, { rule });

/** Checks `rule` on a visible image: 404 when the caller may not see it, 403 when only `rule` denies. */
export function authorize(actor: ImageActor, v: ImageView, rule: string, target: Record<string, unknown> = targetOf(actor, v)): void {
  const mayGet = canSee(actor, v) && actor.allowed('image:get_image', targetOf(actor, v));
  if (!mayGet) throw imageNotFound(v.image.id);
  if (rule !== 'image:get_image' && !actor.allowed(rule, target)) throw policyDenied(rule);
}

/** The rule a visibility needs beyond modify/add (Glance: publicize_image, communitize_image). */
export function visibilityRule(visibility: string): string | undefined {
  if (visibility === 'public') return 'image:publicize_image';
  if (visibility === 'community') return 'image:communitize_image';
  return undefined;
}

/** Whether the caller owns the image (or is an admin), as Glance's member calls require. */
export const ownsImage = (actor: ImageActor, i: Image) => actor.admin || (i.owner !== null && i.owner === actor.projectId);
