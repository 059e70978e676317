/** @module Actions on one resource of a stack: mark unhealthy (PATCH) and signal. */
import { Type } from '@sinclair/typebox';
import type { App } from '../app-type.js';
import { BerthError } from '../../core/errors.js';
import * as repo from '../../store/stack-repo.js';
import { markHealth } from '../../stack/health.js';
import { allow, type StackHttpDeps } from './deps.js';

const NameIdRes = Type.Object({ name: Type.String(), id: Type.String(), resource: Type.String() });
const MARK_KEYS = ['mark_unhealthy', 'resource_status_reason'];

export function resourceActionRoutes(app: App, deps: StackHttpDeps): void {
  app.patch('/stacks/:name/:id/resources/:resource', { schema: { params: NameIdRes } }, async (req, reply) => {
    const s = await deps.stacks.findExact(allow(deps, req, 'mark_unhealthy'), req.params.name, req.params.id);
    const b = (req.body ?? {}) as Record<string, unknown>;
    const extra = Object.keys(b).find((k) => !MARK_KEYS.includes(k));
    if (extra !== undefined) throw new BerthError('bad_request', `Invalid key ${extra} in the mark unhealthy request.`);
    if (!('mark_unhealthy' in b)) throw new BerthError('bad_request', 'Missing mandatory (mark_unhealthy) key from mark unhealthy request.');
    const mark = b.mark_unhealthy;
    const unhealthy = mark === true || mark === 'true' || mark === 'True';
    if (!unhealthy && mark !== false && mark !== 'false' && mark !== 'False') throw new BerthError('bad_request', `Unrecognized value "${String(mark)}" for "mark_unhealthy", acceptable values are: true, false.`);
    const reason = b.resource_status_reason;
    if (reason !== undefined && typeof reason !== 'string') throw new BerthError('bad_request', 'resource_status_reason must be a string.');
    await markHealth(deps.db, s, req.params.resource, unhealthy, reason ?? '');
    return reply.code(200).type('application/json').send('null');
  });

  /** No resource type Berth offers takes signals (they have no handler), as Heat answers for such types. */
  app.post('/stacks/:name/:id/resources/:resource/signal', { schema: { params: NameIdRes } }, async (req) => {
    const s = await deps.stacks.findExact(allow(deps, req, 'signal'), req.params.name, req.params.id);
    if (!(await repo.getResource(deps.db.kysely, s.id, req.params.resource))) throw new BerthError('not_found', `The Resource (${req.params.resource}) could not be found in Stack ${s.name}.`);
    throw new BerthError('bad_request', 'signal is not supported for resource.');
  });
}
