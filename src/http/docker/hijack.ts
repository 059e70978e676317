import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { TokenInfo, TokenService } from '../../identity/tokens.js';
import type { Actor } from '../../container/core.js';
import type { Policy } from '../../policy/index.js';
import type { Logger } from '../../core/log.js';
import { toErrorAnswer } from '../errors.js';
import { DOCKER_HEADERS } from './app.js';
import { authenticate, dockerActor } from './auth.js';
import { MAX_API_VERSION, stripVersion, versionRefusal } from './version.js';

/**
 * Hijacked requests (attach, exec start): the CLI sends `Connection: Upgrade` and `Upgrade: tcp`, the
 * endpoint answers 101 and the connection becomes the container's stream. Node hands these to the
 * server's 'upgrade' event, outside Fastify, so they are routed, authenticated and answered here.
 */
export interface HijackContext {
  req: IncomingMessage;
  socket: Duplex;
  /** Bytes read past the request head (the start of a body, or of stdin). */
  head: Buffer;
  params: Record<string, string>;
  query: URLSearchParams;
  auth: TokenInfo;
  actor: Actor;
  apiVersion: string;
  requestId: string;
}

export type HijackHandler = (ctx: HijackContext) => Promise<void>;

interface Route { method: string; pattern: RegExp; names: string[]; handler: HijackHandler }

/** The 101 that turns the connection into a stream; `multiplexed` when stdout and stderr are framed. */
export function upgradeAnswer(socket: Duplex, multiplexed: boolean): void {
  const type = multiplexed ? 'application/vnd.docker.multiplexed-stream' : 'application/vnd.docker.raw-stream';
  const headers = Object.entries(DOCKER_HEADERS).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${type}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n${headers}\r\n`);
}

/** An error answer on a connection that was not upgraded, in Docker's `{"message"}` format. */
export function errorAnswer(socket: Duplex, status: number, title: string, message: string): void {
  const body = JSON.stringify({ message });
  const headers = Object.entries(DOCKER_HEADERS).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.end(`HTTP/1.1 ${status} ${title}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${headers}Connection: close\r\n\r\n${body}`);
}

/**
 * Reads a request body of Content-Length bytes that follows the head of a hijacked request (exec start
 * sends its options this way); bytes past it are put back on the socket for the stream.
 */
export function readHijackBody(ctx: HijackContext, limit = 1024 * 1024): Promise<Buffer> {
  const length = Number(ctx.req.headers['content-length'] ?? 0);
  if (!Number.isFinite(length) || length <= 0) {
    if (ctx.head.length) ctx.socket.unshift(ctx.head);
    return Promise.resolve(Buffer.alloc(0));
  }
  if (length > limit) return Promise.reject(Object.assign(new Error('request body too large'), { statusCode: 413 }));
  return new Promise((resolve, reject) => {
    let got = ctx.head;
    const finish = () => {
      ctx.socket.off('data', onData);
      ctx.socket.off('end', onEnd);
      ctx.socket.pause();
      if (got.length > length) ctx.socket.unshift(got.subarray(length));
      resolve(got.subarray(0, length));
    };
    const onData = (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= length) finish();
    };
    const onEnd = () => reject(Object.assign(new Error('the connection ended before the request body'), { statusCode: 400 }));
    if (got.length >= length) return finish();
    ctx.socket.on('data', onData);
    ctx.socket.on('end', onEnd);
  });
}

export class HijackRoutes {
  #routes: Route[] = [];
  readonly #tokens: TokenService;
  readonly #policy: Policy;
  readonly #log: Logger;

  constructor(deps: { tokens: TokenService; policy: Policy; log: Logger }) {
    this.#tokens = deps.tokens;
    this.#policy = deps.policy;
    this.#log = deps.log;
  }

  /** `path` as Fastify writes it: `/containers/:id/attach`. */
  add(method: string, path: string, handler: HijackHandler): void {
    const names: string[] = [];
    const source = path.replace(/:([a-zA-Z]+)/g, (_m, n: string) => {
      names.push(n);
      return '([^/]+)';
    });
    this.#routes.push({ method, pattern: new RegExp(`^${source}/?$`), names, handler });
  }

  /** Whether a request (method and path without the version prefix) is one of these routes. */
  matches(method: string, url: string): boolean {
    const path = stripVersion(url).url.split('?')[0];
    return this.#routes.some((r) => r.method === method && r.pattern.test(path));
  }

  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const requestId = `req-${randomUUID()}`;
    socket.on('error', () => undefined);
    try {
      const { url, version } = stripVersion(req.url ?? '/');
      const refused = version === undefined ? undefined : versionRefusal(version);
      if (refused) return errorAnswer(socket, 400, 'Bad Request', refused);
      const u = new URL(url, 'http://localhost');
      for (const r of this.#routes) {
        if (r.method !== req.method) continue;
        const m = r.pattern.exec(u.pathname);
        if (!m) continue;
        const params: Record<string, string> = {};
        r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1])));
        const auth = await authenticate(this.#tokens, req.headers['x-auth-token'], { method: r.method, path: u.pathname });
        const actor = dockerActor(this.#policy, auth, requestId);
        await r.handler({ req, socket, head, params, query: u.searchParams, auth, actor, apiVersion: version ?? MAX_API_VERSION, requestId });
        return;
      }
      errorAnswer(socket, 404, 'Not Found', `page not found: ${req.method} ${u.pathname} cannot be hijacked`);
    } catch (e) {
      const a = toErrorAnswer(e, requestId);
      if (a.status >= 500) this.#log.error({ err: e }, 'hijacked request failed');
      if (!socket.destroyed && socket.writable) errorAnswer(socket, a.status, a.title, a.message);
    }
  }
}
