/**
 * @module A Berth host as Nova's hypervisor: its integer id, its engine version as Nova's integer
 * version, its uptime line, and which hosts a hostname pattern names. Pure.
 */
import { createHash } from 'node:crypto';

/**
 * Nova's id of a host (microversion 2.1 ids are integers): a stable positive number from the host's
 * id, under 2^31 so that any client's 32-bit integer holds it.
 */
export function hypervisorId(hostId: string): number {
  return parseInt(createHash('sha256').update(hostId).digest('hex').slice(0, 8), 16) % 0x7fffffff + 1;
}

/** An integer id as given in a path (digits only, no sign); undefined otherwise. */
export function parseHypervisorId(text: string): number | undefined {
  return /^\d{1,10}$/.test(text) ? Number(text) : undefined;
}

/** A dotted version as Nova's integer (1.2.3 → 1002003); 0 when it has no number. */
export function versionNumber(version: string): number {
  const parts = version.split(/[.+-]/).slice(0, 3).map((p) => parseInt(p, 10));
  if (parts.length === 0 || Number.isNaN(parts[0])) return 0;
  return parts.reduce((n, p) => n * 1000 + (Number.isNaN(p) ? 0 : Math.min(p, 999)), 0) * 1000 ** (3 - parts.length);
}

/** An uptime line as `uptime` prints its start: ` HH:MM:SS up D days, H:MM`, since `since`. */
export function uptimeLine(now: Date, since: Date): string {
  const clock = now.toISOString().slice(11, 19);
  const mins = Math.max(0, Math.floor((now.getTime() - since.getTime()) / 60_000));
  const days = Math.floor(mins / 1440);
  const hm = `${Math.floor((mins % 1440) / 60)}:${String(mins % 60).padStart(2, '0')}`;
  return ` ${clock} up ${days > 0 ? `${days} day${days === 1 ? '' : 's'}, ` : ''}${hm}`;
}

/** Whether a hostname matches Nova's search pattern: the pattern anywhere in it, case-insensitive. */
export const matchesHostname = (hostname: string, pattern: string): boolean => hostname.toLowerCase().includes(pattern.toLowerCase());
