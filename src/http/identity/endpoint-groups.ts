import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { App } from '../app-type.js';
import { newId } from '../../core/ids.js';
import { matchesFilters } from '../../identity/catalog.js';
import * as cat from '../../store/catalog-repo.js';
import * as repo from '../../store/identity-repo.js';
import type { EndpointGroupRow } from '../../store/schema.js';
import { enforce } from '../auth.js';
import { notFoundError } from '../errors.js';
import type { IdentityDeps } from './deps.js';
import { allEndpoints, renderEndpoint } from './endpoints.js';
import { parseExtra } from './extra.js';
import { listLinks, renderProject, v3 } from './render.js';

const Filters = Type.Object({
  service_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  region_id: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  interface: Type.Optional(Type.String({ minLength: 1, maxLength: 16 })),
}, { additionalProperties: false, minProperties: 1 });
const GroupCreate = Type.Object({
  endpoint_group: Type.Object({
    name: Type.String({ minLength: 1, maxLength: 255 }),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])),
    filters: Filters,
  }),
});
const GroupUpdate = Type.Object({
  endpoint_group: Type.Object({
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])),
    filters: Type.Optional(Filters),
  }, { minProperties: 1 }),
});
const Id = Type.String({ minLength: 1, maxLength: 255 });
const GroupParam = Type.Object({ id: Id });
const ProjectEndpointParam = Type.Object({ project_id: Id, endpoint_id: Id });
const ProjectParam = Type.Object({ project_id: Id });
const EndpointParam = Type.Object({ endpoint_id: Id });
const GroupProjectParam = Type.Object({ id: Id, project_id: Id });

/** Endpoint groups and OS-EP-FILTER: which endpoints a project's token catalog is limited to. */
export function endpointGroupRoutes(app: App, deps: IdentityDeps): void {
  const q = () => deps.db.kysely;
  const base = '/OS-EP-FILTER';
  const render = (req: FastifyRequest, g: EndpointGroupRow) => ({
    id: g.id, name: g.name, description: g.description, filters: parseExtra(g.filters),
    links: { self: `${v3(req)}${base}/endpoint_groups/${g.id}` },
  });
  const load = async (id: string) => {
    const g = await cat.getEndpointGroup(q(), id);
    if (!g) throw notFoundError('endpoint group', id);
    return g;
  };
  const project = async (id: string) => {
    const p = await repo.getProject(q(), id);
    if (!p) throw notFoundError('project', id);
    return p;
  };
  const endpoint = async (req: FastifyRequest, id: string) => {
    const e = (await allEndpoints(deps, req)).find((x) => x.id === id);
    if (!e) throw notFoundError('endpoint', id);
    return e;
  };
  const projectsOf = async (req: FastifyRequest, ids: string[]) => {
    const out = [];
    for (const id of ids) {
      const p = await repo.getProject(q(), id);
      if (p) out.push(renderProject(req, p));
    }
    return out;
  };

  app.post(`${base}/endpoint_groups`, { schema: { body: GroupCreate } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:create_endpoint_group');
    const b = req.body.endpoint_group;
    const row: EndpointGroupRow = { id: newId(), name: b.name, description: b.description ?? '', filters: JSON.stringify(b.filters) };
    await cat.insertEndpointGroup(q(), row);
    reply.code(201);
    return { endpoint_group: render(req, row) };
  });
  app.get(`${base}/endpoint_groups`, async (req) => {
    enforce(deps.policy, req, 'identity:list_endpoint_groups');
    return { endpoint_groups: (await cat.listEndpointGroups(q())).map((g) => render(req, g)), links: listLinks(req) };
  });
  app.get(`${base}/endpoint_groups/:id`, { schema: { params: GroupParam } }, async (req) => {
    enforce(deps.policy, req, 'identity:get_endpoint_group');
    return { endpoint_group: render(req, await load(req.params.id)) };
  });
  app.head(`${base}/endpoint_groups/:id`, { schema: { params: GroupParam } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:get_endpoint_group');
    await load(req.params.id);
    return reply.code(200).send();
  });
  app.patch(`${base}/endpoint_groups/:id`, { schema: { params: GroupParam, body: GroupUpdate } }, async (req) => {
    enforce(deps.policy, req, 'identity:update_endpoint_group');
    const g = await load(req.params.id);
    const b = req.body.endpoint_group;
    const next: EndpointGroupRow = {
      id: g.id, name: b.name ?? g.name, description: b.description === undefined ? g.description : (b.description ?? ''),
      filters: b.filters ? JSON.stringify(b.filters) : g.filters,
    };
    await cat.updateEndpointGroup(q(), g.id, { name: next.name, description: next.description, filters: next.filters });
    return { endpoint_group: render(req, next) };
  });
  app.delete(`${base}/endpoint_groups/:id`, { schema: { params: GroupParam } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:delete_endpoint_group');
    if (!(await cat.deleteEndpointGroup(q(), req.params.id))) throw notFoundError('endpoint group', req.params.id);
    return reply.code(204).send();
  });
  app.get(`${base}/endpoint_groups/:id/endpoints`, { schema: { params: GroupParam } }, async (req) => {
    enforce(deps.policy, req, 'identity:list_endpoints_associated_with_endpoint_group');
    const filters = parseExtra((await load(req.params.id)).filters);
    const list = (await allEndpoints(deps, req)).filter((e) => matchesFilters(e, filters));
    return { endpoints: list.map((e) => renderEndpoint(req, e)), links: listLinks(req) };
  });
  app.get(`${base}/endpoint_groups/:id/projects`, { schema: { params: GroupParam } }, async (req) => {
    enforce(deps.policy, req, 'identity:list_projects_associated_with_endpoint_group');
    await load(req.params.id);
    return { projects: await projectsOf(req, await cat.projectsOfEndpointGroup(q(), req.params.id)), links: listLinks(req) };
  });
  app.put(`${base}/endpoint_groups/:id/projects/:project_id`, { schema: { params: GroupProjectParam } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:add_endpoint_group_to_project');
    await load(req.params.id);
    await project(req.params.project_id);
    await cat.addProjectEndpointGroup(q(), req.params.project_id, req.params.id);
    return reply.code(204).send();
  });
  app.get(`${base}/endpoint_groups/:id/projects/:project_id`, { schema: { params: GroupProjectParam } }, async (req) => {
    enforce(deps.policy, req, 'identity:get_endpoint_group_in_project');
    const g = await load(req.params.id);
    const p = await project(req.params.project_id);
    if (!(await cat.hasProjectEndpointGroup(q(), p.id, g.id))) throw notFoundError('project endpoint group', `${g.id} in ${p.id}`);
    return { project: renderProject(req, p) };
  });
  app.delete(`${base}/endpoint_groups/:id/projects/:project_id`, { schema: { params: GroupProjectParam } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:remove_endpoint_group_from_project');
    if (!(await cat.removeProjectEndpointGroup(q(), req.params.project_id, req.params.id))) {
      throw notFoundError('project endpoint group', `${req.params.id} in ${req.params.project_id}`);
    }
    return reply.code(204).send();
  });
  app.get(`${base}/projects/:project_id/endpoint_groups`, { schema: { params: ProjectParam } }, async (req) => {
    enforce(deps.policy, req, 'identity:list_endpoint_groups_for_project');
    await project(req.params.project_id);
    return { endpoint_groups: (await cat.endpointGroupsOfProject(q(), req.params.project_id)).map((g) => render(req, g)), links: listLinks(req) };
  });

  app.put(`${base}/projects/:project_id/endpoints/:endpoint_id`, { schema: { params: ProjectEndpointParam } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:add_endpoint_to_project');
    await project(req.params.project_id);
    await endpoint(req, req.params.endpoint_id);
    await cat.addProjectEndpoint(q(), req.params.project_id, req.params.endpoint_id);
    return reply.code(204).send();
  });
  const check = async (req: FastifyRequest, p: { project_id: string; endpoint_id: string }) => {
    enforce(deps.policy, req, 'identity:check_endpoint_in_project');
    await project(p.project_id);
    await endpoint(req, p.endpoint_id);
    if (!(await cat.hasProjectEndpoint(q(), p.project_id, p.endpoint_id))) throw notFoundError('project endpoint', `${p.endpoint_id} in ${p.project_id}`);
  };
  app.get(`${base}/projects/:project_id/endpoints/:endpoint_id`, { schema: { params: ProjectEndpointParam } }, async (req, reply) => {
    await check(req, req.params);
    return reply.code(204).send();
  });
  app.head(`${base}/projects/:project_id/endpoints/:endpoint_id`, { schema: { params: ProjectEndpointParam } }, async (req, reply) => {
    await check(req, req.params);
    return reply.code(204).send();
  });
  app.delete(`${base}/projects/:project_id/endpoints/:endpoint_id`, { schema: { params: ProjectEndpointParam } }, async (req, reply) => {
    enforce(deps.policy, req, 'identity:remove_endpoint_from_project');
    if (!(await cat.removeProjectEndpoint(q(), req.params.project_id, req.params.endpoint_id))) {
      throw notFoundError('project endpoint', `${req.params.endpoint_id} in ${req.params.project_id}`);
    }
    return reply.code(204).send();
  });
  app.get(`${base}/projects/:project_id/endpoints`, { schema: { params: ProjectParam } }, async (req) => {
    enforce(deps.policy, req, 'identity:list_endpoints_for_project');
    await project(req.params.project_id);
    const ids = new Set(await cat.endpointsOfProject(q(), req.params.project_id));
    const list = (await allEndpoints(deps, req)).filter((e) => ids.has(e.id));
    return { endpoints: list.map((e) => renderEndpoint(req, e)), links: listLinks(req) };
  });
  app.get(`${base}/endpoints/:endpoint_id/projects`, { schema: { params: EndpointParam } }, async (req) => {
    enforce(deps.policy, req, 'identity:list_projects_for_endpoint');
    await endpoint(req, req.params.endpoint_id);
    return { projects: await projectsOf(req, await cat.projectsOfEndpoint(q(), req.params.endpoint_id)), links: listLinks(req) };
  });
}
