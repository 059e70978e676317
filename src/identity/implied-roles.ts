/**
 * Keystone's implied roles, as pure functions over plain data. A rule (prior → implied) means whoever
 * holds the prior role also holds the implied one; rules chain (a → b → c gives c to a holder of a) and
 * a cycle ends where a role is reached again. Domain-specific roles are never effective themselves:
 * after expansion they are dropped, so they count only through the global roles they imply.
 */

export interface InferenceRule { prior: string; implied: string }

/** The role ids `held` gives, each with the held role it came from (itself for a held role), held first. */
export function expandRoleIds(held: readonly string[], rules: readonly InferenceRule[]): { id: string; from: string }[] {
  const next = new Map<string, string[]>();
  for (const r of rules) next.set(r.prior, [...(next.get(r.prior) ?? []), r.implied]);
  const seen = new Set<string>(held);
  const out = held.map((id) => ({ id, from: id }));
  const queue = [...out];
  while (queue.length) {
    const cur = queue.shift()!;
    for (const id of next.get(cur.id) ?? []) {
      if (seen.has(id)) continue;
      seen.add(id);
      const item = { id, from: cur.from };
      out.push(item);
      queue.push(item);
    }
  }
  return out;
}

/** The effective role ids of a holder of `held`: expanded, domain-specific roles (`isDomainRole`) left out. */
export function effectiveRoleIds(held: readonly string[], rules: readonly InferenceRule[], isDomainRole: (id: string) => boolean): string[] {
  return expandRoleIds(held, rules).map((r) => r.id).filter((id) => !isDomainRole(id));
}

/**
 * Why a new rule is refused, or undefined when it may be made. Keystone's checks: a role does not
 * imply itself, `admin` is never implied, a global role does not imply a domain-specific one.
 */
export function inferenceRefusal(prior: { id: string; name: string; domainId: string | null }, implied: { id: string; name: string; domainId: string | null }):
  { status: 'bad_request' | 'forbidden'; message: string } | undefined {
  if (prior.id === implied.id) return { status: 'bad_request', message: `Role ${prior.id} cannot imply itself.` };
  if (implied.name === 'admin' && implied.domainId === null) return { status: 'forbidden', message: `${implied.id} is not permitted to be an implied role.` };
  if (prior.domainId === null && implied.domainId !== null)
    return { status: 'forbidden', message: `A global role (${prior.id}) cannot imply the domain-specific role ${implied.id}.` };
  return undefined;
}
