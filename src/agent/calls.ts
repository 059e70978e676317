/**
 * @module
 * The server's synchronous requests about one container (exec, logs, top, ...), answered from the
 * engine. Every outcome is a value: Docker's 4xx keep their status and message, anything else is a 500.
 */
import { EngineError, summarizeStats, type DockerEngine, type LogOptions } from '../engine/index.js';
import { statPath } from '../engine/path-stat.js';
import { engineName } from './engine-spec.js';
import type { CallMethod } from './protocol.js';

export interface CallContext {
  engine: DockerEngine;
  /** The status last reported for a container, named when it has no engine container. */
  statusOf: (uuid: string) => string | undefined;
  /** An interactive exec's engine id from the stream id the server knows it by, if it is one. */
  execIdOf?: (sid: string) => string | undefined;
}

export type CallResult =
  | { ok: true; value: unknown }
  | { ok: false; error: { status: number; message: string } };

type Params = Record<string, unknown>;

class CallError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export async function runCall(ctx: CallContext, method: CallMethod, uuid: string, params: Params): Promise<CallResult> {
  try {
    return { ok: true, value: await dispatch(ctx, method, uuid, params ?? {}) };
  } catch (e) {
    return { ok: false, error: errorOf(e) };
  }
}

async function dispatch(ctx: CallContext, method: CallMethod, uuid: string, p: Params): Promise<unknown> {
  const { engine } = ctx;
  if (method === 'exec_resize') {
    const execId = str(p, 'exec_id');
    await engine.resizeExec(ctx.execIdOf?.(execId) ?? execId, int(p, 'height'), int(p, 'width'));
    return {};
  }
  const state = await engine.inspect(engineName(uuid));
  if (!state) {
    throw new CallError(409, `Container ${uuid} has no engine container yet (status ${ctx.statusOf(uuid) ?? 'unknown'})`);
  }
  const id = state.id;
  switch (method) {
    case 'exec': {
      const options: { cmd: string[]; env?: string[]; workdir?: string } = { cmd: strList(p, 'command') };
      const env = envList(p.env);
      if (env) options.env = env;
      if (typeof p.workdir === 'string' && p.workdir !== '') options.workdir = p.workdir;
      const { output, exitCode } = await engine.exec(id, options);
      return { output, exit_code: exitCode };
    }
    case 'logs':
      return engine.logs(id, logOptions(p));
    case 'top':
      return engine.top(id, typeof p.ps_args === 'string' && p.ps_args !== '' ? p.ps_args : undefined);
    case 'stats':
      return summarizeStats(await engine.stats(id));
    case 'get_archive': {
      if (p.stat_only === true) return { data: '', stat: await statPath(engine.api, id, str(p, 'path')) };
      const { data, stat } = await engine.getArchive(id, str(p, 'path'));
      return { data: data.toString('base64'), stat };
    }
    case 'put_archive':
      await engine.putArchiveAt(id, str(p, 'path'), Buffer.from(str(p, 'data'), 'base64'));
      return {};
    case 'commit': {
      const options: { repository: string; tag?: string } = { repository: str(p, 'repository') };
      if (typeof p.tag === 'string' && p.tag !== '') options.tag = p.tag;
      return { imageId: await engine.commit(id, options) };
    }
    case 'kill':
      await engine.kill(id, typeof p.signal === 'string' && p.signal !== '' ? p.signal : undefined);
      return {};
    case 'resize':
      await engine.resize(id, int(p, 'height'), int(p, 'width'));
      return {};
    default:
      throw new CallError(400, `unknown call ${String(method)}`);
  }
}

function logOptions(p: Params): LogOptions {
  const o: LogOptions = {};
  if (typeof p.stdout === 'boolean') o.stdout = p.stdout;
  if (typeof p.stderr === 'boolean') o.stderr = p.stderr;
  if (typeof p.timestamps === 'boolean') o.timestamps = p.timestamps;
  if (p.tail !== undefined && p.tail !== null && p.tail !== 'all') {
    const tail = Number(p.tail);
    if (!Number.isInteger(tail) || tail < 0) throw new CallError(400, `tail must be a non-negative integer or "all", not ${JSON.stringify(p.tail)}`);
    o.tail = tail;
  }
  if (p.since !== undefined && p.since !== null && p.since !== '') o.since = unixSeconds(p.since);
  return o;
}

/** `since` as Zun takes it: unix seconds, or a date. */
function unixSeconds(v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.floor(v);
  if (typeof v === 'string') {
    if (/^\d+(\.\d+)?$/.test(v)) return Math.floor(Number(v));
    const ms = Date.parse(v);
    if (!Number.isNaN(ms)) return Math.floor(ms / 1000);
  }
  throw new CallError(400, `since must be unix seconds or a date, not ${JSON.stringify(v)}`);
}

function envList(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  if (typeof v === 'object' && !Array.isArray(v)) return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}=${String(x)}`);
  throw new CallError(400, 'env must be an object of strings or a list of KEY=VALUE');
}

function str(p: Params, key: string): string {
  const v = p[key];
  if (typeof v !== 'string' || v === '') throw new CallError(400, `${key} is required`);
  return v;
}

function strList(p: Params, key: string): string[] {
  const v = p[key];
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string')) {
    throw new CallError(400, `${key} must be a non-empty list of strings`);
  }
  return v;
}

function int(p: Params, key: string): number {
  const v = Number(p[key]);
  if (!Number.isInteger(v) || v < 0) throw new CallError(400, `${key} must be a non-negative integer`);
  return v;
}

function errorOf(e: unknown): { status: number; message: string } {
  if (e instanceof CallError) return { status: e.status, message: e.message };
  if (e instanceof EngineError) return { status: e.status >= 400 && e.status < 500 ? e.status : 500, message: e.message };
  return { status: 500, message: e instanceof Error ? e.message : String(e) };
}
