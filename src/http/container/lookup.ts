import type { Queryable } from '../../store/db.js';
import * as repo from '../../store/container-repo.js';

export async function hostName(q: Queryable, hostId: string | null): Promise<string | null> {
  if (!hostId) return null;
  return (await repo.getHost(q, hostId))?.name ?? null;
}
