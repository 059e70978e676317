import { stableId } from '../core/ids.js';

/** The services Berth serves, each under a path prefix of the one API listener. */
export interface ServiceDefinition { type: string; name: string; path: string; description: string }

export const serviceDefinitions: ServiceDefinition[] = [
  { type: 'identity', name: 'keystone', path: '/identity/v3', description: 'Berth identity service' },
  { type: 'container', name: 'zun', path: '/container/v1', description: 'Berth container service' },
  // Image clients add the version themselves (…/image/v2/images).
  { type: 'image', name: 'glance', path: '/image', description: 'Berth image service' },
  // Heat's URLs carry the project (/orchestration/v1/{project_id}); without it the token's project is meant.
  { type: 'orchestration', name: 'heat', path: '/orchestration/v1', description: 'Berth orchestration service' },
  { type: 'compute', name: 'nova', path: '/compute/v2.1', description: 'Berth compute service' },
];

export const interfaces = ['public', 'internal', 'admin'] as const;

export interface CatalogEndpoint { id: string; interface: string; region: string | null; region_id: string | null; url: string }
export interface CatalogEntry { id: string; type: string; name: string; description: string; enabled: boolean; endpoints: CatalogEndpoint[] }

/** A service of the catalog: Berth's own (`own`) or one an admin registered. */
export interface CatalogService { id: string; type: string; name: string; description: string; enabled: boolean; own: boolean; extra: Record<string, unknown> }
export interface CatalogEndpointRecord {
  id: string; service_id: string; region_id: string | null; interface: string; url: string; enabled: boolean; own: boolean; extra: Record<string, unknown>;
}
/** What admins registered, as read from the store. */
export interface RegisteredCatalog { services: CatalogService[]; endpoints: CatalogEndpointRecord[] }

export const ownServiceId = (type: string) => stableId(`service:${type}`);
const ownEndpointId = (type: string, i: string) => stableId(`endpoint:${type}:${i}`);

/** Berth's own services. */
export function ownServices(): CatalogService[] {
  return serviceDefinitions.map((s) => ({ id: ownServiceId(s.type), type: s.type, name: s.name, description: s.description, enabled: true, own: true, extra: {} }));
}

/** Berth's own endpoints, as seen from `baseUrl` (scheme://host:port the client used), so they are right behind any address. */
export function ownEndpoints(baseUrl: string, region: string): CatalogEndpointRecord[] {
  return serviceDefinitions.flatMap((s) => interfaces.map((i) => ({
    id: ownEndpointId(s.type, i), service_id: ownServiceId(s.type), region_id: region, interface: i, url: baseUrl + s.path,
    enabled: true, own: true, extra: {},
  })));
}

/**
 * The catalog as seen from `baseUrl`: Berth's services followed by those admins registered, with their
 * enabled endpoints. With `onlyEndpoints` (a project's endpoint filter) only those endpoints are kept,
 * and services left with none are dropped, as Keystone's OS-EP-FILTER does.
 */
export function buildCatalog(baseUrl: string, region: string, registered: RegisteredCatalog = { services: [], endpoints: [] },
  onlyEndpoints: ReadonlySet<string> | null = null): CatalogEntry[] {
  const endpoints = [...ownEndpoints(baseUrl, region), ...registered.endpoints]
    .filter((e) => e.enabled && (!onlyEndpoints || onlyEndpoints.has(e.id)));
  const entries = [...ownServices(), ...registered.services].filter((s) => s.enabled).map((s) => ({
    id: s.id, type: s.type, name: s.name, description: s.description, enabled: true,
    endpoints: endpoints.filter((e) => e.service_id === s.id)
      .map((e) => ({ id: e.id, interface: e.interface, region: e.region_id, region_id: e.region_id, url: e.url })),
  }));
  return onlyEndpoints ? entries.filter((s) => s.endpoints.length > 0) : entries;
}

/** Why an entry may not be deleted, or null when it may. Berth's own entries are always in use. */
export function deleteRefusal(kind: 'service' | 'endpoint' | 'region', id: string, region: string, inUse = 0): string | null {
  if (kind === 'service' && ownServices().some((s) => s.id === id)) return `Service ${id} is one Berth serves itself and cannot be deleted.`;
  if (kind === 'endpoint' && ownEndpoints('', region).some((e) => e.id === id)) return `Endpoint ${id} is one Berth serves itself and cannot be deleted.`;
  if (kind === 'region' && id === region) return `Region ${id} holds Berth's own endpoints and cannot be deleted.`;
  if (kind === 'region' && inUse > 0) return `Region ${id} is in use by ${inUse} endpoint(s) or child region(s) and cannot be deleted.`;
  return null;
}

/** Whether an endpoint matches an endpoint group's filters (service_id, region_id, interface). */
export function matchesFilters(e: { service_id: string; region_id: string | null; interface: string }, filters: Record<string, unknown>): boolean {
  return Object.entries(filters).every(([k, v]) => k === 'service_id' ? e.service_id === v : k === 'region_id' ? e.region_id === v : k === 'interface' ? e.interface === v : true);
}
