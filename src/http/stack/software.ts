/** @module Software configs and deployments: Heat's /software_configs and /software_deployments. */
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { App } from '../app-type.js';
import { enforce } from '../auth.js';
import { SoftwareStore, type SoftwareConfigRow, type SoftwareDeploymentRow } from '../../stack/software.js';
import { projectOf, type StackHttpDeps } from './deps.js';

const time = (iso: string | null) => (iso ? iso.replace(/\.\d+Z$/, 'Z') : null);
const Id = Type.Object({ id: Type.String() });
const ServerId = Type.Object({ server_id: Type.String() });
const ConfigQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 0 })), marker: Type.Optional(Type.String()) }, { additionalProperties: true });
const DeploymentQuery = Type.Object({ server_id: Type.Optional(Type.String()) }, { additionalProperties: true });

/** Heat's view of a config: the summary in lists, everything in show and create. */
export function renderConfig(c: SoftwareConfigRow, detail: boolean) {
  const summary = { id: c.id, name: c.name, group: c.group_name, creation_time: time(c.created_at) };
  if (!detail) return summary;
  const b = JSON.parse(c.body) as { config: string; inputs: unknown[]; outputs: unknown[]; options: Record<string, unknown> };
  return { ...summary, config: b.config, inputs: b.inputs, outputs: b.outputs, options: b.options };
}

export function renderDeployment(d: SoftwareDeploymentRow) {
  return {
    id: d.id, config_id: d.config_id, server_id: d.server_id, input_values: JSON.parse(d.input_values) as unknown,
    output_values: JSON.parse(d.output_values) as unknown, action: d.action, status: d.status, status_reason: d.status_reason,
    creation_time: time(d.created_at), updated_time: time(d.updated_at),
  };
}

/** Enforces a Heat rule (`software_configs:create`...) on the caller's project. */
function allowRule(deps: StackHttpDeps, req: FastifyRequest, rule: string): string {
  const project = projectOf(req);
  enforce(deps.policy, req, rule, { project_id: project });
  return project;
}

export function softwareRoutes(app: App, deps: StackHttpDeps): void {
  const store = new SoftwareStore(deps.db);
  const body = (req: FastifyRequest) => (req.body ?? {}) as Record<string, unknown>;

  app.get('/software_configs', { schema: { querystring: ConfigQuery } }, async (req) => {
    const project = allowRule(deps, req, 'software_configs:index');
    return { software_configs: (await store.configs(project, req.query.limit, req.query.marker)).map((c) => renderConfig(c, false)) };
  });
  app.post('/software_configs', async (req) => {
    const project = allowRule(deps, req, 'software_configs:create');
    return { software_config: renderConfig(await store.createConfig(project, body(req)), true) };
  });
  app.get('/software_configs/:id', { schema: { params: Id } }, async (req) => {
    const project = allowRule(deps, req, 'software_configs:show');
    return { software_config: renderConfig(await store.config(project, req.params.id), true) };
  });
  app.delete('/software_configs/:id', { schema: { params: Id } }, async (req, reply) => {
    await store.deleteConfig(allowRule(deps, req, 'software_configs:delete'), req.params.id);
    return reply.code(204).send();
  });

  app.get('/software_deployments', { schema: { querystring: DeploymentQuery } }, async (req) => {
    const project = allowRule(deps, req, 'software_deployments:index');
    return { software_deployments: (await store.deployments(project, req.query.server_id)).map(renderDeployment) };
  });
  app.post('/software_deployments', async (req) => {
    const project = allowRule(deps, req, 'software_deployments:create');
    return { software_deployment: renderDeployment(await store.createDeployment(project, body(req))) };
  });
  app.get('/software_deployments/metadata/:server_id', { schema: { params: ServerId } }, async (req) => {
    const project = allowRule(deps, req, 'software_deployments:metadata');
    return { metadata: (await store.metadata(project, req.params.server_id)).map((c) => ({ ...renderConfig(c, true), updated_time: null })) };
  });
  app.get('/software_deployments/:id', { schema: { params: Id } }, async (req) => {
    const project = allowRule(deps, req, 'software_deployments:show');
    return { software_deployment: renderDeployment(await store.deployment(project, req.params.id)) };
  });
  app.put('/software_deployments/:id', { schema: { params: Id } }, async (req) => {
    const project = allowRule(deps, req, 'software_deployments:update');
    return { software_deployment: renderDeployment(await store.updateDeployment(project, req.params.id, body(req))) };
  });
  app.delete('/software_deployments/:id', { schema: { params: Id } }, async (req, reply) => {
    await store.deleteDeployment(allowRule(deps, req, 'software_deployments:delete'), req.params.id);
    return reply.code(204).send();
  });
}
