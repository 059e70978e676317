/**
 * @module
 * The adapter's one error type. Every failure from the engine (an HTTP status from Docker, or no answer
 * at all) leaves the adapter as an EngineError carrying Docker's own message, so callers branch on
 * `status` rather than on error text.
 */

export class EngineError extends Error {
  override readonly name = 'EngineError';
  /** Docker's HTTP status; 503 when the engine did not answer. */
  readonly status: number;
  /** Short stable word for the status, e.g. `not_found`, `conflict`. */
  readonly reason: string;

  constructor(status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
    this.reason = reasonFor(status);
  }
}

const REASONS: Record<number, string> = {
  304: 'not_modified',
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  406: 'not_acceptable',
  409: 'conflict',
  500: 'engine_error',
  503: 'unavailable',
};

function reasonFor(status: number): string {
  return REASONS[status] ?? (status >= 500 ? 'engine_error' : 'client_error');
}

export function isNotFound(e: unknown): boolean {
  return e instanceof EngineError && e.status === 404;
}

/** Turns whatever dockerode threw into an EngineError (idempotent). */
export function toEngineError(e: unknown): EngineError {
  if (e instanceof EngineError) return e;
  const err = e as { statusCode?: unknown; json?: unknown; message?: unknown };
  if (typeof err?.statusCode === 'number') {
    return new EngineError(err.statusCode, dockerMessage(err.json) ?? stripModemPrefix(String(err.message)), {
      cause: e,
    });
  }
  const text = typeof err?.message === 'string' ? err.message : String(e);
  return new EngineError(503, `engine unavailable: ${text}`, { cause: e });
}

function dockerMessage(json: unknown): string | undefined {
  if (json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string') {
    return (json as { message: string }).message;
  }
  if (typeof json === 'string' && json.trim() !== '') return json.trim();
  if (Buffer.isBuffer(json) && json.length > 0) return json.toString('utf8').trim();
  return undefined;
}

/** dockerode prefixes "(HTTP code 404) no such container - "; keep only Docker's part. */
function stripModemPrefix(message: string): string {
  return message.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}

/** Awaits a dockerode call, turning its failure into an EngineError. */
export async function call<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw toEngineError(e);
  }
}

/** Awaits a call whose failure `alreadyDone` recognises as "the goal already holds". */
export async function tolerate(p: Promise<unknown>, alreadyDone: (e: EngineError) => boolean): Promise<void> {
  try {
    await p;
  } catch (e) {
    const err = toEngineError(e);
    if (!alreadyDone(err)) throw err;
  }
}
