import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Ajv } from 'ajv';
import { requestLogger, type Logger } from '../../core/log.js';
import { toErrorAnswer } from '../errors.js';
import { parseJsonBody } from '../server.js';
import { MAX_API_VERSION, stripVersion, versionRefusal } from './version.js';

/**
 * The Fastify instance of the Docker Engine API endpoint, on its own listener. Paths may carry a
 * `/vX.Y` prefix (the CLI always sends one): it is cut before routing and kept as `req.apiVersion`.
 * Every answer carries Api-Version; every error is Docker's `{"message": "..."}`.
 */
declare module 'fastify' {
  interface FastifyRequest {
    /** The API version the client asked for in the path, or the highest one when it named none. */
    apiVersion: string;
  }
}

const strictAjv = new Ajv({ allErrors: false, coerceTypes: false, removeAdditional: false, useDefaults: true, strict: false });
const coercingAjv = new Ajv({ allErrors: false, coerceTypes: 'array', removeAdditional: false, useDefaults: true, strict: false });

/** Headers every answer of the endpoint carries, hijacked ones included. */
export const DOCKER_HEADERS: Record<string, string> = {
  'Api-Version': MAX_API_VERSION,
  'Docker-Experimental': 'false',
  Ostype: 'linux',
  Server: 'Berth',
};

/**
 * The docker CLI reads `message` only when the Content-Type is exactly application/json (no charset), so
 * the body is sent as text with that header.
 */
export function sendDockerError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).header('content-type', 'application/json').send(Buffer.from(JSON.stringify({ message })));
}

/** The version a request named in its path, kept before the router sees the path without it. */
const askedVersion = Symbol('askedVersion');
type VersionedRequest = { url?: string; [askedVersion]?: string };

/** PEM contents of a TLS listener; with `ca`, only clients whose certificate it signed are served. */
export interface DockerTls { cert: Buffer; key: Buffer; ca?: Buffer }

export function createDockerApp(opts: { log: Logger; tls?: DockerTls }): FastifyInstance {
  const tls = opts.tls;
  const app = Fastify({
    ...(tls ? { https: { cert: tls.cert, key: tls.key, ...(tls.ca ? { ca: tls.ca, requestCert: true, rejectUnauthorized: true } : {}) } } : {}),
    loggerInstance: opts.log,
    bodyLimit: 4 * 1024 * 1024,
    genReqId: () => `req-${randomUUID()}`,
    requestIdHeader: false,
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: (logger: Logger, bindings: Record<string, unknown>, o: { level?: string; serializers?: object }) => requestLogger(logger, bindings, o),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    exposeHeadRoutes: false,
    return503OnClosing: true,
    rewriteUrl: (req: VersionedRequest) => {
      const { url, version } = stripVersion(req.url ?? '/');
      req[askedVersion] = version;
      return url;
    },
    frameworkErrors: (err: unknown, req: FastifyRequest, reply: FastifyReply) => {
      const a = toErrorAnswer(err, req.id);
      return sendDockerError(reply, a.status, a.message);
    },
  } as never) as unknown as FastifyInstance;

  app.decorateRequest('apiVersion', MAX_API_VERSION);
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? strictAjv : coercingAjv).compile(schema as object) as never,
  );

  // JSON bodies may be empty or carry a wrong type (the CLI sends some with no Content-Type at all);
  // archives (build contexts, image loads, copies) stay streams for the route to read.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parseJsonBody);
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

  app.addHook('onRequest', (req, reply, done) => {
    const asked = (req.raw as VersionedRequest)[askedVersion];
    req.apiVersion = asked ?? MAX_API_VERSION;
    for (const [k, v] of Object.entries(DOCKER_HEADERS)) reply.header(k, v);
    const refused = asked === undefined ? undefined : versionRefusal(asked);
    if (refused) done(Object.assign(new Error(refused), { statusCode: 400 }));
    else done();
  });
  app.addHook('onResponse', (req, reply, done) => {
    const ms = reply.elapsedTime;
    const level = reply.statusCode >= 500 || ms >= 1000 ? 'warn' : reply.statusCode >= 400 ? 'info' : 'debug';
    if ((req.log as Logger).isLevelEnabled(level)) {
      req.log[level]({ method: req.method, url: (req.url ?? '').split('?')[0], status: reply.statusCode, ms: Math.round(ms) }, 'docker request');
    }
    done();
  });
  app.setErrorHandler((err, req, reply) => {
    const a = toErrorAnswer(err, req.id);
    if (a.status >= 500) req.log.error({ err }, 'unexpected error');
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.destroy();
      return reply;
    }
    return sendDockerError(reply, a.status, a.message);
  });
  app.setNotFoundHandler((req, reply) =>
    sendDockerError(reply, 404, `page not found: ${req.method} ${(req.url ?? '').split('?')[0]} is not part of the Docker Engine API that Berth serves`),
  );
  return app;
}
