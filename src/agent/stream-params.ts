/**
 * @module
 * The options of a Docker client's exec or attach session as the server sends them in `stream-open`
 * params (`raw: true`), read back into the engine's terms. No I/O.
 */
import type { AttachSessionOptions, ExecSessionOptions } from '../engine/sessions.js';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined);

export function rawExecOptions(p: Record<string, unknown>): ExecSessionOptions {
  const cmd = strings(p.command);
  if (!cmd || cmd.length === 0) throw new Error('command must be a non-empty list of strings');
  const size = Array.isArray(p.consoleSize) && p.consoleSize.length === 2 && p.consoleSize.every((n) => Number.isInteger(n) && n > 0)
    ? (p.consoleSize as [number, number]) : undefined;
  return {
    cmd,
    tty: p.tty === true,
    env: strings(p.env),
    workdir: str(p.workdir),
    user: str(p.user),
    privileged: bool(p.privileged),
    stdin: bool(p.stdin),
    stdout: bool(p.stdout),
    stderr: bool(p.stderr),
    detachKeys: str(p.detachKeys),
    consoleSize: size,
  };
}

export function rawAttachOptions(p: Record<string, unknown>): AttachSessionOptions {
  return {
    stdin: bool(p.stdin),
    stdout: bool(p.stdout),
    stderr: bool(p.stderr),
    logs: bool(p.logs),
    stream: bool(p.stream),
    detachKeys: str(p.detachKeys),
  };
}
