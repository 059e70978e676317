import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Ajv } from 'ajv';
import { BerthError } from '../core/errors.js';
import { requestLogger, type Logger } from '../core/log.js';
import { sendKeystoneError, sendPlainError, sendZunError, toErrorAnswer, type ErrorAnswer } from './errors.js';
import { sendGlanceError } from './image/errors.js';
import { sendHeatAnswer } from './stack/errors.js';

export type ErrorFamily = 'keystone' | 'zun' | 'glance' | 'heat' | 'plain';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false for routes anyone may call (version documents, token issue). */
    auth?: boolean;
  }
}

/** The client family of a URL decides the error body format. */
export function familyOf(url: string): ErrorFamily {
  if (url.startsWith('/identity')) return 'keystone';
  if (url.startsWith('/container')) return 'zun';
  if (url.startsWith('/image')) return 'glance';
  if (url.startsWith('/orchestration')) return 'heat';
  return 'plain';
}

export function sendError(req: FastifyRequest, reply: FastifyReply, a: ErrorAnswer): FastifyReply {
  switch (familyOf(req.url)) {
    case 'keystone':
      if (a.status === 401) reply.header('WWW-Authenticate', `Keystone uri="${baseUrl(req)}/identity/v3"`);
      return sendKeystoneError(reply, a);
    case 'zun':
      return sendZunError(reply, req, a);
    case 'glance':
      return sendGlanceError(reply, req, a);
    case 'heat':
      return sendHeatAnswer(reply, a);
    default:
      return sendPlainError(reply, a);
  }
}

export function baseUrl(req: FastifyRequest): string {
  const proto = (req.headers['x-forwarded-proto'] as string | undefined) ?? req.protocol;
  const host = (req.headers['x-forwarded-host'] as string | undefined) ?? req.headers.host ?? 'localhost';
  return `${proto}://${host}`;
}

/**
 * Body schemas validate strictly (no coercion, no silent removal of unknown fields); query strings and
 * path parameters are text on the wire, so their validator coerces "10" to 10.
 */
const strictAjv = new Ajv({ allErrors: false, coerceTypes: false, removeAdditional: false, useDefaults: true, strict: false });
const coercingAjv = new Ajv({ allErrors: false, coerceTypes: 'array', removeAdditional: false, useDefaults: true, strict: false });

export interface AppOptions {
  log: Logger;
  bodyLimit?: number;
}

export function createApp(opts: AppOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: opts.log,
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    genReqId: () => `req-${randomUUID()}`,
    requestIdHeader: false,
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: (logger: Logger, bindings: Record<string, unknown>, opts: { level?: string; serializers?: object }) => requestLogger(logger, bindings, opts),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    exposeHeadRoutes: false,
    return503OnClosing: true,
    // Bad URL encoding and over-long path parameters are refused by the router before any hook runs;
    // answer them in the client family's error format too.
    frameworkErrors: (err: unknown, req: FastifyRequest, reply: FastifyReply) => {
      reply.header('X-Openstack-Request-Id', req.id);
      return sendError(req, reply, toErrorAnswer(err, req.id));
    },
  } as never) as unknown as FastifyInstance;

  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? strictAjv : coercingAjv).compile(schema as object) as never,
  );

  // JSON bodies may be empty (the CLIs POST actions with no body); anything that is not JSON where JSON
  // is expected is refused by the route's schema, not by a 500.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parseJsonBody);
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  // The hooks every request passes through take callbacks rather than promises: on the hot path a
  // promise per hook is a measurable part of a request's cost.
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('X-Openstack-Request-Id', req.id);
    done();
  });
  // PostgreSQL cannot store U+0000 in text (SQLite can): refuse it in any decoded input, on every API,
  // so both databases answer the same 400 instead of one of them failing inside a query.
  app.addHook('preValidation', (req, _reply, done) => {
    const found = findNulInRequest(req.params, req.query, req.body);
    if (found) done(new BerthError('bad_request', `Invalid input for ${found.part}: ${found.at || 'the value'} must not contain the NUL character (U+0000).`));
    else done();
  });
  app.addHook('onResponse', (req, reply, done) => {
    const ms = reply.elapsedTime;
    const level = requestLogLevel(reply.statusCode, ms);
    if ((req.log as Logger).isLevelEnabled(level)) {
      req.log[level]({ method: req.method, url: pathOf(req.url), status: reply.statusCode, ms: Math.round(ms) }, 'request');
    }
    done();
  });

  app.setErrorHandler((err, req, reply) => {
    const a = toErrorAnswer(err, req.id);
    if (a.status >= 500) req.log.error({ err }, 'unexpected error');
    return sendError(req, reply, a);
  });
  app.setNotFoundHandler((req, reply) =>
    sendError(req, reply, { status: 404, title: 'Not Found', message: `The resource could not be found: ${req.method} ${req.url.split('?')[0]}`, code: 'not_found' }),
  );
  return app;
}

/** A JSON body parser that takes an empty body as none and answers malformed JSON with a 400. */
export function parseJsonBody(_req: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void): void {
  const text = String(body);
  if (text.trim() === '') return done(null, undefined);
  try {
    done(null, JSON.parse(text));
  } catch (e) {
    const err = new Error(`Malformed JSON in request body: ${(e as Error).message}`) as Error & { statusCode: number };
    err.statusCode = 400;
    done(err, undefined);
  }
}

/** Requests slower than this are logged at warn whatever their status. */
export const SLOW_REQUEST_MS = 1000;

/**
 * The level of a request's log line: ordinary successful requests at debug (a busy server would write
 * a line per request otherwise), client errors at info, server errors and slow requests at warn.
 */
export function requestLogLevel(status: number, ms: number): 'debug' | 'info' | 'warn' {
  if (status >= 500 || ms >= SLOW_REQUEST_MS) return 'warn';
  if (status >= 400) return 'info';
  return 'debug';
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** Which decoded part of a request (params, querystring, body) holds U+0000, and where; undefined if none. */
export function findNulInRequest(params: unknown, query: unknown, body: unknown): { part: string; at: string } | undefined {
  for (const [part, value] of [['params', params], ['querystring', query], ['body', body]] as const) {
    if (value === undefined || value === null || isEmptyObject(value)) continue;
    const at = findNul(value, '');
    if (at !== undefined) return { part, at };
  }
  return undefined;
}

function isEmptyObject(v: unknown): boolean {
  if (typeof v !== 'object') return false;
  for (const _ in v) return false;
  return true;
}

/**
 * The path (a/b/c) of a string or key in `v` that contains U+0000, or undefined. Iterative, so a deeply
 * nested body (JSON.parse accepts any depth) cannot exhaust the stack.
 */
function findNul(v: unknown, path: string): string | undefined {
  const stack: [unknown, string][] = [[v, path]];
  while (stack.length > 0) {
    const [x, at] = stack.pop()!;
    if (typeof x === 'string') {
      if (x.includes('\u0000')) return at;
      continue;
    }
    if (x === null || typeof x !== 'object' || ArrayBuffer.isView(x)) continue;
    for (const [k, y] of Object.entries(x)) {
      const next = at ? `${at}/${k}` : k;
      if (k.includes('\u0000')) return next;
      stack.push([y, next]);
    }
  }
  return undefined;
}
