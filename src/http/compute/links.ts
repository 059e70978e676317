import type { FastifyRequest } from 'fastify';
import { baseUrl } from '../server.js';

/** Nova's self and bookmark links of a resource (`servers/ID`, `flavors/ID`). */
export function linksOf(req: FastifyRequest, path: string) {
  const base = `${baseUrl(req)}/compute`;
  return [{ rel: 'self', href: `${base}/v2.1/${path}` }, { rel: 'bookmark', href: `${base}/${path}` }];
}

/** ISO time as Nova writes it: seconds, `Z`. */
export const novaTime = (iso: string | null | undefined) => (iso ? `${iso.slice(0, 19)}Z` : null);
