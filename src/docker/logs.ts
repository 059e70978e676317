/**
 * @module
 * Docker's logs request as the agent's logs stream takes it, and how the answer is typed. No I/O.
 */
import { BerthError } from '../core/errors.js';
import { parseDockerTime } from './events.js';

/** Docker's reading of a boolean query value: anything but empty, 0, no, false or none is true. */
export function dockerBool(v: string | undefined, fallback = false): boolean {
  if (v === undefined) return fallback;
  return !['', '0', 'no', 'false', 'none'].includes(v.trim().toLowerCase());
}

export interface LogsQuery {
  stdout?: string; stderr?: string; follow?: string; timestamps?: string; tail?: string; since?: string; until?: string;
}

export interface LogsParams {
  stdout: boolean; stderr: boolean; follow: boolean; timestamps: boolean; tail: string; since?: string; until?: string;
  [key: string]: unknown;
}

/** The agent's parameters for a logs request; a 400 when it asks for nothing or has a bad value. */
export function logsParams(q: LogsQuery): LogsParams {
  const stdout = dockerBool(q.stdout);
  const stderr = dockerBool(q.stderr);
  if (!stdout && !stderr) throw new BerthError('bad_request', 'Bad parameters: you must choose at least one stream');
  const tail = (q.tail ?? '').trim();
  if (tail !== '' && tail !== 'all' && !/^-?\d+$/.test(tail)) throw new BerthError('bad_request', `tail must be a number of lines or "all", not ${JSON.stringify(q.tail)}`);
  const p: LogsParams = {
    stdout, stderr,
    follow: dockerBool(q.follow),
    timestamps: dockerBool(q.timestamps),
    // NOTE: Docker takes a negative tail as "all".
    tail: tail === '' || tail.startsWith('-') ? 'all' : tail,
  };
  const since = timeParam('since', q.since);
  const until = timeParam('until', q.until);
  if (since !== undefined) p.since = since;
  if (until !== undefined) p.until = until;
  return p;
}

function timeParam(name: string, v: string | undefined): string | undefined {
  if (v === undefined || v.trim() === '' || v.trim() === '0') return undefined;
  const seconds = parseDockerTime(name, v, Date.now());
  return seconds.toFixed(9);
}

/** Docker types a TTY container's stream as raw bytes, any other as multiplexed frames. */
export function logsContentType(tty: boolean): string {
  return tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream';
}

/** Whether a container's stored spec (JSON) asks for a TTY. */
export function specHasTty(spec: string): boolean {
  try {
    return (JSON.parse(spec) as { tty?: unknown }).tty === true;
  } catch {
    return false;
  }
}
