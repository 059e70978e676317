/**
 * @module
 * Docker exec instances as the endpoint keeps them: what `POST /containers/{id}/exec` asked for, read
 * from Docker's wire format, and what `GET /exec/{id}/json` shows. No I/O.
 */
import { BerthError } from '../core/errors.js';

export interface ExecRequest {
  cmd: string[];
  tty: boolean;
  env?: string[];
  workdir?: string;
  user?: string;
  privileged: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  detachKeys?: string;
  /** [height, width]. */
  consoleSize?: [number, number];
}

export interface ExecRecord extends ExecRequest {
  id: string;
  containerUuid: string;
  hostId: string | null;
  projectId: string;
  started: boolean;
  running: boolean;
  exitCode: number | null;
  pid: number;
  /** Milliseconds since the epoch. */
  createdAt: number;
  endedAt?: number;
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new BerthError('bad_request', `${key} must be a string`);
  return v;
}

function flag(body: Record<string, unknown>, key: string): boolean {
  const v = body[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new BerthError('bad_request', `${key} must be true or false`);
  return v;
}

/** The body of `POST /containers/{id}/exec`, checked; a bad one is a 400 worded as Docker words it. */
export function parseExecRequest(raw: unknown): ExecRequest {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new BerthError('bad_request', 'the exec configuration must be a JSON object');
  const body = raw as Record<string, unknown>;
  const cmd = body.Cmd;
  if (cmd === undefined || cmd === null || (Array.isArray(cmd) && cmd.length === 0)) throw new BerthError('bad_request', 'No exec command specified');
  if (!isStrings(cmd)) throw new BerthError('bad_request', 'Cmd must be a list of strings');
  const env = body.Env;
  if (env !== undefined && env !== null && !isStrings(env)) throw new BerthError('bad_request', 'Env must be a list of strings');
  const workdir = optionalString(body, 'WorkingDir');
  if (workdir !== undefined && !workdir.startsWith('/')) {
    throw new BerthError('bad_request', `the working directory '${workdir}' is invalid, it needs to be an absolute path`);
  }
  let consoleSize: [number, number] | undefined;
  const size = body.ConsoleSize;
  if (size !== undefined && size !== null) {
    if (!Array.isArray(size) || size.length !== 2 || !size.every((n) => Number.isInteger(n) && n >= 0)) {
      throw new BerthError('bad_request', 'ConsoleSize must be [height, width]');
    }
    if (size[0] > 0 && size[1] > 0) consoleSize = [size[0] as number, size[1] as number];
  }
  return {
    cmd,
    tty: flag(body, 'Tty'),
    ...(isStrings(env) && env.length ? { env } : {}),
    ...(workdir ? { workdir } : {}),
    ...(optionalString(body, 'User') ? { user: optionalString(body, 'User') } : {}),
    privileged: flag(body, 'Privileged'),
    stdin: flag(body, 'AttachStdin'),
    stdout: flag(body, 'AttachStdout'),
    stderr: flag(body, 'AttachStderr'),
    ...(optionalString(body, 'DetachKeys') ? { detachKeys: optionalString(body, 'DetachKeys') } : {}),
    ...(consoleSize ? { consoleSize } : {}),
  };
}

/** The body of `POST /exec/{id}/start`: whether to run detached, and the TTY flag it repeats. */
export function parseExecStart(raw: unknown): { detach: boolean; tty?: boolean } {
  if (raw === undefined || raw === null) return { detach: false };
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new BerthError('bad_request', 'the exec start configuration must be a JSON object');
  const body = raw as Record<string, unknown>;
  return { detach: flag(body, 'Detach'), ...(body.Tty === undefined || body.Tty === null ? {} : { tty: flag(body, 'Tty') }) };
}

/** `GET /exec/{id}/json`. */
export function execInspect(r: ExecRecord, containerId: string): Record<string, unknown> {
  return {
    ID: r.id,
    Running: r.running,
    ExitCode: r.exitCode,
    ProcessConfig: { entrypoint: r.cmd[0], arguments: r.cmd.slice(1), tty: r.tty, user: r.user ?? '', privileged: r.privileged },
    OpenStdin: r.stdin,
    OpenStderr: r.stderr,
    OpenStdout: r.stdout,
    CanRemove: false,
    ContainerID: containerId,
    DetachKeys: r.detachKeys ?? '',
    Pid: r.pid,
  };
}

/** Docker's query booleans: absent is undefined; empty, 0, no, false and none are false; anything else true. */
export function queryFlag(value: string | null | undefined): boolean | undefined {
  if (value === null || value === undefined) return undefined;
  return !['', '0', 'no', 'false', 'none'].includes(value.toLowerCase());
}

/**
 * Whether a hijacked stream carries Docker's 8-byte frames (stdout apart from stderr) and says so in
 * its content type: without a TTY, for clients of API 1.42 and later (older ones get the same bytes
 * under the raw-stream type).
 */
export function multiplexedStream(tty: boolean, apiVersion: string): boolean {
  if (tty) return false;
  const [major, minor] = apiVersion.split('.').map(Number);
  return major > 1 || (major === 1 && minor >= 42);
}
