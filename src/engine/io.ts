/**
 * @module
 * Small stream helpers for the engine adapter.
 */
import type { Duplex } from 'node:stream';

export function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer | string) => chunks.push(typeof c === 'string' ? Buffer.from(c) : c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** The hijacked connection dockerode hands back is a socket; its type says less. */
export function asDuplex(stream: unknown): Duplex {
  return stream as Duplex;
}

/** Decodes Docker's X-Docker-Container-Path-Stat header (base64 JSON: name, size, mode, mtime, linkTarget). */
export function decodePathStat(header: string | string[] | undefined): Record<string, unknown> {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return {};
  try {
    return JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Go's os.ModeDir is the top bit of the 32-bit mode. */
export function isDirectoryMode(mode: unknown): boolean {
  return typeof mode === 'number' && ((mode >>> 31) & 1) === 1;
}

/**
 * Docker ends its side of a hijacked connection when the process exits; nothing more can be written, so
 * end ours too instead of leaving a half-open socket that keeps the process alive.
 */
export function closeWhenEnded(stream: Duplex): Duplex {
  stream.once('end', () => stream.end());
  return stream;
}

/** Drops undefined values: dockerode would send them as empty query parameters. */
export function defined<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
