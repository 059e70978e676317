import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { BerthError } from '../../core/errors.js';
import { metadataItemsProblem } from '../../compute/quota.js';
import * as repo from '../../store/compute-repo.js';
import type { App } from '../app-type.js';
import { enforce } from '../auth.js';
import { actorOf } from '../container/actor.js';
import type { ComputeDeps } from './deps.js';
import { ensureServerRow } from './actions.js';
import { Metadata, ServerId } from './schemas.js';
import { findServer, requireUnlocked } from './servers.js';

const KeyParams = Type.Object({ server_id: Type.String({ minLength: 1, maxLength: 255 }), key: Type.String({ minLength: 1, maxLength: 255 }) });
const MetadataBody = Type.Object({ metadata: Metadata }, { additionalProperties: false });
const MetaBody = Type.Object({ meta: Type.Record(Type.String(), Type.String({ maxLength: 255 }), { minProperties: 1, maxProperties: 1, propertyNames: { minLength: 1, maxLength: 255 } }) }, { additionalProperties: false });

/** Server metadata: get, replace, merge, and one key at a time. */
export function metadataRoutes(app: App, deps: ComputeDeps): void {
  const q = () => deps.db.kysely;
  /** The server, checked against `rule`, and its current metadata. */
  const load = async (req: FastifyRequest, id: string, rule: string, write: boolean) => {
    const c = await findServer(deps, req, actorOf(deps.policy, req), id);
    enforce(deps.policy, req, `os_compute_api:server-metadata:${rule}`, { project_id: c.project_id });
    if (write) {
      await requireUnlocked(deps, req, c);
      await ensureServerRow(deps, c);
    }
    const s = await repo.getServer(q(), c.uuid);
    return { uuid: c.uuid, metadata: s ? (JSON.parse(s.metadata) as Record<string, string>) : {} };
  };
  const save = async (uuid: string, metadata: Record<string, string>) => {
    const over = metadataItemsProblem(Object.keys(metadata).length);
    if (over) throw new BerthError('quota_exceeded', over);
    await repo.updateServer(q(), uuid, { metadata: JSON.stringify(metadata) });
    return metadata;
  };

  app.get('/servers/:server_id/metadata', { schema: { params: ServerId } }, async (req) => ({ metadata: (await load(req, req.params.server_id, 'index', false)).metadata }));
  app.put('/servers/:server_id/metadata', { schema: { params: ServerId, body: MetadataBody } }, async (req) => {
    const s = await load(req, req.params.server_id, 'update_all', true);
    return { metadata: await save(s.uuid, { ...req.body.metadata }) };
  });
  app.post('/servers/:server_id/metadata', { schema: { params: ServerId, body: MetadataBody } }, async (req) => {
    const s = await load(req, req.params.server_id, 'create', true);
    return { metadata: await save(s.uuid, { ...s.metadata, ...req.body.metadata }) };
  });
  app.get('/servers/:server_id/metadata/:key', { schema: { params: KeyParams } }, async (req) => {
    const s = await load(req, req.params.server_id, 'show', false);
    if (!Object.hasOwn(s.metadata, req.params.key)) throw new BerthError('not_found', 'Metadata item was not found');
    return { meta: { [req.params.key]: s.metadata[req.params.key] } };
  });
  app.put('/servers/:server_id/metadata/:key', { schema: { params: KeyParams, body: MetaBody } }, async (req) => {
    const [[key, value]] = Object.entries(req.body.meta);
    if (key !== req.params.key) throw new BerthError('bad_request', 'Request body and URI mismatch');
    const s = await load(req, req.params.server_id, 'update', true);
    await save(s.uuid, { ...s.metadata, [key]: value });
    return { meta: { [key]: value } };
  });
  app.delete('/servers/:server_id/metadata/:key', { schema: { params: KeyParams } }, async (req, reply) => {
    const s = await load(req, req.params.server_id, 'delete', true);
    if (!Object.hasOwn(s.metadata, req.params.key)) throw new BerthError('not_found', 'Metadata item was not found');
    const rest = { ...s.metadata };
    delete rest[req.params.key];
    await save(s.uuid, rest);
    return reply.code(204).send();
  });
}
