import type { FastifyRequest } from 'fastify';
import { BerthError } from '../../core/errors.js';
import type { Queryable } from '../../store/db.js';
import type { ContainerRow } from '../../store/schema.js';
import * as repo from '../../store/container-repo.js';
import { isAdmin } from '../auth.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Finds a container by uuid or by name in the caller's project. Another project's container is "not
 * found" for a tenant, never "forbidden", so its existence does not leak; an admin finds any by uuid,
 * and by name across projects with all_projects.
 */
export async function findContainer(q: Queryable, req: FastifyRequest, ident: string, allProjects = false): Promise<ContainerRow> {
  const admin = isAdmin(req);
  const missing = () => new BerthError('not_found', `Container ${ident} could not be found.`);
  if (UUID.test(ident)) {
    const row = await repo.getContainer(q, ident.toLowerCase());
    if (row && (row.project_id === req.auth.projectId || admin)) return row;
  }
  const rows = await repo.findContainersByName(q, admin && allProjects ? undefined : req.auth.projectId, ident);
  if (rows.length === 0) throw missing();
  if (rows.length > 1) throw new BerthError('conflict', `Multiple containers exist with the name ${ident}. Please use the container uuid instead.`);
  return rows[0];
}

export async function hostName(q: Queryable, hostId: string | null): Promise<string | null> {
  if (!hostId) return null;
  return (await repo.getHost(q, hostId))?.name ?? null;
}
