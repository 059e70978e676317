/** @module What a stack request body means: the template and environment parsed, tags split. */
import { parse as parseYaml } from 'yaml';
import { BerthError } from '../../core/errors.js';
import { parseTemplate } from '../../stack/template/index.js';
import type { StackRequest } from '../../stack/service.js';

interface Body {
  template?: Record<string, unknown> | string;
  template_url?: string | null;
  parameters?: Record<string, unknown>;
  environment?: Record<string, unknown> | string;
  files?: Record<string, unknown>;
  timeout_mins?: number | null;
  disable_rollback?: boolean;
  tags?: string | string[];
}

/** The template as an object: an inline text is parsed (a YAML error is the engine's 400). */
export function templateOf(b: Body): Record<string, unknown> | undefined {
  if (b.template === undefined || b.template === null) {
    if (b.template_url) throw new BerthError('bad_request', 'template_url is not supported by this cloud: send the template inline (openstack stack create -t FILE does).');
    return undefined;
  }
  if (typeof b.template === 'string') {
    parseTemplate(b.template);
    return parseYamlObject(b.template);
  }
  return b.template;
}

function parseYamlObject(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = parseYaml(text);
  } catch (e) {
    throw new BerthError('bad_request', `Error parsing YAML: ${(e as Error).message}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new BerthError('bad_request', 'The template is not a map.');
  return v as Record<string, unknown>;
}

function environmentOf(b: Body): StackRequest['environment'] {
  const env = typeof b.environment === 'string' ? parseYamlObject(b.environment) : b.environment ?? {};
  for (const key of Object.keys(env)) {
    if (!['parameters', 'parameter_defaults', 'resource_registry', 'event_sinks', 'encrypted_param_names', 'parameter_merge_strategies'].includes(key))
      throw new BerthError('bad_request', `environment has wrong section "${key}"`);
  }
  const reg = env.resource_registry as Record<string, unknown> | undefined;
  if (reg && Object.keys(reg).length > 0) throw new BerthError('bad_request', 'resource_registry in the environment is not supported by this cloud.');
  return env;
}

const tagsOf = (t: string | string[] | undefined) => (t === undefined ? [] : (Array.isArray(t) ? t : t.split(',')).map((x) => x.trim()).filter(Boolean));

export function stackRequestOf(b: Body): StackRequest {
  const template = templateOf(b);
  if (!template) throw new BerthError('bad_request', 'No template specified');
  return {
    template, parameters: b.parameters ?? {}, environment: environmentOf(b), files: b.files ?? {},
    timeoutMins: b.timeout_mins ?? null, disableRollback: b.disable_rollback ?? true, tags: tagsOf(b.tags),
  };
}

export function stackUpdateOf(b: Body): Partial<StackRequest> {
  return {
    template: templateOf(b), parameters: b.parameters, environment: b.environment === undefined ? undefined : environmentOf(b),
    files: b.files, timeoutMins: b.timeout_mins, disableRollback: b.disable_rollback, tags: b.tags === undefined ? undefined : tagsOf(b.tags),
  };
}
