import type { BerthError } from '../core/errors.js';

/** One interactive exec or attach session, wherever its agent is connected. */
export interface StreamHandle {
  /** Resolves once the session reaches the host's agent; rejects (host_unreachable) when it cannot. */
  readonly ready: Promise<void>;
  send(data: Buffer): void;
  resize(width: number, height: number): void;
  /** Ends the session from this side; its onClose is not called then. */
  close(): void;
}

/** Called once when the session ends from the far side; `error` says why it could not open or broke. */
export type StreamClosed = (exitCode?: number, error?: BerthError) => void;

/**
 * A session whose way to the agent is found asynchronously (a database lookup, then a connection to
 * another server): input and resizes given meanwhile are kept and passed on in order once it is open.
 */
export function deferredStream(open: () => Promise<StreamHandle>, onClose: StreamClosed): StreamHandle {
  let inner: StreamHandle | undefined;
  let closed = false;
  const queued: ((h: StreamHandle) => void)[] = [];
  const ready = open().then(async (h) => {
    if (closed) {
      h.close();
      return;
    }
    inner = h;
    for (const q of queued.splice(0)) q(h);
    await h.ready;
  }, (err: BerthError) => {
    if (!closed) {
      closed = true;
      onClose(undefined, err);
    }
    throw err;
  });
  ready.catch(() => undefined);
  const via = (q: (h: StreamHandle) => void) => {
    if (closed) return;
    if (inner) q(inner);
    else queued.push(q);
  };
  return {
    ready,
    send: (data) => via((h) => h.send(data)),
    resize: (w, hgt) => via((h) => h.resize(w, hgt)),
    close: () => {
      if (closed) return;
      closed = true;
      inner?.close();
    },
  };
}
