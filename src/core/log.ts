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
