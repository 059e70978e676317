import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateConditions, isEnabled, parseTemplate, resolveParameters, TemplateError } from './index.js';

const template = (conditions: Record<string, unknown>, version = '2018-08-31', extra: Record<string, unknown> = {}) => parseTemplate({
  heat_template_version: version,
  parameters: { env: { type: 'string', default: 'prod' }, n: { type: 'number', default: 3 }, zones: { type: 'comma_delimited_list', default: 'a,b' } },
  conditions,
  ...extra,
});
const evaluate = (conditions: Record<string, unknown>, version?: string, extra?: Record<string, unknown>) => {
  const t = template(conditions, version, extra);
  return evaluateConditions(t, resolveParameters(t, {}), { 'OS::stack_name': 'st' });
};

const cases: { name: string; conditions: Record<string, unknown>; want: Record<string, boolean>; version?: string }[] = [
  { name: 'a boolean', conditions: { c: true }, want: { c: true } },
  { name: 'equals with get_param', conditions: { prod: { equals: [{ get_param: 'env' }, 'prod'] } }, want: { prod: true } },
  { name: 'equals of numbers', conditions: { three: { equals: [{ get_param: 'n' }, 3] } }, want: { three: true } },
  { name: 'equals of a pseudo parameter', conditions: { st: { equals: [{ get_param: 'OS::stack_name' }, 'st'] } }, want: { st: true } },
  { name: 'not of a name', conditions: { prod: { equals: [{ get_param: 'env' }, 'prod'] }, dev: { not: 'prod' } }, want: { prod: true, dev: false } },
  { name: 'not of a function', conditions: { c: { not: { equals: [1, 2] } } }, want: { c: true } },
  { name: 'and', conditions: { a: true, b: false, both: { and: ['a', 'b'] }, one: { or: ['a', 'b'] } }, want: { a: true, b: false, both: false, one: true } },
  { name: 'and of functions and booleans', conditions: { c: { and: [true, { equals: [1, 1] }, { not: false }] } }, want: { c: true } },
  { name: 'a name used before it is defined', conditions: { later: { not: 'first' }, first: false }, want: { later: true, first: false } },
  { name: 'contains (2017-09-01)', conditions: { c: { contains: ['b', { get_param: 'zones' }] } }, want: { c: true } },
];
for (const c of cases) {
  test(`conditions: ${c.name}`, () => assert.deepEqual(evaluate(c.conditions, c.version), c.want));
}

const refusals: { name: string; conditions: Record<string, unknown>; message: string; version?: string }[] = [
  { name: 'an unknown name', conditions: { c: { not: 'nope' } }, message: 'conditions.c.not: Invalid condition "nope"' },
  { name: 'a loop', conditions: { a: { not: 'b' }, b: { not: 'a' } }, message: 'Condition validation error: Circular definition for condition "a"' },
  { name: 'a definition that is a string', conditions: { a: true, c: 'a' }, message: 'Condition validation error: The definition of condition "c" is invalid: a' },
  { name: 'and of one', conditions: { c: { and: [true] } }, message: 'conditions.c.and: The minimum number of condition arguments to "and" is 2.' },
  { name: 'or of a map', conditions: { c: { or: { a: 1 } } }, message: 'conditions.c.or: Arguments to "or" must be a list of conditions' },
  { name: 'equals of three', conditions: { c: { equals: [1, 2, 3] } }, message: 'conditions.c.equals: Arguments to "equals" must be of the form: [value_1, value_2]' },
  { name: 'get_resource inside', conditions: { c: { equals: [{ get_resource: 'x' }, 1] } },
    message: 'conditions.c.equals[0].get_resource: The function "get_resource" is invalid in this context' },
  { name: 'contains before 2017-09-01', version: '2017-02-24', conditions: { c: { contains: ['a', ['a']] } }, message: 'conditions.c.contains: The function "contains" is not supported in this version of HOT (2017-02-24)' },
  { name: 'a definition that is a plain map', conditions: { c: { a: 1, b: 2 } }, message: 'Condition validation error: The definition of condition "c" is invalid: {"a": 1, "b": 2}' },
  { name: 'get_param of an unknown parameter', conditions: { c: { equals: [{ get_param: 'nope' }, 1] } }, message: 'The Parameter (nope) was not provided.' },
];
for (const c of refusals) {
  test(`conditions refuse: ${c.name}`, () => {
    assert.throws(() => evaluate(c.conditions, c.version), (e: unknown) => {
      assert.ok(e instanceof TemplateError);
      assert.equal(e.message, c.message);
      return true;
    });
  });
}

test('conditions: inline resource and output conditions are evaluated under resources.NAME and outputs.NAME', () => {
  const got = evaluate({ prod: true }, '2016-10-14', {
    resources: { a: { type: 'T', condition: { not: 'prod' } }, b: { type: 'T', condition: 'prod' }, c: { type: 'T', condition: false } },
    outputs: { o: { value: 1, condition: { equals: [{ get_param: 'env' }, 'dev'] } } },
  });
  assert.deepEqual(got, { prod: true, 'resources.a': false, 'outputs.o': false });
  assert.equal(isEnabled('resources', 'a', { not: 'prod' }, got), false);
  assert.equal(isEnabled('resources', 'b', 'prod', got), true);
  assert.equal(isEnabled('resources', 'c', false, got), false);
  assert.equal(isEnabled('resources', 'd', undefined, got), true);
  assert.throws(() => isEnabled('resources', 'e', 'nope', got), { message: 'resources.e.condition: Invalid condition "nope"' });
});
