import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorAnswer } from '../errors.js';

/** The quality a client's Accept header gives `type` (its most specific matching range wins). */
function quality(accept: string, type: string): number {
  const [major] = type.split('/');
  let best = -1;
  let q = 0;
  for (const part of accept.split(',')) {
    const [range, ...params] = part.trim().toLowerCase().split(';');
    const specificity = range === type ? 2 : range === `${major}/*` ? 1 : range === '*/*' ? 0 : -1;
    if (specificity <= best) continue;
    best = specificity;
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    q = qp ? Number(qp.slice(2)) || 0 : 1;
  }
  return q;
}

const escape = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Glance's error body as its web framework (WebOb) chooses it by the Accept header: JSON
 * `{"message", "code", "title"}` to a client that prefers JSON (openstacksdk's usual Accept), HTML to one
 * that takes any type (openstacksdk's delete and download, python-glanceclient), plain text to one that
 * asks for it. An empty Accept (openstacksdk's upload) gets JSON, where WebOb would send text that
 * openstacksdk does not print. The HTML has the status and the message on one line, which is what both
 * clients print after removing the tags.
 */
export function sendGlanceError(reply: FastifyReply, req: FastifyRequest, a: ErrorAnswer): FastifyReply {
  const accept = req.headers.accept ?? '';
  const status = `${a.status} ${a.title}`;
  if (a.status === 415 && req.method === 'PATCH') reply.header('Accept-Patch', 'application/openstack-images-v2.0-json-patch, application/openstack-images-v2.1-json-patch');
  const [json, html, plain] = ['application/json', 'text/html', 'text/plain'].map((t) => quality(accept, t));
  reply.code(a.status);
  if (accept.trim() === '' || json > Math.max(html, plain)) return reply.type('application/json').send({ message: a.message, code: status, title: a.title });
  if (plain > html) return reply.type('text/plain; charset=UTF-8').send(`${status}\n\n${a.message}\n\n   `);
  return reply.type('text/html; charset=UTF-8').send(`<html>\n <body>\n  ${escape(`${status}: ${a.message}`)}\n </body>\n</html>\n`);
}
