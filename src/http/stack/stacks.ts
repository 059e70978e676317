/** @module Stack routes: create, list, show (a name or id alone redirects to name/id), update, delete. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../app-type.js';
import { BerthError } from '../../core/errors.js';
import * as repo from '../../store/stack-repo.js';
import type { StackRow } from '../../store/schema.js';
import { stackOutputs } from '../../stack/outputs.js';
import { parseTemplate, resolveParameters } from '../../stack/template/index.js';
import { stackRequestOf, stackUpdateOf } from './body.js';
import { allow, callerOf, type StackHttpDeps } from './deps.js';
import { renderStack, renderStackSummary, stackUrl } from './render.js';
import { Ident, ListQuery, NameId, StackCreate, StackUpdate } from './schemas.js';

const list = (v: string | string[] | undefined) => (v === undefined ? undefined : [v].flat().flatMap((x) => x.split(',')).filter(Boolean));

const SORT_KEYS: Record<string, 'name' | 'created_at' | 'updated_at' | 'status'> = {
  stack_name: 'name', name: 'name', creation_time: 'created_at', created_at: 'created_at', updated_time: 'updated_at', updated_at: 'updated_at', stack_status: 'status', status: 'status',
};

/** The parameters as the stack resolves them, and which are hidden. */
function parametersOf(s: StackRow): { values: Record<string, unknown>; hidden: string[] } {
  try {
    const t = parseTemplate(JSON.parse(s.template) as Record<string, unknown>);
    const values = resolveParameters(t, JSON.parse(s.parameters) as Record<string, unknown>, JSON.parse(s.environment) as Record<string, never>);
    return { values, hidden: Object.values(t.parameters).filter((p) => p.hidden).map((p) => p.name) };
  } catch {
    return { values: JSON.parse(s.parameters) as Record<string, unknown>, hidden: [] };
  }
}

export function stackRoutes(app: App, deps: StackHttpDeps): void {
  const q = () => deps.db.kysely;

  app.post('/stacks', { schema: { body: StackCreate } }, async (req, reply) => {
    allow(deps, req, 'create');
    const b = req.body;
    const s = await deps.stacks.create(callerOf(deps, req), b.stack_name, stackRequestOf(b));
    return reply.code(201).header('Location', stackUrl(req, s)).send({ stack: { id: s.id, links: [{ href: stackUrl(req, s), rel: 'self' }] } });
  });

  app.get('/stacks', { schema: { querystring: ListQuery } }, async (req) => {
    const project = allow(deps, req, 'index');
    const f = req.query;
    if (f.global_tenant) allow(deps, req, 'global_index');
    const sortKey = SORT_KEYS[list(f.sort_keys)?.[0] ?? 'created_at'];
    if (!sortKey) throw new BerthError('bad_request', `Sort key "${String(f.sort_keys)}" not in [stack_name, stack_status, creation_time, updated_time].`);
    const marker = f.marker ? await repo.getStack(q(), f.marker) : undefined;
    if (f.marker && (!marker || (!f.global_tenant && marker.project_id !== project))) throw new BerthError('bad_request', `Invalid marker ${f.marker}.`);
    const statuses = list(f.status);
    const rows = await repo.listStacks(q(), {
      projectId: f.global_tenant ? undefined : project,
      names: list(f.stack_name ?? f.name), ids: list(f.id), actions: list(f.action),
      statuses: statuses?.map((x) => x.includes('_') ? x.slice(x.lastIndexOf('_') + 1) : x),
      tags: list(f.tags), sortKey, sortDir: f.sort_dir ?? 'desc', limit: f.limit ?? 1000, marker,
    });
    const full = statuses?.filter((x) => x.includes('_'));
    return { stacks: rows.filter((s) => !full?.length || full.includes(`${s.action}_${s.status}`)).map((s) => renderStackSummary(req, s)) };
  });

  /** Heat's lookup: a name or id alone answers 302 to the stack's name/id URL (the rest of the path kept). */
  const lookup = async (req: FastifyRequest, reply: FastifyReply, rest: string) => {
    const s = await deps.stacks.find(allow(deps, req, 'lookup'), (req.params as { ident: string }).ident);
    const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    return reply.code(302).header('Location', `${stackUrl(req, s)}${rest}${query}`).send();
  };
  app.get('/stacks/:ident', { schema: { params: Ident } }, (req, reply) => lookup(req, reply, ''));
  for (const part of ['resources', 'events', 'outputs', 'template', 'environment', 'files'])
    app.get(`/stacks/:ident/${part}`, { schema: { params: Ident } }, (req, reply) => lookup(req, reply, `/${part}`));

  app.get('/stacks/:name/:id', { schema: { params: NameId } }, async (req) => {
    const s = await deps.stacks.findExact(allow(deps, req, 'show'), req.params.name, req.params.id);
    const resolve = (req.query as { resolve_outputs?: string }).resolve_outputs;
    const outputs = resolve === 'False' || resolve === 'false' ? undefined : stackOutputs(s, await repo.listResources(q(), s.id));
    const p = parametersOf(s);
    return { stack: renderStack(req, s, p.values, outputs, p.hidden) };
  });

  const update = (patch: boolean) => async (req: FastifyRequest<{ Params: { name: string; id?: string } }>, reply: FastifyReply) => {
    const project = allow(deps, req, patch ? 'update_patch' : 'update');
    const s = req.params.id ? await deps.stacks.findExact(project, req.params.name, req.params.id) : await deps.stacks.find(project, req.params.name);
    const b = req.body as Parameters<typeof stackUpdateOf>[0] & { existing?: boolean };
    await deps.stacks.update(callerOf(deps, req), s, stackUpdateOf(b), patch || b.existing === true);
    return reply.code(202).send();
  };
  app.put('/stacks/:name/:id', { schema: { params: NameId, body: StackUpdate } }, update(false));
  app.patch('/stacks/:name/:id', { schema: { params: NameId, body: StackUpdate } }, update(true));
  app.put('/stacks/:name', { schema: { body: StackUpdate } }, update(false));
  app.patch('/stacks/:name', { schema: { body: StackUpdate } }, update(true));

  const remove = async (req: FastifyRequest<{ Params: { name: string; id?: string } }>, reply: FastifyReply) => {
    const project = allow(deps, req, 'delete');
    const s = req.params.id ? await deps.stacks.findExact(project, req.params.name, req.params.id) : await deps.stacks.find(project, req.params.name);
    await deps.stacks.delete(callerOf(deps, req), s);
    return reply.code(204).send();
  };
  app.delete('/stacks/:name/:id', { schema: { params: NameId } }, remove);
  app.delete('/stacks/:name', remove);
}
