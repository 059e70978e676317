/** @module Heat's views of stacks, resources, events and outputs. */
import type { FastifyRequest } from 'fastify';
import type { StackResourceRow, StackRow } from '../../store/schema.js';
import type { StackEvent } from '../../store/stack-repo.js';
import type { OutputValue } from '../../stack/outputs.js';
import { memberIndex } from '../../stack/resources/resource-group.js';
import { baseUrl } from '../server.js';

/** Heat's times: seconds, no zone suffix. */
const time = (iso: string | null) => (iso ? iso.replace(/\.\d+Z$/, 'Z') : null);

export const stackUrl = (req: FastifyRequest, s: Pick<StackRow, 'project_id' | 'name' | 'id'>) =>
  `${baseUrl(req)}/orchestration/v1/${s.project_id}/stacks/${encodeURIComponent(s.name)}/${s.id}`;

const tagsOf = (s: StackRow) => {
  const t = JSON.parse(s.tags) as string[];
  return t.length ? t : null;
};

function descriptionOf(s: StackRow): string {
  const t = JSON.parse(s.template) as { description?: unknown };
  return typeof t.description === 'string' ? t.description : 'No description';
}

export function renderStackSummary(req: FastifyRequest, s: StackRow) {
  return {
    id: s.id, stack_name: s.name, description: descriptionOf(s), creation_time: time(s.created_at), updated_time: time(s.updated_at),
    deletion_time: null, stack_status: `${s.action}_${s.status}`, stack_status_reason: s.reason, stack_owner: null, parent: null,
    stack_user_project_id: s.project_id, project: s.project_id, tags: tagsOf(s), links: [{ href: stackUrl(req, s), rel: 'self' }],
  };
}

export function renderStack(req: FastifyRequest, s: StackRow, params: Record<string, unknown>, outputs: OutputValue[] | undefined, hidden: string[]) {
  const shown: Record<string, string> = { 'OS::stack_id': s.id, 'OS::stack_name': s.name, 'OS::project_id': s.project_id };
  for (const [k, v] of Object.entries(params)) shown[k] = hidden.includes(k) ? '******' : typeof v === 'string' ? v : Array.isArray(v) ? v.join(',') : JSON.stringify(v);
  return {
    ...renderStackSummary(req, s),
    template_description: descriptionOf(s),
    disable_rollback: s.disable_rollback === 1,
    timeout_mins: s.timeout_mins,
    capabilities: [], notification_topics: [],
    parameters: shown,
    ...(outputs ? { outputs: outputs.map((o) => ({ output_key: o.output_key, output_value: o.output_value, description: o.description, ...(o.output_error ? { output_error: o.output_error } : {}) })) } : {}),
  };
}

/** A resource; a group member shows its index as name and its group as parent_resource. */
export function renderResource(req: FastifyRequest, s: StackRow, r: StackResourceRow, detail: boolean) {
  const dot = r.name.lastIndexOf('.');
  const parent = dot > 0 && memberIndex(r.name.slice(0, dot), r.name) !== undefined ? r.name.slice(0, dot) : undefined;
  const url = `${stackUrl(req, s)}/resources/${encodeURIComponent(r.name)}`;
  return {
    resource_name: r.name, logical_resource_id: r.name, physical_resource_id: r.physical_id ?? '', resource_type: r.type,
    resource_status: `${r.action}_${r.status}`, resource_status_reason: r.reason || 'state changed',
    creation_time: time(r.created_at), updated_time: time(r.updated_at ?? r.created_at), required_by: JSON.parse(r.required_by) as string[],
    ...(parent ? { parent_resource: parent } : {}),
    links: [{ href: url, rel: 'self' }, { href: stackUrl(req, s), rel: 'stack' }],
    ...(detail ? { attributes: JSON.parse(r.attributes) as unknown, properties: JSON.parse(r.properties) as unknown, description: '', metadata: {} } : {}),
  };
}

export function renderEvent(req: FastifyRequest, s: StackRow, e: StackEvent) {
  const res = `${stackUrl(req, s)}/resources/${encodeURIComponent(e.resource_name)}`;
  return {
    id: e.id, event_time: time(e.created_at), resource_name: e.resource_name, logical_resource_id: e.resource_name,
    physical_resource_id: e.physical_id, resource_status: `${e.action}_${e.status}`, resource_status_reason: e.reason,
    resource_type: e.resource_type,
    links: [{ href: `${res}/events/${e.id}`, rel: 'self' }, { href: res, rel: 'resource' }, { href: stackUrl(req, s), rel: 'stack' }],
  };
}
