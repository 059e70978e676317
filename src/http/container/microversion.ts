import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BerthError } from '../../core/errors.js';

export const MIN_VERSION = '1.1';
export const MAX_VERSION = '1.40';

declare module 'fastify' {
  interface FastifyRequest {
    /** Negotiated container API microversion as [major, minor]. */
    microversion: [number, number];
  }
}

export function parseVersion(v: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)$/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}
const cmp = (a: [number, number], b: [number, number]) => a[0] - b[0] || a[1] - b[1];
const MIN = parseVersion(MIN_VERSION)!;
const MAX = parseVersion(MAX_VERSION)!;

/** True when the request's microversion is at least `v` ("1.36"). */
export function atLeast(req: FastifyRequest, v: string): boolean {
  return cmp(req.microversion, parseVersion(v)!) >= 0;
}

/**
 * `OpenStack-API-Version: container 1.x` negotiation: absent → 1.1, `latest` → 1.40, out of range → 406.
 * Every answer says which version it speaks.
 */
export function registerMicroversion(app: FastifyInstance): void {
  app.decorateRequest('microversion', null as unknown as [number, number]);
  app.addHook('onRequest', async (req, reply) => {
    req.microversion = MIN;
    reply.header('OpenStack-API-Minimum-Version', `container ${MIN_VERSION}`);
    reply.header('OpenStack-API-Maximum-Version', `container ${MAX_VERSION}`);
    reply.header('Vary', 'OpenStack-API-Version');
    const header = req.headers['openstack-api-version'];
    const text = Array.isArray(header) ? header[0] : header;
    let version = MIN;
    if (text) {
      const m = /^\s*container\s+(\S+)\s*$/i.exec(text);
      if (m) {
        if (m[1].toLowerCase() === 'latest') version = MAX;
        else {
          const v = parseVersion(m[1]);
          if (!v) throw new BerthError('bad_request', `Invalid API version format: ${m[1]}. It must look like 1.40 or latest.`);
          if (cmp(v, MIN) < 0 || cmp(v, MAX) > 0)
            throw new BerthError('not_acceptable', `Version ${m[1]} was requested but is not supported by this service. The supported version range is: [${MIN_VERSION}, ${MAX_VERSION}].`);
          version = v;
        }
      }
    }
    req.microversion = version;
    reply.header('OpenStack-API-Version', `container ${version[0]}.${version[1]}`);
  });
}
