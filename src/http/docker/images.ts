/**
 * @module
 * Docker's image routes over the project's Glance images: list, inspect, history, load, save, tag,
 * rmi, and pull of an image the project already has. There is no registry behind Berth: search,
 * push and a pull of an unknown name say so.
 */
import { drain } from '../image/data.js';
import { PassThrough, Readable } from 'node:stream';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BerthError } from '../../core/errors.js';
import { ImageCatalog } from '../../docker/image-catalog.js';
import { applyFilters, parseImageFilters } from '../../docker/image-filters.js';
import { createdOf, groupImages, renderHistory, renderInspect, renderSummary, type DockerImage } from '../../docker/image-render.js';
import { repackArchives, type RepackSource } from '../../docker/image-repack.js';
import { ImageWrites, normalTag } from '../../docker/image-writes.js';
import { parseRef } from '../../docker/refs.js';
import type { ImageActor } from '../../image/types.js';
import type { DockerDeps } from './deps.js';
import { dockerImageActor } from './image-actor.js';

const Flag = Type.Optional(Type.String({ pattern: '^(1|0|true|false|True|False|)$' }));
const flag = (v: string | undefined) => v === '1' || v?.toLowerCase() === 'true';
const ListQuery = Type.Object({ all: Flag, filters: Type.Optional(Type.String()), digests: Flag, 'shared-size': Flag, manifests: Flag });
const CreateQuery = Type.Object({ fromImage: Type.Optional(Type.String()), fromSrc: Type.Optional(Type.String()), tag: Type.Optional(Type.String()), repo: Type.Optional(Type.String()) });
const TagQuery = Type.Object({ repo: Type.Optional(Type.String()), tag: Type.Optional(Type.String()) });
const RemoveQuery = Type.Object({ force: Flag, noprune: Flag });
const LoadQuery = Type.Object({ quiet: Flag });
const SaveQuery = Type.Object({ names: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })) });
const Tail = Type.Object({ '*': Type.String() });

/** After a refused load, what the client still sends is read and dropped (up to this much) so that it gets the answer. */
const noRegistry = 'there is no registry behind Berth; load the image with docker load or openstack image create';

/**
 * Docker's JSON message stream: one object a line. The CLI decodes it only when the Content-Type is
 * exactly application/json, so the body goes as bytes (Fastify adds a charset to a string).
 */
const jsonLines = (reply: FastifyReply, items: unknown[]) =>
  reply.code(200).header('content-type', 'application/json').send(Buffer.from(items.map((i) => JSON.stringify(i)).join('\r\n') + '\r\n'));

export function imageRoutes(app: FastifyInstance, deps: DockerDeps): void {
  const catalog = new ImageCatalog({ images: deps.images, transfer: deps.transfer, log: deps.log });
  const writes = new ImageWrites({ db: deps.db, images: deps.images, transfer: deps.transfer, catalog });
  const actorOf = (req: FastifyRequest): ImageActor => dockerImageActor(deps.policy, req.auth);
  /** The Docker image `name` means, with every tag the project gives it. */
  const groupOf = async (actor: ImageActor, name: string) => {
    const { images } = await catalog.find(actor, name);
    const id = images[0].archive.id;
    const others = (await catalog.all(actor)).filter((i) => i.archive.id === id && !images.some((f) => f.glanceId === i.glanceId));
    return groupImages([...images, ...others])[0];
  };

  app.get('/images/json', { schema: { querystring: ListQuery } }, async (req) => {
    const q = req.query as Static<typeof ListQuery>;
    const filters = parseImageFilters(q.filters);
    const actor = actorOf(req);
    const timeOf = async (name: string | undefined) => {
      if (name === undefined) return undefined;
      return createdOf(await groupOf(actor, name));
    };
    const times = { before: await timeOf(filters.before), since: await timeOf(filters.since) };
    const groups = groupImages(await catalog.all(actor));
    return groups.flatMap((g) => {
      const kept = applyFilters(g, filters, times);
      return kept ? [renderSummary(kept)] : [];
    });
  });

  app.post('/images/load', { schema: { querystring: LoadQuery } }, async (req, reply) => {
    if (!(req.body instanceof Readable)) throw new BerthError('bad_request', 'docker load sends a docker save tar archive as the body (Content-Type application/x-tar).');
    const length = Number(req.headers['content-length']);
    // The request is read through a stream of its own: a refused archive ends that one, not the connection.
    const body = new PassThrough();
    req.raw.pipe(body);
    let lines: string[];
    try {
      lines = await writes.load(actorOf(req), body, Number.isFinite(length) ? length : undefined);
    } catch (e) {
      req.raw.unpipe(body);
      body.destroy();
      drain(req.raw);
      throw e;
    }
    return jsonLines(reply, lines.map((l) => ({ stream: `${l}\n` })));
  });

  app.post('/images/create', { schema: { querystring: CreateQuery } }, async (req, reply) => {
    const q = req.query as Static<typeof CreateQuery>;
    if (req.body instanceof Readable) drain(req.raw);
    if (q.fromSrc !== undefined)
      throw new BerthError('not_implemented', 'docker import is not served: Berth images are docker save archives; load one with docker load or openstack image create --container-format docker.');
    if (!q.fromImage) throw new BerthError('bad_request', 'fromImage is required: the name of the image to pull');
    const base = parseRef(q.fromImage);
    if (!base) throw new BerthError('bad_request', `invalid reference format: ${q.fromImage.slice(0, 200)}`);
    const asked = q.tag ? (q.tag.startsWith('sha256:') ? `${base.repo}@${q.tag}` : `${base.repo}:${q.tag}`) : q.fromImage;
    const ref = parseRef(asked);
    if (!ref) throw new BerthError('bad_request', `invalid reference format: ${asked.slice(0, 200)}`);
    const repoTag = `${ref.repo}:${ref.tag}`;
    const found = ref.digest ? undefined : await catalog.find(actorOf(req), repoTag).catch((e: unknown) => {
      if (e instanceof BerthError && e.code === 'not_found') return undefined;
      throw e;
    });
    if (!found) throw new BerthError('not_found', `pull access denied for ${ref.repo}: ${noRegistry}`);
    const from = ref.repo.includes('/') ? ref.repo : `library/${ref.repo}`;
    return jsonLines(reply, [
      { status: `Pulling from ${from}`, id: ref.tag },
      { status: `Digest: ${found.images[0].archive.id}` },
      { status: `Status: Image is up to date for ${repoTag}` },
    ]);
  });

  app.get('/images/search', async () => {
    throw new BerthError('not_implemented', `docker search is not served: ${noRegistry}.`);
  });

  /** docker save of one or more names: one archive that names each image as it was asked for. */
  const save = async (req: FastifyRequest, reply: FastifyReply, names: string[]) => {
    const actor = actorOf(req);
    const sources = new Map<string, RepackSource & { whole: DockerImage }>();
    for (const name of names) {
      const { images, byRef } = await catalog.find(actor, name);
      const img = images[0];
      const s = sources.get(img.glanceId) ?? {
        whole: img, image: img.archive, repoTags: [],
        open: async () => {
          const { data } = await deps.transfer.download(actor, img.glanceId);
          if (!data) throw new BerthError('conflict', `Image ${img.glanceId} has no data.`);
          return data.stream;
        },
      };
      if (byRef && !s.repoTags.includes(normalTag(name))) s.repoTags.push(normalTag(name));
      sources.set(img.glanceId, s);
    }
    const list = [...sources.values()];
    reply.header('content-type', 'application/x-tar');
    const only = list.length === 1 ? list[0] : undefined;
    // A stored archive that already says exactly what was asked goes out unchanged.
    if (only && only.repoTags.join() === only.image.repoTags.join()) {
      const { data } = await deps.transfer.download(actor, only.whole.glanceId);
      if (data) return reply.header('content-length', String(data.size)).send(data.stream);
    }
    return reply.send(repackArchives(list));
  };

  app.get('/images/get', { schema: { querystring: SaveQuery } }, async (req, reply) => {
    const q = req.query as Static<typeof SaveQuery>;
    if (!q.names?.length) throw new BerthError('bad_request', 'names is required: the images to save');
    return save(req, reply, q.names);
  });

  app.get('/images/*', { schema: { params: Tail } }, async (req, reply) => {
    const tail = (req.params as Static<typeof Tail>)['*'];
    const [name, what] = split(tail, ['json', 'history', 'get']);
    if (what === 'get') return save(req, reply, [name]);
    const g = await groupOf(actorOf(req), name);
    return what === 'json' ? renderInspect(g) : renderHistory(g);
  });

  app.post('/images/*', { schema: { params: Tail, querystring: TagQuery } }, async (req, reply) => {
    const [name, what] = split((req.params as Static<typeof Tail>)['*'], ['tag', 'push']);
    if (what === 'push') throw new BerthError('not_implemented', `docker push is not served: ${noRegistry}; share an image with openstack image set --shared or move it with docker save.`);
    const q = req.query as Static<typeof TagQuery>;
    if (!q.repo) throw new BerthError('bad_request', 'repo is required: the repository to tag the image in');
    const actor = actorOf(req);
    const { images } = await catalog.find(actor, name);
    await writes.tag(actor, images[0], q.tag ? `${q.repo}:${q.tag}` : q.repo);
    return reply.code(201).send();
  });

  app.delete('/images/*', { schema: { params: Tail, querystring: RemoveQuery } }, async (req) => {
    const name = (req.params as Static<typeof Tail>)['*'];
    const q = req.query as Static<typeof RemoveQuery>;
    const actor = actorOf(req);
    const { images, byRef } = await catalog.find(actor, name);
    return writes.remove(actor, name, images, { force: flag(q.force), byRef });
  });
}

/** The image name and the action of a path tail (`team/app:v1/json` → [`team/app:v1`, `json`]). */
export function split(tail: string, actions: string[]): [string, string] {
  const slash = tail.lastIndexOf('/');
  const what = tail.slice(slash + 1);
  const name = tail.slice(0, Math.max(0, slash));
  if (slash <= 0 || !actions.includes(what) || name === '')
    throw new BerthError('not_found', `page not found: /images/${tail.slice(0, 200)} is not part of the Docker Engine API that Berth serves`);
  return [name, what];
}
