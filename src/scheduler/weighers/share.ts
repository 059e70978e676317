/**
 * The fraction of a capacity that an amount takes, clamped to 0..1 so weighers stay in range even on an
 * overcommitted host. A zero capacity counts as empty while nothing is claimed and as full once anything
 * is (it cannot fit more, and 0/0 must not become NaN).
 */
export function share(amount: number, capacity: number): number {
  if (capacity <= 0) return amount > 0 ? 1 : 0;
  const f = amount / capacity;
  return f >= 1 ? 1 : f > 0 ? f : 0;
}
