/**
 * @module OS::Heat::TestResource, Heat's standard resource for testing stacks: it makes nothing, may wait
 * and may fail on purpose; its `output` attribute is its `value`.
 */
import { createHash } from 'node:crypto';
import { ResourceFailure, type ResourceType } from './types.js';

const uuidOf = (text: string) => {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

async function act(env: Parameters<NonNullable<ResourceType['ready']>>[0], p: Record<string, unknown>, action: string): Promise<void> {
  const waits = (p.action_wait_secs ?? {}) as Record<string, unknown>;
  const secs = Number(waits[action] ?? p.wait_secs ?? 0);
  if (secs > 0) await env.sleep(secs * 1000);
  if (p.fail === true) throw new ResourceFailure(`Test Resource failed ${typeof p.value === 'string' ? p.value : ''}`.trim());
}

export const testResourceType: ResourceType = {
  description: 'A resource for testing stacks: waits, fails on request, and outputs its value.',
  schema: {
    properties: {
      value: { type: 'string', default: 'test_string', updateAllowed: true, description: 'The input string to be stored.' },
      update_replace_value: { type: 'string', description: 'Some value that can be stored but can not be updated.' },
      update_replace: { type: 'boolean', default: false, updateAllowed: true, description: 'Whether an update replaces the resource.' },
      fail: { type: 'boolean', default: false, updateAllowed: true, description: 'Whether the resource fails.' },
      wait_secs: { type: 'number', default: 0, updateAllowed: true, description: 'Seconds to wait after an action.' },
      action_wait_secs: { type: 'map', updateAllowed: true, description: 'Seconds to wait per action (create, update, delete).' },
      attr_wait_secs: { type: 'number', default: 0, description: 'Seconds to wait before resolving an attribute.' },
      client_name: { type: 'string', default: '', description: 'Client to use.' },
      entity_name: { type: 'string', default: '', description: 'Client entity to poll.' },
      constraint_prop_secs: { type: 'number', default: 0, description: 'Seconds to wait for a constraint.' },
    },
    attributes: ['output'],
  },
  async create(env, r) {
    await act(env, r.props, 'create');
    return { physicalId: uuidOf(`${env.stack.id}/${r.name}/${Date.now()}`), attributes: { output: r.props.value ?? 'test_string' } };
  },
  async update(env, _id, before, r) {
    if (r.props.update_replace === true || JSON.stringify(before.update_replace_value ?? null) !== JSON.stringify(r.props.update_replace_value ?? null)) return false;
    await act(env, r.props, 'update');
    return { output: r.props.value ?? 'test_string' };
  },
  async remove(env) {
    void env;
  },
};
