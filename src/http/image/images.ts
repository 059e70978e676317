import { Type } from '@sinclair/typebox';
import { BerthError } from '../../core/errors.js';
import type { App } from '../app-type.js';
import { imageActorOf, type ImageHttpDeps } from './deps.js';
import { checkTag, parseCreate, parsePatch, patchDraft } from './parse.js';
import { parseListQuery } from './query.js';
import { renderImage } from './render.js';

export const ImageId = Type.Object({ id: Type.String({ maxLength: 255 }) });
const TagParams = Type.Object({ id: Type.String({ maxLength: 255 }), tag: Type.String() });
/** `force=true`: an admin deletes an image that containers still use. */
const DeleteQuery = Type.Object({ force: Type.Optional(Type.Boolean()) });
const AnyQuery = Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())]));

/** The query string of a listing as Glance echoes it in `first` and `next`: everything but the marker. */
function listLink(url: string, marker?: string): string {
  const params = new URLSearchParams(url.split('?')[1] ?? '');
  params.delete('marker');
  if (marker !== undefined) params.set('marker', marker);
  const q = params.toString();
  return q ? `/v2/images?${q}` : '/v2/images';
}

/** Images: create, list, show, JSON-patch update, delete, (de)activate, tags. */
export function imageRoutes(app: App, deps: ImageHttpDeps): void {
  const actor = (req: Parameters<typeof imageActorOf>[1]) => imageActorOf(deps.policy, req);

  app.post('/images', async (req, reply) => {
    const image = await deps.images.create(actor(req), parseCreate(req.body));
    return reply.code(201).header('Location', `/v2/images/${image.id}`).send(renderImage(image));
  });

  app.get('/images', { schema: { querystring: AnyQuery } }, async (req) => {
    // GET /v2/images/ is an image with an empty id, not the list (the router ignores the trailing slash).
    if (req.url.split('?')[0].endsWith('/')) throw new BerthError('not_found', 'No image found with an empty ID.');
    const page = await deps.images.list(actor(req), parseListQuery(req.query));
    return {
      images: page.images.map(renderImage),
      first: listLink(req.url),
      schema: '/v2/schemas/images',
      ...(page.nextMarker ? { next: listLink(req.url, page.nextMarker) } : {}),
    };
  });

  app.get('/images/:id', { schema: { params: ImageId } }, async (req) => renderImage(await deps.images.get(actor(req), req.params.id)));

  app.patch('/images/:id', { schema: { params: ImageId } }, async (req) => {
    const changes = parsePatch(patchDraft(req.headers['content-type']), req.body);
    return renderImage(await deps.images.update(actor(req), req.params.id, changes));
  });

  app.delete('/images/:id', { schema: { params: ImageId, querystring: DeleteQuery } }, async (req, reply) => {
    await deps.images.remove(actor(req), req.params.id, { force: req.query.force === true });
    return reply.code(204).send();
  });

  for (const action of ['deactivate', 'reactivate'] as const) {
    app.post(`/images/:id/actions/${action}`, { schema: { params: ImageId } }, async (req, reply) => {
      await deps.images.setActive(actor(req), req.params.id, action === 'reactivate');
      return reply.code(204).send();
    });
  }

  app.put('/images/:id/tags/:tag', { schema: { params: TagParams } }, async (req, reply) => {
    await deps.images.addTag(actor(req), req.params.id, checkTag(req.params.tag));
    return reply.code(204).send();
  });

  app.delete('/images/:id/tags/:tag', { schema: { params: TagParams } }, async (req, reply) => {
    await deps.images.removeTag(actor(req), req.params.id, req.params.tag);
    return reply.code(204).send();
  });
}
