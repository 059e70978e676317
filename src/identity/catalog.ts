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

export interface CatalogEndpoint { id: string; interface: string; region: string; region_id: string; url: string }
export interface CatalogEntry { id: string; type: string; name: string; description: string; enabled: boolean; endpoints: CatalogEndpoint[] }

/** The catalog as seen from `baseUrl` (scheme://host:port the client used), so it is right behind any address. */
export function buildCatalog(baseUrl: string, region: string): CatalogEntry[] {
  return serviceDefinitions.map((s) => ({
    id: stableId(`service:${s.type}`),
    type: s.type,
    name: s.name,
    description: s.description,
    enabled: true,
    endpoints: interfaces.map((i) => ({
      id: stableId(`endpoint:${s.type}:${i}`),
      interface: i,
      region,
      region_id: region,
      url: baseUrl + s.path,
    })),
  }));
}
