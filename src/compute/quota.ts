/**
 * @module Nova's quota set over Berth's quota model: instances, cores and ram are the container quota's
 * containers, cpu and memory (one model, two faces); the quotas Nova has and Berth does not count are
 * shown with Nova's defaults. Pure.
 */

export interface ContainerQuota { containers: number; cpu: number; memory: number; disk: number }

/** Nova's fixed quotas that Berth shows but does not count (key_pairs is per user, as in Nova). */
export const FIXED = {
  key_pairs: 100, metadata_items: 128, injected_files: 5, injected_file_content_bytes: 10240, injected_file_path_bytes: 255,
  server_groups: 10, server_group_members: 10, fixed_ips: -1, floating_ips: -1, security_groups: -1, security_group_rules: -1,
} as const;

export function novaQuotaSet(projectId: string, q: ContainerQuota): Record<string, string | number> {
  return { id: projectId, instances: q.containers, cores: q.cpu, ram: q.memory, ...FIXED };
}

/** The detail form: each quota as {limit, in_use, reserved}. */
export function novaQuotaDetail(projectId: string, limit: ContainerQuota, used: ContainerQuota): Record<string, unknown> {
  const out: Record<string, unknown> = { id: projectId };
  const set = novaQuotaSet(projectId, limit);
  const inUse: Record<string, number> = { instances: used.containers, cores: Math.ceil(used.cpu), ram: used.memory };
  for (const [k, v] of Object.entries(set)) if (k !== 'id') out[k] = { limit: v, in_use: inUse[k] ?? 0, reserved: 0 };
  return out;
}

/** Nova's quota update body in the container quota's words; quotas Berth does not count are ignored. */
export function containerQuotaOf(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (body.instances !== undefined) out.containers = body.instances;
  if (body.cores !== undefined) out.cpu = body.cores;
  if (body.ram !== undefined) out.memory = body.ram;
  return out;
}

/** Nova's limit on a server's metadata items, said as its 403 when passed; null when within. */
export function metadataItemsProblem(count: number): string | null {
  return count > FIXED.metadata_items ? `Quota exceeded for metadata_items: Requested ${count}, but the limit is ${FIXED.metadata_items}.` : null;
}

/** `GET /limits`' absolute limits. */
export function novaAbsoluteLimits(limit: ContainerQuota, used: ContainerQuota): Record<string, number> {
  return {
    maxTotalInstances: limit.containers, maxTotalCores: limit.cpu, maxTotalRAMSize: limit.memory,
    totalInstancesUsed: used.containers, totalCoresUsed: Math.ceil(used.cpu), totalRAMUsed: used.memory,
    maxTotalKeypairs: FIXED.key_pairs, maxServerMeta: FIXED.metadata_items, maxPersonality: FIXED.injected_files,
    maxPersonalitySize: FIXED.injected_file_content_bytes, maxServerGroups: FIXED.server_groups,
    maxServerGroupMembers: FIXED.server_group_members, maxImageMeta: 128, maxSecurityGroups: -1, maxSecurityGroupRules: -1,
    maxTotalFloatingIps: -1, totalFloatingIpsUsed: 0, totalSecurityGroupsUsed: 0, totalServerGroupsUsed: 0,
  };
}

const NOVA_NAMES: Record<string, string> = { containers: 'instances', cpu: 'cores', memory: 'ram' };

/** A container-quota message in Nova's names (containers → instances, cpu → cores, memory → ram). */
export const inNovaNames = (message: string) => message.replace(/'(containers|cpu|memory)'/g, (_m, k: string) => `'${NOVA_NAMES[k]}'`);

/**
 * Nova refuses a quota under what the project uses unless `force` is set: the 400 it answers, or null.
 * `-1` (unlimited) is never under.
 */
export function quotaBelowUsageProblem(update: Partial<ContainerQuota>, used: ContainerQuota): string | null {
  for (const [k, v] of Object.entries(update) as [keyof ContainerQuota, unknown][]) {
    const limit = Number(v);
    const inUse = k === 'cpu' ? Math.ceil(used.cpu) : used[k];
    if (limit >= 0 && limit < inUse) return `Quota limit ${limit} for ${NOVA_NAMES[k] ?? k} must be greater than or equal to already used and reserved ${inUse}.`;
  }
  return null;
}
