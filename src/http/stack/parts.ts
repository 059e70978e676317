/** @module The parts of a stack: resources, events, outputs, template, environment and files. */
import { Type } from '@sinclair/typebox';
import type { App } from '../app-type.js';
import { BerthError } from '../../core/errors.js';
import * as repo from '../../store/stack-repo.js';
import type { StackResourceRow } from '../../store/schema.js';
import { stackOutputs } from '../../stack/outputs.js';
import { allow, type StackHttpDeps } from './deps.js';
import { renderEvent, renderResource } from './render.js';
import { EventQuery, NameId, ResourceQuery } from './schemas.js';

const NameIdRes = Type.Object({ name: Type.String(), id: Type.String(), resource: Type.String() });
const NameIdResEvent = Type.Object({ name: Type.String(), id: Type.String(), resource: Type.String(), event: Type.String() });
const NameIdOutput = Type.Object({ name: Type.String(), id: Type.String(), output: Type.String() });

const many = (v: string | string[] | undefined) => (v === undefined ? undefined : [v].flat().flatMap((x) => x.split(',')).filter(Boolean));

/**
 * Heat's resource list filters: each of name, type, status, action, id and physical_resource_id (one
 * value or several) keeps the resources matching one of its values; a status is `CREATE_COMPLETE` or its
 * last part (`COMPLETE`).
 */
function resourceFilter(query: Record<string, unknown>) {
  const field = (k: string) => many(query[k] as string | string[] | undefined);
  const names = field('name');
  const types = field('type');
  const statuses = field('status');
  const actions = field('action');
  const ids = field('id');
  const physical = field('physical_resource_id');
  return (r: StackResourceRow) => (!names || names.includes(r.name)) && (!types || types.includes(r.type))
    && (!statuses || statuses.includes(r.status) || statuses.includes(`${r.action}_${r.status}`))
    && (!actions || actions.includes(r.action)) && (!ids || ids.includes(r.id))
    && (!physical || physical.includes(r.physical_id ?? ''));
}

export function partRoutes(app: App, deps: StackHttpDeps): void {
  const q = () => deps.db.kysely;
  const stackOf = (project: string, p: { name: string; id: string }) => deps.stacks.findExact(project, p.name, p.id);
  const resourceMissing = (name: string, stack: string) => new BerthError('not_found', `The Resource (${name}) could not be found in Stack ${stack}.`);

  app.get('/stacks/:name/:id/resources', { schema: { params: NameId, querystring: ResourceQuery } }, async (req) => {
    const s = await stackOf(allow(deps, req, 'index_resources'), req.params);
    const rows = await repo.listResources(q(), s.id);
    const depth = req.query.nested_depth ?? 0;
    // Group members are one level down: shown from nested_depth 1.
    const shown = rows.filter((r) => depth > 0 || !/\.\d+$/.test(r.name) || !rows.some((g) => g.type === 'OS::Heat::ResourceGroup' && r.name.startsWith(`${g.name}.`)));
    return { resources: shown.filter(resourceFilter(req.query)).map((r) => renderResource(req, s, r, req.query.with_detail === true)) };
  });

  app.get('/stacks/:name/:id/resources/:resource', { schema: { params: NameIdRes } }, async (req) => {
    const s = await stackOf(allow(deps, req, 'show_resource'), req.params);
    const r = await repo.getResource(q(), s.id, req.params.resource);
    if (!r) throw resourceMissing(req.params.resource, s.name);
    return { resource: renderResource(req, s, r, true) };
  });

  app.get('/stacks/:name/:id/resources/:resource/metadata', { schema: { params: NameIdRes } }, async (req) => {
    const s = await stackOf(allow(deps, req, 'show_resource'), req.params);
    if (!(await repo.getResource(q(), s.id, req.params.resource))) throw resourceMissing(req.params.resource, s.name);
    return { metadata: {} };
  });

  const events = async (project: string, p: { name: string; id: string; resource?: string }, query: typeof EventQuery.static) => {
    const s = await stackOf(project, p);
    if (p.resource !== undefined && !(await repo.getResource(q(), s.id, p.resource))) {
      const any = await repo.listEvents(q(), { stackId: s.id, resourceName: p.resource, sortDir: 'asc', limit: 1 });
      if (any.length === 0) throw resourceMissing(p.resource, s.name);
    }
    const names = many(query.resource_name);
    const rows = await repo.listEvents(q(), {
      stackId: s.id, resourceName: p.resource, marker: query.marker, limit: query.limit, sortDir: query.sort_dir ?? 'asc',
      statuses: many(query.resource_status), actions: many(query.resource_action),
    });
    return { s, rows: names ? rows.filter((e) => names.includes(e.resource_name)) : rows };
  };
  app.get('/stacks/:name/:id/events', { schema: { params: NameId, querystring: EventQuery } }, async (req) => {
    const { s, rows } = await events(allow(deps, req, 'index_events'), req.params, req.query);
    return { events: rows.map((e) => renderEvent(req, s, e)) };
  });
  app.get('/stacks/:name/:id/resources/:resource/events', { schema: { params: NameIdRes, querystring: EventQuery } }, async (req) => {
    const { s, rows } = await events(allow(deps, req, 'index_events'), req.params, req.query);
    return { events: rows.map((e) => renderEvent(req, s, e)) };
  });
  app.get('/stacks/:name/:id/resources/:resource/events/:event', { schema: { params: NameIdResEvent } }, async (req) => {
    const s = await stackOf(allow(deps, req, 'show_event'), req.params);
    const e = await repo.getEvent(q(), s.id, req.params.event);
    if (!e || e.resource_name !== req.params.resource) throw new BerthError('not_found', `The Event (${req.params.event}) could not be found.`);
    return { event: { ...renderEvent(req, s, e), resource_properties: {} } };
  });

  app.get('/stacks/:name/:id/outputs', { schema: { params: NameId } }, async (req) => {
    const s = await stackOf(allow(deps, req, 'list_outputs'), req.params);
    return { outputs: stackOutputs(s, []).map((o) => ({ output_key: o.output_key, description: o.description })) };
  });
  app.get('/stacks/:name/:id/outputs/:output', { schema: { params: NameIdOutput } }, async (req) => {
    const s = await stackOf(allow(deps, req, 'show_output'), req.params);
    const o = stackOutputs(s, await repo.listResources(q(), s.id)).find((x) => x.output_key === req.params.output);
    if (!o) throw new BerthError('not_found', `Specified output key ${req.params.output} not found.`);
    return { output: o };
  });

  app.get('/stacks/:name/:id/template', { schema: { params: NameId } }, async (req) => {
    const s = await stackOf(allow(deps, req, 'template'), req.params);
    return JSON.parse(s.template) as unknown;
  });
  app.get('/stacks/:name/:id/environment', { schema: { params: NameId } }, async (req) => {
    const s = await stackOf(allow(deps, req, 'environment'), req.params);
    const env = JSON.parse(s.environment) as Record<string, unknown>;
    return { parameters: {}, parameter_defaults: {}, resource_registry: { resources: {} }, event_sinks: [], encrypted_param_names: [], ...env };
  });
  app.get('/stacks/:name/:id/files', { schema: { params: NameId } }, async (req) => {
    const s = await stackOf(allow(deps, req, 'files'), req.params);
    return JSON.parse(s.files) as unknown;
  });
}
