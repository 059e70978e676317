/**
 * @module
 * Applying a PATCH to an image, as Glance's controller does (`_do_add`, `_do_replace`, `_do_remove`):
 * pure, over an image and a list of checked changes. Returns the image after every change and the
 * policy rules the changes need; refuses with Glance's status codes (403 for what may not change, 409
 * for a custom property that is not there, 413 over the property or tag limits).
 */
import { BerthError } from '../core/errors.js';
import { visibilityRule } from './access.js';
import { MAX_PROPERTIES, MAX_TAGS, type Image, type ImageActor, type Visibility } from './types.js';

/** A base attribute a client may write, with its value already checked against the image schema. */
export type BaseChange =
  | { field: 'name' | 'containerFormat' | 'diskFormat' | 'owner'; value: string | null }
  | { field: 'visibility'; value: Visibility }
  | { field: 'protected' | 'hidden'; value: boolean }
  | { field: 'minDisk' | 'minRam'; value: number }
  | { field: 'tags'; value: string[] };

export type Change =
  | ({ op: 'add' | 'replace' } & BaseChange)
  /** Removing a base attribute (by its Glance name), which Glance refuses once the caller may modify the image. */
  | { op: 'remove'; base: string }
  | { op: 'add' | 'replace'; property: string; value: string }
  | { op: 'remove'; property: string };

export interface Updated {
  image: Image;
  /** Rules to check on the stored image before writing: modify_image, and what a new visibility needs. */
  rules: string[];
}

/** Glance's names of the base attributes, for messages. */
const wireName: Record<BaseChange['field'], string> = {
  name: 'name', containerFormat: 'container_format', diskFormat: 'disk_format', owner: 'owner', visibility: 'visibility',
  protected: 'protected', hidden: 'os_hidden', minDisk: 'min_disk', minRam: 'min_ram', tags: 'tags',
};

export const tooManyTags = (n: number) =>
  new BerthError('payload_too_large', `The limit has been exceeded on the number of allowed image tags. Attempted: ${n}, Maximum: ${MAX_TAGS}`);
export const tooManyProperties = (n: number) =>
  new BerthError('payload_too_large', `The limit has been exceeded on the number of allowed image properties. Attempted: ${n}, Maximum: ${MAX_PROPERTIES}`);

/** Applies `changes` in order to a copy of `image`; `at` is the update time. */
export function applyChanges(actor: ImageActor, image: Image, changes: readonly Change[], at: string): Updated {
  const next: Image = { ...image, tags: [...image.tags], properties: { ...image.properties } };
  const rules = new Set<string>(['image:modify_image']);
  for (const c of changes) {
    if ('property' in c) {
      if (c.op === 'remove' || c.op === 'replace') {
        if (!Object.hasOwn(next.properties, c.property)) throw new BerthError('conflict', `Property ${c.property} does not exist.`);
      }
      if (c.op === 'remove') delete next.properties[c.property];
      else next.properties[c.property] = c.value;
      continue;
    }
    if ('base' in c) throw new BerthError('forbidden', `Property ${c.base} may not be removed.`);
    setBase(actor, next, c, rules);
  }
  if (next.tags.length > MAX_TAGS) throw tooManyTags(next.tags.length);
  const count = Object.keys(next.properties).length;
  if (count > MAX_PROPERTIES && count > Object.keys(image.properties).length) throw tooManyProperties(count);
  return { image: { ...next, generation: image.generation + 1, updatedAt: at }, rules: [...rules] };
}

function setBase(actor: ImageActor, next: Image, c: BaseChange & { op: 'add' | 'replace' }, rules: Set<string>): void {
  switch (c.field) {
    case 'containerFormat':
    case 'diskFormat':
      if (next[c.field] !== c.value && next.status !== 'queued')
        throw new BerthError('forbidden', `Attribute ${wireName[c.field]} can be only replaced for a queued image.`);
      next[c.field] = c.value;
      return;
    case 'owner':
      if (!actor.admin && c.value !== next.owner) throw new BerthError('forbidden', "Owner can't be updated by non admin.");
      next.owner = c.value;
      return;
    case 'visibility': {
      const rule = visibilityRule(c.value);
      if (rule && c.value !== next.visibility) rules.add(rule);
      next.visibility = c.value;
      return;
    }
    case 'tags':
      next.tags = [...new Set(c.value)];
      return;
    case 'name':
      next.name = c.value;
      return;
    case 'protected':
    case 'hidden':
      next[c.field] = c.value;
      return;
    case 'minDisk':
    case 'minRam':
      next[c.field] = c.value;
      return;
  }
}
