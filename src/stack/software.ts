/**
 * @module Software configs and deployments (Heat's /software_configs, /software_deployments), stored and
 * served as Heat does: a config is immutable once made; a deployment ties a config to a server id and
 * carries the status its in-instance agent reports. Berth runs no such agent: nothing here acts on them.
 * Every lookup is within one project (another project's config is "not found").
 */
import { BerthError } from '../core/errors.js';
import { newUuid } from '../core/ids.js';
import type { Database } from '../store/db.js';
import type { SoftwareConfigRow, SoftwareDeploymentRow } from '../store/schema.js';
import * as repo from '../store/software-repo.js';

export type { SoftwareConfigRow, SoftwareDeploymentRow } from '../store/schema.js';

export interface ConfigInput { name?: unknown; group?: unknown; config?: unknown; inputs?: unknown; outputs?: unknown; options?: unknown }
export interface DeploymentInput {
  config_id?: unknown; server_id?: unknown; input_values?: unknown; output_values?: unknown; action?: unknown; status?: unknown; status_reason?: unknown;
}

const text = (v: unknown, field: string): string | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new BerthError('bad_request', `${field} must be a string.`);
  return v;
};
const listOf = (v: unknown, field: string): unknown[] => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x))) throw new BerthError('bad_request', `${field} must be a list of maps.`);
  return v;
};
const mapOf = (v: unknown, field: string): Record<string, unknown> => {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new BerthError('bad_request', `${field} must be a map.`);
  return v as Record<string, unknown>;
};

export class SoftwareStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  get #q() {
    return this.#db.kysely;
  }

  async createConfig(projectId: string, b: ConfigInput): Promise<SoftwareConfigRow> {
    const body = { config: text(b.config, 'config') ?? '', inputs: listOf(b.inputs, 'inputs'), outputs: listOf(b.outputs, 'outputs'), options: mapOf(b.options, 'options') };
    const row: SoftwareConfigRow = {
      id: newUuid(), project_id: projectId, name: text(b.name, 'name') ?? '', group_name: text(b.group, 'group') || 'Heat::Ungrouped',
      body: JSON.stringify(body), created_at: new Date().toISOString(),
    };
    await repo.insertConfig(this.#q, row);
    return row;
  }

  async config(projectId: string, id: string): Promise<SoftwareConfigRow> {
    const row = await repo.getConfig(this.#q, projectId, id);
    if (!row) throw new BerthError('not_found', `Software config with id ${id} not found`);
    return row;
  }

  async configs(projectId: string, limit: number | undefined, marker: string | undefined): Promise<SoftwareConfigRow[]> {
    return repo.listConfigs(this.#q, projectId, limit, marker ? await this.config(projectId, marker) : undefined);
  }

  /** Refused while a deployment uses the config, as in Heat. */
  async deleteConfig(projectId: string, id: string): Promise<void> {
    await this.config(projectId, id);
    if (await repo.configInUse(this.#q, id)) throw new BerthError('conflict', `Software config with id ${id} can not be deleted as it is referenced.`);
    await repo.deleteConfig(this.#q, id);
  }

  async createDeployment(projectId: string, b: DeploymentInput): Promise<SoftwareDeploymentRow> {
    const configId = text(b.config_id, 'config_id');
    const serverId = text(b.server_id, 'server_id');
    if (!configId) throw new BerthError('bad_request', 'config_id is required.');
    if (!serverId) throw new BerthError('bad_request', 'server_id is required.');
    await this.config(projectId, configId);
    const row: SoftwareDeploymentRow = {
      id: newUuid(), project_id: projectId, config_id: configId, server_id: serverId,
      input_values: JSON.stringify(mapOf(b.input_values, 'input_values')), output_values: '{}',
      action: text(b.action, 'action') || 'INIT', status: text(b.status, 'status') || 'COMPLETE', status_reason: text(b.status_reason, 'status_reason') ?? '',
      created_at: new Date().toISOString(), updated_at: null,
    };
    await repo.insertDeployment(this.#q, row);
    return row;
  }

  async deployment(projectId: string, id: string): Promise<SoftwareDeploymentRow> {
    const row = await repo.getDeployment(this.#q, projectId, id);
    if (!row) throw new BerthError('not_found', `Deployment with id ${id} not found`);
    return row;
  }

  deployments(projectId: string, serverId: string | undefined): Promise<SoftwareDeploymentRow[]> {
    return repo.listDeployments(this.#q, projectId, serverId);
  }

  /**
   * Heat's update: output values mean the deployment finished, COMPLETE unless `deploy_status_code` says
   * it failed; otherwise the given status (if any) is taken as is.
   */
  async updateDeployment(projectId: string, id: string, b: DeploymentInput): Promise<SoftwareDeploymentRow> {
    const row = await this.deployment(projectId, id);
    const set: Partial<SoftwareDeploymentRow> = { updated_at: new Date().toISOString() };
    const configId = text(b.config_id, 'config_id');
    if (configId) set.config_id = (await this.config(projectId, configId)).id;
    if (b.input_values !== undefined && b.input_values !== null) set.input_values = JSON.stringify(mapOf(b.input_values, 'input_values'));
    const action = text(b.action, 'action');
    if (action) set.action = action;
    const status = text(b.status, 'status');
    const reason = text(b.status_reason, 'status_reason');
    if (b.output_values !== undefined && b.output_values !== null) {
      const out = mapOf(b.output_values, 'output_values');
      set.output_values = JSON.stringify(out);
      const code = out.deploy_status_code;
      const failed = code !== undefined && code !== null && code !== 0 && code !== '0';
      set.status = failed ? 'FAILED' : 'COMPLETE';
      set.status_reason = failed ? `deploy_status_code : Deployment exited with non-zero status code: ${typeof code === 'string' || typeof code === 'number' ? String(code) : JSON.stringify(code)}` : 'Outputs received';
    } else {
      if (status) set.status = status;
      if (reason !== undefined) set.status_reason = reason;
    }
    await repo.updateDeployment(this.#q, row.id, set);
    return { ...row, ...set };
  }

  async deleteDeployment(projectId: string, id: string): Promise<void> {
    await this.deployment(projectId, id);
    await repo.deleteDeployment(this.#q, id);
  }

  /** What a server's in-instance agent reads: the configs of its deployments, by config name then age. */
  async metadata(projectId: string, serverId: string): Promise<SoftwareConfigRow[]> {
    return repo.configsOfServer(this.#q, projectId, serverId);
  }
}
