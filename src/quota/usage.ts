/**
 * @module The reference semantics of the quota usage rows: what the SQL adapter's conditional writes do,
 * used by tests and by admit/reclaim to simulate an admission. Immutable: every function returns a new map.
 */
import * as A from './amounts.js';
import type { Amounts, Resource, Take, Usage } from './types.js';

export type Applied = { ok: true; usage: Usage } | { ok: false; scope: string; exceeded: Resource[] };

/** A scope's row (all zeros when missing). */
export function rowOf(usage: Usage, scope: string): Amounts {
  return usage.get(scope) ?? A.zero();
}

/** What a member with `used` on its own row draws on its pool: max(0, used − reserved). */
export function draw(reserved: Amounts, used: Amounts): Amounts {
  return A.clamp(A.sub(used, reserved));
}

/**
 * The change of a member's draw on its pool when its own row changed by `change` and is now
 * `ownUsedAfter`: draw(after) − draw(after − change). Positive for a take, negative for a release.
 */
export function drawDelta(reserved: Amounts, ownUsedAfter: Amounts, change: Amounts): Amounts {
  return A.sub(draw(reserved, ownUsedAfter), draw(reserved, A.sub(ownUsedAfter, change)));
}

/**
 * Makes the writes of `takes` in order for `request`: an own row gets `used + request`, refused when it
 * exceeds the limit in a resource with request > 0; a pool row gets the member's draw change, refused
 * when it exceeds the capacity in a resource where the change is positive. Stops at the first refusal.
 */
export function applyTakes(usage: Usage, takes: readonly Take[], request: Amounts): Applied {
  const next = new Map(usage);
  for (const t of takes) {
    const used = rowOf(next, t.scope);
    const change = t.kind === 'own' ? request : drawDelta(t.reserved, rowOf(next, t.member), request);
    const exceeded = A.overflow(used, change, t.kind === 'own' ? t.limit : t.capacity);
    if (exceeded.length > 0) return { ok: false, scope: t.scope, exceeded };
    next.set(t.scope, A.add(used, change));
  }
  return { ok: true, usage: next };
}

/** The same writes with −request (giving back what an admission took); never refused. */
export function releaseTakes(usage: Usage, takes: readonly Take[], request: Amounts): Usage {
  const next = new Map(usage);
  const change = A.negate(request);
  for (const t of takes) {
    const used = rowOf(next, t.scope);
    next.set(t.scope, A.add(used, t.kind === 'own' ? change : drawDelta(t.reserved, rowOf(next, t.member), change)));
  }
  return next;
}
