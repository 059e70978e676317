/**
 * @module The stack service's requests: a create, update or delete is checked whole (template,
 * parameters, resource types, who may ask for what), then written as desired state in one transaction
 * with its first event, and the controller is told. Lookups see only the caller's project (another
 * project's stack is "not found").
 */
import { BerthError } from '../core/errors.js';
import { newUuid } from '../core/ids.js';
import { isUniqueViolation, type Database } from '../store/db.js';
import type { StackRow } from '../store/schema.js';
import * as repo from '../store/stack-repo.js';
import { STACK_TYPE, writeEvent } from './events.js';
import { checkTemplate, prepareStack, type Prepared } from './prepare.js';
import type { Asker } from './resources/types.js';
import type { StackController } from './controller.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NAME = /^[a-zA-Z][a-zA-Z0-9_.-]{0,254}$/;

/** Who asks, as the stack service needs it. */
export interface StackCaller extends Asker {
  userId: string;
  projectId: string;
  roles: string[];
}

export interface StackRequest {
  template: Record<string, unknown>;
  parameters: Record<string, unknown>;
  environment: { parameters?: Record<string, unknown>; parameter_defaults?: Record<string, unknown> };
  files: Record<string, unknown>;
  timeoutMins: number | null;
  disableRollback: boolean;
  tags: string[];
}

export const stackNotFound = (ident: string) => new BerthError('not_found', `The Stack (${ident}) could not be found.`);

export class StackService {
  readonly #db: Database;
  readonly #controller: StackController;

  constructor(db: Database, controller: StackController) {
    this.#db = db;
    this.#controller = controller;
  }

  /** A stack of the caller's project by name or id. */
  async find(projectId: string, ident: string): Promise<StackRow> {
    const q = this.#db.kysely;
    const byId = UUID.test(ident) ? await repo.getStack(q, ident.toLowerCase()) : undefined;
    const s = byId && byId.project_id === projectId ? byId : await repo.findStackByName(q, projectId, ident);
    if (!s) throw stackNotFound(ident);
    return s;
  }

  /** `name/id` as Heat's URLs have it: both must name the same stack. */
  async findExact(projectId: string, name: string, id: string): Promise<StackRow> {
    const s = await this.find(projectId, id);
    if (s.name !== name && s.id !== name) throw stackNotFound(`${name}/${id}`);
    return s;
  }

  validate(who: StackCaller | undefined, template: unknown, parameters: Record<string, unknown>, environment: StackRequest['environment'], files: Record<string, unknown> = {}): Prepared {
    if (template === undefined || template === null) throw new BerthError('bad_request', 'No template specified');
    return prepareStack({ template: template as Record<string, unknown>, parameters, environment, pseudo: {}, files }, who);
  }

  /** Heat's validate: the template and the given parameters; parameters without a value are allowed. */
  check(who: StackCaller, template: unknown, parameters: Record<string, unknown>, environment: StackRequest['environment'], files: Record<string, unknown> = {}) {
    if (template === undefined || template === null) throw new BerthError('bad_request', 'No template specified');
    return checkTemplate({ template: template as Record<string, unknown>, parameters, environment, pseudo: {}, files }, who);
  }

  async create(who: StackCaller, name: string, r: StackRequest): Promise<StackRow> {
    if (!NAME.test(name)) throw new BerthError('bad_request', `Invalid stack name ${name} must contain only alphanumeric or "_-." characters, must start with alpha and must be 255 characters or less.`);
    this.validate(who, r.template, r.parameters, r.environment, r.files);
    const now = new Date().toISOString();
    const row: StackRow = {
      id: newUuid(), name, project_id: who.projectId, user_id: who.userId, roles: JSON.stringify(who.roles),
      template: JSON.stringify(r.template), files: JSON.stringify(r.files), environment: JSON.stringify(r.environment),
      parameters: JSON.stringify(r.parameters), previous: null, action: 'CREATE', status: 'IN_PROGRESS', reason: 'Stack CREATE started',
      timeout_mins: r.timeoutMins, disable_rollback: r.disableRollback ? 1 : 0, tags: JSON.stringify(r.tags), generation: 1,
      owner: null, lease_until: null, created_at: now, updated_at: null,
    };
    try {
      await this.#db.tx(async (trx) => {
        await repo.insertStack(trx, row);
        await writeEvent(trx, { stackId: row.id, resourceName: name, resourceType: STACK_TYPE, physicalId: row.id, action: 'CREATE', status: 'IN_PROGRESS', reason: 'Stack CREATE started' });
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new BerthError('conflict', `The Stack (${name}) already exists.`);
      throw e;
    }
    this.#controller.kick(row.id);
    return row;
  }

  /**
   * PUT replaces template, parameters and environment; PATCH keeps what the request leaves out (and
   * its parameters add to the existing ones). Refused while the stack is being deleted.
   */
  async update(who: StackCaller, s: StackRow, r: Partial<StackRequest>, patch: boolean): Promise<void> {
    if (s.action === 'DELETE') throw new BerthError('conflict', `Stack ${s.name} is being deleted.`);
    const template = r.template ?? (patch ? JSON.parse(s.template) as Record<string, unknown> : undefined);
    const parameters = patch ? { ...(JSON.parse(s.parameters) as Record<string, unknown>), ...r.parameters } : r.parameters ?? {};
    const environment = r.environment ?? (patch ? JSON.parse(s.environment) as StackRequest['environment'] : {});
    this.validate(who, template, parameters, environment, r.files ?? JSON.parse(s.files) as Record<string, unknown>);
    const previous = s.status === 'COMPLETE' || !s.previous ? JSON.stringify({ template: s.template, parameters: s.parameters, environment: s.environment }) : s.previous;
    const set: Partial<StackRow> = {
      template: JSON.stringify(template), parameters: JSON.stringify(parameters), environment: JSON.stringify(environment),
      files: r.files ? JSON.stringify(r.files) : s.files, previous, action: 'UPDATE', status: 'IN_PROGRESS', reason: 'Stack UPDATE started',
      user_id: who.userId, roles: JSON.stringify(who.roles),
      timeout_mins: r.timeoutMins !== undefined ? r.timeoutMins : s.timeout_mins,
      disable_rollback: r.disableRollback !== undefined ? (r.disableRollback ? 1 : 0) : s.disable_rollback,
      tags: r.tags !== undefined ? JSON.stringify(r.tags) : s.tags,
    };
    await this.#write(s, set, 'UPDATE', 'Stack UPDATE started');
  }

  async delete(who: StackCaller, s: StackRow): Promise<void> {
    if (s.action === 'DELETE' && s.status === 'IN_PROGRESS') return;
    await this.#write(s, { action: 'DELETE', status: 'IN_PROGRESS', reason: 'Stack DELETE started', user_id: who.userId, roles: JSON.stringify(who.roles) }, 'DELETE', 'Stack DELETE started');
  }

  async #write(s: StackRow, set: Partial<StackRow>, action: string, reason: string): Promise<void> {
    const done = await this.#db.tx(async (trx) => {
      if (!(await repo.updateStackIf(trx, s.id, s.generation, set))) return false;
      await writeEvent(trx, { stackId: s.id, resourceName: s.name, resourceType: STACK_TYPE, physicalId: s.id, action, status: 'IN_PROGRESS', reason });
      return true;
    });
    if (!done) throw new BerthError('conflict', `Stack ${s.name} was changed by another request; try again.`);
    this.#controller.kick(s.id);
  }
}
