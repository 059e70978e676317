/**
 * @module Nova's image API (the proxy to the image service, microversion < 2.36): list, show and delete
 * images, and their metadata (an image's custom properties), read and written through Berth's image
 * service under the caller's visibility and image policy.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BerthError } from '../../core/errors.js';
import { novaImageProgress, novaImageStatus, planImageList } from '../../compute/images.js';
import { imageActorOf } from '../../container/images.js';
import type { ImageService } from '../../image/service.js';
import type { Image, ImageActor } from '../../image/types.js';
import type { Change } from '../../image/update.js';
import type { App } from '../app-type.js';
import { actorOf } from '../container/actor.js';
import { baseUrl } from '../server.js';
import type { ComputeDeps } from './deps.js';
import { linksOf, novaTime } from './links.js';

const ImageId = Type.Object({ image_id: Type.String({ maxLength: 255 }) });
const KeyParams = Type.Object({ image_id: Type.String({ maxLength: 255 }), key: Type.String({ minLength: 1, maxLength: 255 }) });
const ListQuery = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 255 })),
  status: Type.Optional(Type.String({ maxLength: 64 })),
  server: Type.Optional(Type.String({ maxLength: 1024 })),
  type: Type.Optional(Type.String({ maxLength: 255 })),
  'changes-since': Type.Optional(Type.String({ maxLength: 64 })),
  minRam: Type.Optional(Type.String({ maxLength: 16 })),
  minDisk: Type.Optional(Type.String({ maxLength: 16 })),
  limit: Type.Optional(Type.Integer({ minimum: 0 })),
  marker: Type.Optional(Type.String({ maxLength: 255 })),
});
const Value = Type.String({ maxLength: 255 });
const MetadataBody = Type.Object({ metadata: Type.Record(Type.String({ minLength: 1, maxLength: 255 }), Value) }, { additionalProperties: false });
const MetaBody = Type.Object({ meta: Type.Record(Type.String({ minLength: 1, maxLength: 255 }), Value) }, { additionalProperties: false });

/** The most images one unpaged listing gathers, a page of the image service at a time. */
const PAGE = 1000;
const MAX_UNPAGED = 20 * PAGE;

function imageLinks(req: FastifyRequest, id: string) {
  return [...linksOf(req, `images/${id}`), { rel: 'alternate', type: 'application/vnd.openstack.image', href: `${baseUrl(req)}/image/images/${id}` }];
}

/** Nova's detailed view of an image: its properties are the metadata; a snapshot names its server. */
export function renderImage(req: FastifyRequest, i: Image) {
  const server = i.properties.instance_uuid;
  return {
    id: i.id, name: i.name, minRam: i.minRam, minDisk: i.minDisk, metadata: i.properties,
    created: novaTime(i.createdAt), updated: novaTime(i.updatedAt),
    status: novaImageStatus(i.status), progress: novaImageProgress(i.status), 'OS-EXT-IMG-SIZE:size': i.size,
    links: imageLinks(req, i.id),
    ...(server !== undefined ? { server: { id: server, links: linksOf(req, `servers/${server}`) } } : {}),
  };
}

const brief = (req: FastifyRequest, i: Image) => ({ id: i.id, name: i.name, links: imageLinks(req, i.id) });
const noItem = () => new BerthError('not_found', 'Image metadata item was not found');
const imageNotFound = (id: string) => new BerthError('not_found', `Image ${id} could not be found.`);

/** Nova's answer for an image the caller may not see or that does not exist. */
async function inNovaWords<T>(id: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof BerthError && e.code === 'not_found') throw imageNotFound(id);
    throw e;
  }
}

/** The changes that make an image's properties `next`: each new or changed key set, each other removed. */
function propertyChanges(current: Record<string, string>, next: Record<string, string>): Change[] {
  const removes: Change[] = Object.keys(current).filter((k) => !Object.hasOwn(next, k)).map((property) => ({ op: 'remove', property }));
  const sets: Change[] = Object.entries(next).filter(([k, v]) => current[k] !== v).map(([property, value]) => ({ op: 'add', property, value }));
  return [...removes, ...sets];
}

export function imageRoutes(app: App, deps: ComputeDeps): void {
  const service = (): ImageService => {
    if (!deps.imageService) throw new BerthError('not_found', 'The image service is not available on this server.');
    return deps.imageService;
  };
  const who = (req: FastifyRequest): ImageActor => imageActorOf(actorOf(deps.policy, req));
  const get = (req: FastifyRequest, id: string) => inNovaWords(id, () => service().get(who(req), id));
  const setProperties = async (req: FastifyRequest, id: string, next: (current: Record<string, string>) => Record<string, string>) => {
    const actor = who(req);
    const image = await inNovaWords(id, () => service().get(actor, id));
    const changes = propertyChanges(image.properties, next(image.properties));
    return (await inNovaWords(id, () => service().update(actor, id, changes))).properties;
  };

  const list = (detail: boolean) => async (req: FastifyRequest<{ Querystring: typeof ListQuery.static }>) => {
    const { limit, marker, ...filters } = req.query;
    const plan = planImageList(filters, { limit: limit ?? PAGE, marker });
    if (!plan.ok) throw new BerthError('bad_request', plan.message);
    const actor = who(req);
    const images: Image[] = [];
    let next: string | undefined = marker;
    for (;;) {
      const page = await service().list(actor, { ...plan.query, marker: next });
      images.push(...page.images);
      next = page.nextMarker;
      if (limit !== undefined || next === undefined || images.length >= MAX_UNPAGED) break;
    }
    const shown = images.filter((i) => i.minRam >= plan.minRam && i.minDisk >= plan.minDisk);
    const body: Record<string, unknown> = { images: shown.map((i) => (detail ? renderImage(req, i) : brief(req, i))) };
    if (limit !== undefined && next !== undefined) {
      const path = detail ? 'images/detail' : 'images';
      body.images_links = [{ rel: 'next', href: `${baseUrl(req)}/compute/v2.1/${path}?limit=${limit}&marker=${encodeURIComponent(next)}` }];
    }
    return body;
  };
  app.get('/images', { schema: { querystring: ListQuery } }, list(false));
  app.get('/images/detail', { schema: { querystring: ListQuery } }, list(true));
  app.get('/images/:image_id', { schema: { params: ImageId } }, async (req) => ({ image: renderImage(req, await get(req, req.params.image_id)) }));
  app.delete('/images/:image_id', { schema: { params: ImageId } }, async (req, reply) => {
    const id = req.params.image_id;
    await inNovaWords(id, () => service().remove(who(req), id));
    return reply.code(204).send();
  });

  app.get('/images/:image_id/metadata', { schema: { params: ImageId } }, async (req) => ({ metadata: (await get(req, req.params.image_id)).properties }));
  app.post('/images/:image_id/metadata', { schema: { params: ImageId, body: MetadataBody } }, async (req) => ({
    metadata: await setProperties(req, req.params.image_id, (current) => ({ ...current, ...req.body.metadata })),
  }));
  app.put('/images/:image_id/metadata', { schema: { params: ImageId, body: MetadataBody } }, async (req) => ({
    metadata: await setProperties(req, req.params.image_id, () => ({ ...req.body.metadata })),
  }));
  app.get('/images/:image_id/metadata/:key', { schema: { params: KeyParams } }, async (req) => {
    const { image_id: id, key } = req.params;
    const properties = (await get(req, id)).properties;
    if (!Object.hasOwn(properties, key)) throw noItem();
    return { meta: { [key]: properties[key] } };
  });
  app.put('/images/:image_id/metadata/:key', { schema: { params: KeyParams, body: MetaBody } }, async (req) => {
    const { image_id: id, key } = req.params;
    const entries = Object.entries(req.body.meta);
    if (entries.length > 1) throw new BerthError('bad_request', 'Request body contains too many items');
    if (entries.length === 0 || entries[0][0] !== key) throw new BerthError('bad_request', 'Request body and URI mismatch');
    const value = entries[0][1];
    await setProperties(req, id, (current) => ({ ...current, [key]: value }));
    return { meta: { [key]: value } };
  });
  app.delete('/images/:image_id/metadata/:key', { schema: { params: KeyParams } }, async (req, reply) => {
    const { image_id: id, key } = req.params;
    await setProperties(req, id, (current) => {
      if (!Object.hasOwn(current, key)) throw noItem();
      const rest = { ...current };
      delete rest[key];
      return rest;
    });
    return reply.code(204).send();
  });
}
