/**
 * @module Which compute host runs a build. A build is not a container the scheduler places: it needs
 * an enabled, up host whose agent a server holds; among those, one connected to this server is taken
 * first (no forwarding), then the one with the most free memory, then by name so the choice is stable.
 * Pure.
 */

export interface BuildHostView {
  id: string;
  name: string;
  enabled: boolean;
  up: boolean;
  /** The agent is connected to this server. */
  local: boolean;
  freeMemoryMb: number;
}

/** The host to build on, or undefined when none can. */
export function chooseBuildHost(hosts: readonly BuildHostView[]): BuildHostView | undefined {
  const usable = hosts.filter((h) => h.enabled && (h.up || h.local));
  usable.sort((a, b) => Number(b.local) - Number(a.local) || b.freeMemoryMb - a.freeMemoryMb || a.name.localeCompare(b.name));
  return usable[0];
}
