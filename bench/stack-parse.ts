/**
 * Stack benchmark, template part: parsing and validating a template of BENCH_STACK_RESOURCES resources
 * (1,000) as the stack service does on every create, update and validate: a chain of OS::Heat::Value
 * and OS::Zun::Container resources referring to each other with get_resource/get_attr/str_replace, plus
 * parameters with constraints and outputs. Three inputs: the parsed object (what heatclient sends in
 * the request body), the same as JSON text, and as YAML text. Best of several runs after a warm-up.
 */
import { stringify } from 'yaml';
import { loadText, parseTemplate, validateTemplate } from '../src/stack/template/index.js';
import { registry } from '../src/stack/resources/index.js';
import { formatTable, now } from './lib.js';

const r2 = (x: number) => Math.round(x * 100) / 100;

/** A HOT template of `n` resources, each depending on the one before. */
export function bigTemplate(n: number): Record<string, unknown> {
  const resources: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const prev = i > 0 ? `r${i - 1}` : undefined;
    resources[`r${i}`] = i % 2 === 0
      ? { type: 'OS::Heat::Value', properties: { value: prev ? { str_replace: { template: 'v-$x', params: { $x: { get_resource: prev } } } } : { get_param: 'prefix' } } }
      : {
        type: 'OS::Zun::Container',
        depends_on: prev ? [prev] : [],
        properties: {
          name: { list_join: ['-', [{ get_param: 'prefix' }, `c${i}`]] },
          image: 'busybox', command: 'sleep 600', cpu: 0.1, memory: { get_param: 'memory' },
          environment: { PREV: { get_attr: [prev ?? 'r0', 'value'] } },
        },
      };
  }
  return {
    heat_template_version: '2018-08-31',
    parameters: {
      prefix: { type: 'string', default: 'app', constraints: [{ length: { min: 1, max: 20 } }, { allowed_pattern: '[a-z]+' }] },
      memory: { type: 'number', default: 32, constraints: [{ range: { min: 4, max: 1024 } }] },
    },
    resources,
    outputs: { last: { value: { get_resource: `r${n - 1}` } } },
  };
}

function best(runs: number, f: () => void): number {
  f();
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = now();
    f();
    min = Math.min(min, now() - t);
  }
  return min;
}

export interface ParseResult { resources: number; objectMs: number; jsonMs: number; yamlMs: number }

export function measureParse(resources: number, runs = 10): ParseResult {
  const object = bigTemplate(resources);
  const json = JSON.stringify(object);
  const yamlText = stringify(object);
  const check = (source: string | Record<string, unknown>) => () => validateTemplate(parseTemplate(source), registry);
  const result = {
    resources,
    objectMs: r2(best(runs, check(object))),
    jsonMs: r2(best(runs, check(json))),
    yamlMs: r2(best(runs, () => validateTemplate(parseTemplate(loadText(yamlText) as Record<string, unknown>), registry))),
  };
  console.log(formatTable([`parse + validate, ${resources} resources (best of ${runs})`, 'ms'], [
    ['parsed object (heatclient sends the template as JSON in the body)', result.objectMs],
    ['JSON text', result.jsonMs],
    ['YAML text', result.yamlMs],
  ]));
  return result;
}
