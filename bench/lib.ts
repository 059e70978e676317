/**
 * @module Small helpers shared by Berth's benchmarks: percentiles, a seeded random source, and one way to
 * print a result (a readable table for people, then one JSON line for scripts).
 */

/** Nearest-rank percentile of an ascending array; p in 0..100. NaN for an empty array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** A small seeded PRNG (mulberry32): benchmarks replay the same workload on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function formatValue(v: unknown): string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return String(v);
    return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toLocaleString('en-US', { maximumFractionDigits: 2 });
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** A plain-text table: a header row, a rule, then the rows; numbers right-aligned. */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  const cells = rows.map((r) => r.map(formatValue));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[], raw: readonly unknown[]) =>
    r.map((c, i) => (typeof raw[i] === 'number' ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [
    line(headers, headers),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map((r, i) => line(r, rows[i])),
  ].join('\n');
}

/** Prints a result as a two-column table, then as one JSON line `{"bench": name, ...result}`. */
export function printResult(name: string, result: Record<string, unknown>): void {
  console.log(`\n== ${name} ==`);
  console.log(formatTable(['metric', 'value'], Object.entries(result)));
  console.log(JSON.stringify({ bench: name, ...result }));
}

/** Milliseconds since an arbitrary origin, with sub-millisecond resolution. */
export function now(): number {
  return performance.now();
}
