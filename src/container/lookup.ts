/**
 * @module Finding a container by what a client typed: its uuid, its name in the caller's project, or the
 * start of its uuid (as the docker CLI abbreviates ids).
 */
import { BerthError } from '../core/errors.js';
import type { Queryable } from '../store/db.js';
import type { ContainerRow } from '../store/schema.js';
import * as repo from '../store/container-repo.js';
import type { Actor } from './core.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PREFIX = /^[0-9a-f][0-9a-f-]{2,35}$/i;

/**
 * Finds a container by uuid, name or uuid prefix, in the actor's project. Another project's container is
 * "not found", never "forbidden", so its existence does not leak; an admin finds any by uuid, and by name
 * across projects with `allProjects`.
 */
export async function findContainer(q: Queryable, who: Pick<Actor, 'projectId' | 'admin'>, typed: string, opts: { allProjects?: boolean } = {}): Promise<ContainerRow> {
  const ident = uuidIdent(typed);
  const missing = () => new BerthError('not_found', `Container ${typed} could not be found.`);
  if (UUID.test(ident)) {
    const row = await repo.getContainer(q, ident.toLowerCase());
    if (row && (row.project_id === who.projectId || who.admin)) return row;
  }
  const scope = who.admin && opts.allProjects ? undefined : (who.projectId ?? '');
  const rows = await repo.findContainersByName(q, scope, typed);
  if (rows.length > 1) throw new BerthError('conflict', `Multiple containers exist with the name ${ident}. Please use the container uuid instead.`);
  if (rows.length === 1) return rows[0];
  if (PREFIX.test(ident) && !UUID.test(ident)) {
    const byPrefix = await repo.findContainersByUuidPrefix(q, scope, ident.toLowerCase());
    if (byPrefix.length > 1) throw new BerthError('conflict', `Multiple containers have an id starting with ${ident}. Please use more of it.`);
    if (byPrefix.length === 1) return byPrefix[0];
  }
  throw missing();
}

const DASH_AT = [8, 12, 16, 20];

/** Docker shows a uuid without its dashes: a dashless id or prefix (more than 8 hex digits) is given them back. */
export function uuidIdent(ident: string): string {
  if (!/^[0-9a-f]{9,32}$/i.test(ident)) return ident;
  let out = '';
  for (let i = 0; i < ident.length; i++) {
    if (DASH_AT.includes(i)) out += '-';
    out += ident[i];
  }
  return out.toLowerCase();
}
