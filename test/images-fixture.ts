/**
 * Shared pieces of the image suites: a `docker save` of busybox from the test run's engine (made once per
 * process), Glance calls with the Accept header openstacksdk sends, Glance's JSON error format, and the
 * files in a server's image directory.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HttpAnswer, TestServer } from './helpers.js';
import { docker, dockerHost } from './containers-fixture.js';

export const GLANCE = '/image/v2';

let saved: Promise<{ path: string; data: Buffer } | string> | undefined;

/**
 * `docker save busybox:latest` into a temporary file: its path and bytes, or why there is none (then the
 * cases that need a real archive are skipped with that reason).
 */
export function busyboxTar(): Promise<{ path: string; data: Buffer } | string> {
  saved ??= (async () => {
    if (!dockerHost) return 'DOCKER_HOST is not set: cases with a real docker save archive skipped (scripts/test.sh sets it)';
    const dir = mkdtempSync(join(tmpdir(), 'berth-busybox-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'busybox.tar');
    const r = await docker(['save', 'busybox:latest', '-o', path], 60_000);
    if (r.code !== 0) return `docker save busybox:latest failed on ${dockerHost}: ${(r.stderr || r.stdout).trim().split('\n')[0]}`;
    return { path, data: readFileSync(path) };
  })();
  return saved;
}

export type Glance = (method: string, path: string, o?: { body?: unknown; headers?: Record<string, string> }) => Promise<HttpAnswer>;

/** Glance calls as the holder of `token`, under /image/v2, accepting JSON as openstacksdk does. */
export function glanceAs(s: TestServer, token: string): Glance {
  return (method, path, o = {}) => s.request(method, `${GLANCE}${path}`, { token, body: o.body, headers: { Accept: 'application/json', ...o.headers } });
}

/** Uploads image data (PUT .../file) as application/octet-stream. */
export function upload(g: Glance, id: string, data: Buffer | string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return g('PUT', `/images/${id}/file`, { body: typeof data === 'string' ? Buffer.from(data) : data, headers: { 'Content-Type': 'application/octet-stream', ...headers } });
}

/** A JSON-patch (draft 10) of an image. */
export function patch(g: Glance, id: string, ops: unknown): Promise<HttpAnswer> {
  return g('PATCH', `/images/${id}`, { body: JSON.stringify(ops), headers: { 'Content-Type': 'application/openstack-images-v2.1-json-patch' } });
}

/** Asserts Glance's JSON error: the status, {message, code: "404 Not Found", title}, and the message. */
export function assertGlanceError(r: HttpAnswer, status: number, message?: RegExp, what = ''): void {
  const where = `${what ? `${what}: ` : ''}${r.status} ${r.text.slice(0, 300)}`;
  assert.equal(r.status, status, where);
  assert.equal(typeof r.json?.message, 'string', `Glance error format: ${where}`);
  assert.match(r.json.code, new RegExp(`^${status} `), where);
  assert.equal(typeof r.json.title, 'string', where);
  if (message) assert.match(r.json.message, message, where);
}

/** The files of the server's image directory (default: images/ in its data directory). */
export function imageFiles(s: TestServer): string[] {
  try {
    return readdirSync(join(s.dataDir, 'images')).sort();
  } catch {
    return [];
  }
}
