import { BerthError } from '../../core/errors.js';

/** Parses Zun's memory notation: a number of MiB, or a number with a b/k/m/g suffix. */
export function parseMemoryMb(v: string | number): number {
  if (typeof v === 'number') return v;
  const m = /^([0-9]+)([bkmgBKMG]?)$/.exec(v);
  if (!m) throw new BerthError('bad_request', `Invalid memory "${v}": use a number of MiB, optionally with a b, k, m or g suffix.`);
  const n = Number(m[1]);
  switch (m[2].toLowerCase()) {
    case 'b': return Math.ceil(n / (1024 * 1024));
    case 'k': return Math.ceil(n / 1024);
    case 'g': return n * 1024;
    default: return n;
  }
}

export const MIN_MEMORY_MB = 6;
export const MAX_MEMORY_MB = 1024 * 1024;
export const MAX_CPU = 1024;

export function checkResources(cpu: number | undefined, memoryMb: number | undefined): void {
  if (cpu !== undefined && (!Number.isFinite(cpu) || cpu <= 0 || cpu > MAX_CPU))
    throw new BerthError('bad_request', `Invalid cpu ${cpu}: it must be more than 0 and at most ${MAX_CPU}.`);
  if (memoryMb !== undefined && (!Number.isFinite(memoryMb) || memoryMb < MIN_MEMORY_MB || memoryMb > MAX_MEMORY_MB))
    throw new BerthError('bad_request', `Invalid memory ${memoryMb} MiB: it must be at least ${MIN_MEMORY_MB} MiB (Docker's minimum) and at most ${MAX_MEMORY_MB} MiB.`);
}

/** Splits a command line as a POSIX shell would for words and quotes (no expansion). */
export function splitCommand(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: '"' | "'" | null = null;
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length && '"\\$`'.includes(line[i + 1])) cur += line[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (quote) throw new BerthError('bad_request', `Unterminated quote in command: ${line}`);
  if (inWord) out.push(cur);
  return out;
}

/**
 * True when `b` starts with a tar header whose checksum is right (or with the zero block of an empty
 * archive). The engine answers a 500 to anything else, so the API refuses it first.
 */
export function isTarArchive(b: Buffer): boolean {
  if (b.length < 512) return false;
  const block = b.subarray(0, 512);
  if (block.every((x) => x === 0)) return true;
  const field = block.toString('latin1', 148, 156).replace(/[\0 ]+$/, '').trim();
  if (!/^[0-7]+$/.test(field)) return false;
  const stored = parseInt(field, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < 512; i++) {
    const x = i >= 148 && i < 156 ? 0x20 : block[i];
    unsigned += x;
    signed += x > 127 ? x - 256 : x;
  }
  return stored === unsigned || stored === signed;
}
