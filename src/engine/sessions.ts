/**
 * @module
 * Hijacked engine sessions with Docker's full options: an exec with environment, working directory and
 * user, an attach choosing its streams, and the exit code of an exec once its stream ended. The bytes
 * of these connections are what Docker sends: multiplexed frames without a TTY, raw with one.
 */
import type Docker from 'dockerode';
import type { Duplex } from 'node:stream';
import { call, EngineError } from './errors.js';
import { asDuplex, closeWhenEnded, defined } from './io.js';

export interface ExecSessionOptions {
  cmd: string[];
  tty: boolean;
  env?: string[];
  workdir?: string;
  user?: string;
  privileged?: boolean;
  /** Which streams the session carries; all three when not said. */
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  detachKeys?: string;
  /** [height, width] of the TTY at start. */
  consoleSize?: [number, number];
}

export interface AttachSessionOptions {
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  /** Replay what the container already wrote before following. */
  logs?: boolean;
  /** Follow the container's output (false: the replay only). */
  stream?: boolean;
  detachKeys?: string;
}

const EXIT_CODE_POLL_MS = 10;
const EXIT_CODE_WAIT_MS = 5_000;

/** Creates and starts an exec on a hijacked connection: writes are its stdin. */
export async function openExecSession(api: Docker, containerId: string, o: ExecSessionOptions): Promise<{ execId: string; stream: Duplex }> {
  const stdin = o.stdin ?? true;
  const exec = await call(api.getContainer(containerId).exec(defined({
    Cmd: o.cmd, Env: o.env, WorkingDir: o.workdir, User: o.user, Privileged: o.privileged,
    AttachStdin: stdin, AttachStdout: o.stdout ?? true, AttachStderr: o.stderr ?? true, Tty: o.tty,
    DetachKeys: o.detachKeys, ConsoleSize: o.consoleSize,
  })));
  const stream = await call(exec.start(defined({ hijack: true, stdin, Detach: false, Tty: o.tty, ConsoleSize: o.consoleSize })));
  return { execId: exec.id, stream: closeWhenEnded(asDuplex(stream)) };
}

/** Attaches to a container (created, running or stopped) on a hijacked connection. */
export async function openAttachSession(api: Docker, containerId: string, o: AttachSessionOptions): Promise<Duplex> {
  const stream = await call(api.getContainer(containerId).attach(defined({
    stream: o.stream ?? true, stdin: o.stdin ?? true, stdout: o.stdout ?? true, stderr: o.stderr ?? true,
    logs: o.logs, detachKeys: o.detachKeys, hijack: true,
  })));
  return closeWhenEnded(asDuplex(stream));
}

/**
 * The exit code of an exec whose stream ended. Docker records it a moment after the stream closes, so
 * this asks until the exec is no longer running; undefined when it is still running after a while (the
 * session was detached with the detach keys) or the exec is gone.
 */
export async function execExitCode(api: Docker, execId: string, signal?: AbortSignal): Promise<number | undefined> {
  const deadline = Date.now() + EXIT_CODE_WAIT_MS;
  for (;;) {
    let state: { Running: boolean; ExitCode: number | null };
    try {
      state = await call(api.getExec(execId).inspect());
    } catch (e) {
      if (e instanceof EngineError && e.status === 404) return undefined;
      throw e;
    }
    if (!state.Running && state.ExitCode !== null) return state.ExitCode;
    if (Date.now() > deadline || signal?.aborted) return undefined;
    await new Promise((r) => setTimeout(r, EXIT_CODE_POLL_MS));
  }
}
