import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Paths that can carry a secret. pino removes them before a line is written, so a password, token or
 * environment value never reaches a log whatever a caller passes.
 */
export const redactPaths = [
  'password',
  '*.password',
  '*.*.password',
  'req.headers["x-auth-token"]',
  'req.headers["x-subject-token"]',
  'req.headers.authorization',
  'res.headers["x-subject-token"]',
  'token',
  '*.token',
  'credential',
  '*.credential',
  'environment',
  '*.environment',
  'env',
  '*.env',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      redact: { paths: redactPaths, censor: '***' },
      base: { service: 'berth' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination as never,
  );
}

type LineLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * A request's logger that makes its pino child (which carries the request id) only when a line is
 * written at an enabled level. Most requests write no line, and making a child costs about as much as
 * answering a small request.
 */
class LazyChild {
  #parent: Logger;
  #bindings: Record<string, unknown>;
  #child: Logger | undefined;

  constructor(parent: Logger, bindings: Record<string, unknown>) {
    this.#parent = parent;
    this.#bindings = bindings;
  }

  #real(): Logger {
    return (this.#child ??= this.#parent.child(this.#bindings));
  }
  #write(level: LineLevel, args: unknown[]): void {
    if (this.#child === undefined && !this.#parent.isLevelEnabled(level)) return;
    const write: (...a: unknown[]) => void = this.#real()[level].bind(this.#real());
    write(...args);
  }

  get level(): string {
    return (this.#child ?? this.#parent).level;
  }
  set level(level: string) {
    this.#real().level = level;
  }
  isLevelEnabled(level: string): boolean {
    return (this.#child ?? this.#parent).isLevelEnabled(level);
  }
  bindings(): Record<string, unknown> {
    return this.#real().bindings();
  }
  child(bindings: Record<string, unknown>, opts?: object): Logger {
    return this.#real().child(bindings, opts);
  }
  fatal(...args: unknown[]): void { this.#write('fatal', args); }
  error(...args: unknown[]): void { this.#write('error', args); }
  warn(...args: unknown[]): void { this.#write('warn', args); }
  info(...args: unknown[]): void { this.#write('info', args); }
  debug(...args: unknown[]): void { this.#write('debug', args); }
  trace(...args: unknown[]): void { this.#write('trace', args); }
  silent(): void {}
}

/**
 * The child logger of one request: lazy when it only adds bindings (see LazyChild), a plain pino child
 * when it also changes the level or serializers.
 */
export function requestLogger(parent: Logger, bindings: Record<string, unknown>, opts: { level?: string; serializers?: object } = {}): Logger {
  if (opts.level !== undefined || opts.serializers !== undefined) return parent.child(bindings, opts as never);
  return new LazyChild(parent, bindings) as unknown as Logger;
}
