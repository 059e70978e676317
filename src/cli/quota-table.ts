/**
 * @module The quota tree as a text table: one line per project and resource, the project indented by
 * its depth, its name, mode and preempted containers on its first line only.
 */

export const TABLE_RESOURCES = ['containers', 'cpu', 'memory', 'disk'] as const;
type TableResource = (typeof TABLE_RESOURCES)[number];

/** One project as GET /container/v1/os-berth/quota-tree answers it. */
export interface TreeProject {
  id: string;
  name: string;
  parent_id: string | null;
  depth: number;
  mode: string;
  weight: number;
  priority: number;
  preempted: number;
  resources: Record<TableResource, { guarantee: number | null; limit: number | null; in_use: number; borrowed: number; lent: number }>;
}

const HEADERS = ['PROJECT', 'MODE', 'RESOURCE', 'GUARANTEE', 'LIMIT', 'IN USE', 'BORROWED', 'LENT', 'PREEMPTED'];
/** Columns aligned right (numbers). */
const NUMERIC = new Set([3, 4, 5, 6, 7, 8]);

/** A number for people: whole numbers as they are, fractions (cpu) to two places; null is no limit. */
export function amountText(v: number | null | undefined, none = 'unlimited'): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return none;
  return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(2)));
}

export function quotaTable(projects: readonly TreeProject[]): string {
  const top = Math.min(...projects.map((p) => p.depth));
  const rows: string[][] = [];
  for (const p of projects) {
    TABLE_RESOURCES.forEach((r, i) => {
      const x = p.resources[r];
      const first = i === 0;
      rows.push([
        first ? `${'  '.repeat(Math.max(0, p.depth - top))}${p.name}` : '',
        first ? p.mode : '',
        r,
        amountText(x.guarantee),
        amountText(x.limit),
        amountText(x.in_use),
        amountText(x.borrowed),
        amountText(x.lent),
        first ? String(p.preempted) : '',
      ]);
    });
  }
  const widths = HEADERS.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const line = (cells: string[]) => cells.map((v, c) => (NUMERIC.has(c) ? v.padStart(widths[c]) : v.padEnd(widths[c]))).join('  ').trimEnd();
  return [line(HEADERS), ...rows.map(line)].join('\n') + '\n';
}
