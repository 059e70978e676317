import type { FastifyRequest } from 'fastify';
import type { App } from '../app-type.js';
import { buildCatalog, matchesFilters, type CatalogEntry } from '../../identity/catalog.js';
import * as cat from '../../store/catalog-repo.js';
import { baseUrl } from '../server.js';
import type { IdentityDeps } from './deps.js';
import { allEndpoints, endpointOfRow, endpointRoutes } from './endpoints.js';
import { endpointGroupRoutes } from './endpoint-groups.js';
import { parseExtra } from './extra.js';
import { regionRoutes } from './regions.js';
import { serviceOfRow, serviceRoutes } from './services.js';

/**
 * The endpoints a project's catalog is limited to (OS-EP-FILTER): those associated with it directly or
 * through an endpoint group; null when the project has no filter, so it sees the whole catalog.
 */
export async function projectEndpointFilter(deps: IdentityDeps, req: FastifyRequest, projectId: string): Promise<Set<string> | null> {
  const q = deps.db.kysely;
  const direct = await cat.endpointsOfProject(q, projectId);
  const groups = await cat.endpointGroupsOfProject(q, projectId);
  if (direct.length === 0 && groups.length === 0) return null;
  const ids = new Set(direct);
  if (groups.length > 0) {
    const endpoints = await allEndpoints(deps, req);
    for (const g of groups) for (const e of endpoints) if (matchesFilters(e, parseExtra(g.filters))) ids.add(e.id);
  }
  return ids;
}

/** The catalog a token scoped to `projectId` (or to no project) shows, as seen from the request's address. */
export async function catalogFor(deps: IdentityDeps, req: FastifyRequest, projectId: string | null): Promise<CatalogEntry[]> {
  const q = deps.db.kysely;
  const registered = { services: (await cat.listServices(q)).map(serviceOfRow), endpoints: (await cat.listEndpoints(q)).map(endpointOfRow) };
  const filter = projectId ? await projectEndpointFilter(deps, req, projectId) : null;
  return buildCatalog(baseUrl(req), deps.region, registered, filter);
}

const TOKEN_ROUTES = new Set(['/identity/v3/auth/tokens', '/identity/v3/auth/catalog']);

/**
 * Regions, services, endpoints and endpoint groups of the catalog. The token and auth/catalog answers
 * carry the catalog Berth serves itself; before they are sent it is replaced with the whole catalog,
 * admin-registered entries and the project's endpoint filter included.
 */
export function catalogRoutes(app: App, deps: IdentityDeps): void {
  app.addHook('preSerialization', async (req, _reply, payload: unknown) => {
    if (!TOKEN_ROUTES.has(req.routeOptions.url ?? '') || !payload || typeof payload !== 'object') return payload;
    const body = payload as { catalog?: unknown; token?: { catalog?: unknown; project?: { id: string } } };
    if (Array.isArray(body.catalog)) body.catalog = await catalogFor(deps, req, req.auth.projectId ?? null);
    if (body.token && Array.isArray(body.token.catalog)) body.token.catalog = await catalogFor(deps, req, body.token.project?.id ?? null);
    return payload;
  });
  regionRoutes(app, deps);
  serviceRoutes(app, deps);
  endpointRoutes(app, deps);
  endpointGroupRoutes(app, deps);
}
