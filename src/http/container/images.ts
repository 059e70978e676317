import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { App } from '../app-type.js';
import { baseUrl } from '../server.js';
import { enforce } from '../auth.js';
import { ZunImages, type ZunImage } from '../../container/zun-images.js';
import type { ContainerDeps } from './deps.js';
import { actorOf } from './actor.js';
import { Ident } from './schemas.js';

/** Zun's image API (admin by default, as in Zun): the images hosts' engines hold, pull and delete. */
const ImageListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 10000 })), marker: Type.Optional(Type.String({ maxLength: 255 })),
  sort_key: Type.Optional(Type.Enum({ a: 'repo', b: 'tag', c: 'size', d: 'host', e: 'image_id', f: 'uuid' })),
  sort_dir: Type.Optional(Type.Enum({ a: 'asc', d: 'desc' })),
});
const PullBody = Type.Object({
  repo: Type.String({ minLength: 1, maxLength: 255 }),
  host: Type.String({ minLength: 1, maxLength: 255 }),
  image_driver: Type.Optional(Type.Enum({ docker: 'docker', glance: 'glance' })),
  tag: Type.Optional(Type.String({ maxLength: 128 })),
}, { additionalProperties: false });

function render(req: FastifyRequest, i: ZunImage) {
  const href = `${baseUrl(req)}/container/v1/images/${i.uuid}`;
  return {
    uuid: i.uuid, image_id: i.image_id, repo: i.repo, tag: i.tag, size: i.size, host: i.host, project_id: i.project_id,
    links: [{ href, rel: 'self' }, { href: href.replace('/v1/', '/'), rel: 'bookmark' }],
  };
}

export function imageRoutes(app: App, deps: ContainerDeps): void {
  const images = new ZunImages({ db: deps.db, hub: deps.hub, ...(deps.images ? { images: deps.images } : {}) });

  app.get('/images', { schema: { querystring: ImageListQuery } }, async (req) => {
    enforce(deps.policy, req, 'container:image:get_all');
    const f = req.query;
    const key = f.sort_key ?? 'host';
    let all = (await images.list()).sort((a, b) => String(a[key] ?? '').localeCompare(String(b[key] ?? ''), undefined, { numeric: true }));
    if (f.sort_dir === 'desc') all.reverse();
    if (f.marker) all = all.slice(all.findIndex((i) => i.uuid === f.marker) + 1);
    const page = f.limit ? all.slice(0, f.limit) : all;
    return { images: page.map((i) => render(req, i)), next: null };
  });
  app.get('/images/:id', { schema: { params: Ident } }, async (req) => {
    enforce(deps.policy, req, 'container:image:get_one');
    return render(req, await images.get(req.params.id));
  });
  app.delete('/images/:id', { schema: { params: Ident } }, async (req, reply) => {
    enforce(deps.policy, req, 'container:image:delete');
    await images.remove(req.params.id);
    return reply.code(204).send();
  });
  app.post('/images', { schema: { body: PullBody } }, async (req, reply) => {
    enforce(deps.policy, req, 'container:image:pull');
    const b = req.body;
    const repo = b.tag && !/:[^/]+$/.test(b.repo) ? `${b.repo}:${b.tag}` : b.repo;
    const image = await images.pull(actorOf(deps.policy, req), { repo, host: b.host, image_driver: b.image_driver });
    return reply.code(202).send(render(req, image));
  });
}
