/**
 * @module
 * Relays a Docker client's hijacked connection to an exec or attach session on the container's host.
 * The 101 is answered only once the agent says the engine connection is open (its first, empty chunk),
 * so `docker run` starts the container after its attach is in place; a session that cannot open is an
 * error answer instead. The client's half-close ends the input only; the session's end closes the
 * client's socket, after `onEnd` recorded the exit code.
 */
import type { Duplex } from 'node:stream';
import { BerthError } from '../../core/errors.js';
import type { AgentHub, StreamHandle } from '../../server/hub.js';
import { toErrorAnswer } from '../errors.js';
import { errorAnswer, upgradeAnswer } from './hijack.js';

/** How long the host may take to open the engine connection before the client is told it cannot. */
const OPEN_WITHIN_MS = 30_000;

export interface RelayOptions {
  hub: AgentHub;
  socket: Duplex;
  /** Bytes of the client's input that came with the request. */
  head?: Buffer;
  hostId: string | null;
  kind: 'exec' | 'attach';
  uuid: string;
  params: Record<string, unknown>;
  multiplexed: boolean;
  requestId: string;
  /** The session is open (the 101 is sent). */
  onOpen?: (handle: StreamHandle) => void;
  /** The session ended, with the exec's exit code when known; called before the client's socket closes. */
  onEnd?: (exitCode: number | undefined) => void;
  /** The session could not open. */
  onFail?: () => void;
}

/** Resolves once the session opened or failed to. */
export function relayHijacked(o: RelayOptions): Promise<void> {
  const { socket } = o;
  let state: 'opening' | 'open' | 'done' = 'opening';
  let settle: () => void = () => undefined;
  const settled = new Promise<void>((resolve) => (settle = resolve));
  socket.pause();

  const fail = (e: unknown) => {
    if (state !== 'opening') return;
    state = 'done';
    clearTimeout(timer);
    o.onFail?.();
    const a = toErrorAnswer(e, o.requestId);
    if (!socket.destroyed && socket.writable) errorAnswer(socket, a.status, a.title, a.message);
    settle();
  };

  const end = (exitCode: number | undefined) => {
    if (state === 'done') return;
    state = 'done';
    o.onEnd?.(exitCode);
    socket.end();
  };

  const open = () => {
    state = 'open';
    clearTimeout(timer);
    upgradeAnswer(socket, o.multiplexed);
    o.onOpen?.(handle);
    if (o.head?.length) handle.send(o.head);
    socket.on('data', (d: Buffer) => {
      if (d.length > 0) handle.send(d);
    });
    // The client closed its input (CloseWrite); the output goes on.
    socket.on('end', () => handle.send(Buffer.alloc(0)));
    socket.resume();
    settle();
  };

  const handle = o.hub.openStream(o.hostId, o.kind, o.uuid, { ...o.params, raw: true },
    (data) => {
      if (state === 'opening') {
        if (data.length === 0) open();
        return;
      }
      if (state === 'open' && data.length > 0 && socket.writable) socket.write(data);
    },
    (exitCode, error) => {
      if (state === 'opening') return fail(error ?? new BerthError('unavailable', `The ${o.kind} session ended before it opened.`));
      end(exitCode);
    });

  const timer = setTimeout(() => {
    handle.close();
    fail(new BerthError('unavailable', `The container's host did not open the ${o.kind} session within ${OPEN_WITHIN_MS / 1000} seconds.`));
  }, OPEN_WITHIN_MS);
  timer.unref();

  socket.on('close', () => {
    if (state === 'done') return;
    handle.close();
    if (state === 'opening') fail(new BerthError('bad_request', 'the client went away'));
    else end(undefined);
  });
  socket.on('error', () => undefined);
  return settled;
}
