import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTemplate, resolveParameters, TemplateError } from './index.js';

/** A template with one parameter `p` declared as given. */
const withParam = (decl: Record<string, unknown>, version = '2018-08-31') =>
  parseTemplate({ heat_template_version: version, parameters: { p: decl } });

const BOOLEANS = "'0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'";

const cases: { name: string; decl: Record<string, unknown>; given?: unknown; want?: unknown; error?: string; version?: string }[] = [
  { name: 'string as given', decl: { type: 'string' }, given: 'abc', want: 'abc' },
  { name: 'string from a number', decl: { type: 'string' }, given: 5, want: '5' },
  { name: 'string default', decl: { type: 'string', default: 'd' }, want: 'd' },
  { name: 'number from text', decl: { type: 'number' }, given: '42', want: 42 },
  { name: 'number with a fraction', decl: { type: 'number' }, given: '1.5', want: 1.5 },
  { name: 'number default', decl: { type: 'number', default: 3 }, want: 3 },
  { name: 'number that is not one', decl: { type: 'number' }, given: 'abc', error: "Parameter 'p' is invalid: could not convert string to float: 'abc'" },
  { name: 'boolean from yes', decl: { type: 'boolean' }, given: 'yes', want: true },
  { name: 'boolean from False', decl: { type: 'boolean' }, given: 'False', want: false },
  { name: 'boolean from a boolean default', decl: { type: 'boolean', default: true }, want: true },
  { name: 'boolean that is not one', decl: { type: 'boolean' }, given: 'maybe', error: `Parameter 'p' is invalid: Unrecognized value 'maybe', acceptable values are: ${BOOLEANS}` },
  { name: 'json from text', decl: { type: 'json' }, given: '{"a": [1, 2]}', want: { a: [1, 2] } },
  { name: 'json as an object', decl: { type: 'json', default: { k: 'v' } }, want: { k: 'v' } },
  { name: 'json that does not parse', decl: { type: 'json' }, given: '{a', error: "Parameter 'p' is invalid: Value must be valid JSON: " },
  { name: 'comma_delimited_list from text, trimmed', decl: { type: 'comma_delimited_list' }, given: 'a, b ,c', want: ['a', 'b', 'c'] },
  { name: 'comma_delimited_list from a list', decl: { type: 'comma_delimited_list', default: ['x', 1] }, want: ['x', '1'] },
  { name: 'comma_delimited_list empty', decl: { type: 'comma_delimited_list' }, given: '', want: [] },
  { name: 'missing required', decl: { type: 'string' }, error: 'The Parameter (p) was not provided.' },
  { name: 'allowed_values passes', decl: { type: 'string', constraints: [{ allowed_values: ['a', 'b'] }] }, given: 'b', want: 'b' },
  { name: 'allowed_values in Heat words', decl: { type: 'string', constraints: [{ allowed_values: ['a', 'b'] }] }, given: 'c',
    error: 'Parameter \'p\' is invalid: "c" is not an allowed value ["a", "b"]' },
  { name: 'allowed_values with its description', decl: { type: 'string', constraints: [{ allowed_values: ['a'], description: 'pick a' }] }, given: 'c',
    error: "Parameter 'p' is invalid: pick a" },
  { name: 'allowed_values of numbers given as text', decl: { type: 'number', constraints: [{ allowed_values: [1, 2] }] }, given: '2', want: 2 },
  { name: 'allowed_values over a list', decl: { type: 'comma_delimited_list', constraints: [{ allowed_values: ['a', 'b'] }] }, given: 'a,c',
    error: 'Parameter \'p\' is invalid: ["a", "c"] is not an allowed value ["a", "b"]' },
  { name: 'range passes at its bounds', decl: { type: 'number', constraints: [{ range: { min: 1, max: 3 } }] }, given: 3, want: 3 },
  { name: 'range in Heat words', decl: { type: 'number', constraints: [{ range: { min: 1, max: 3 } }] }, given: 5,
    error: "Parameter 'p' is invalid: 5 is out of range (min: 1, max: 3)" },
  { name: 'range with only a min', decl: { type: 'number', constraints: [{ range: { min: 1 } }] }, given: 0,
    error: "Parameter 'p' is invalid: 0 is out of range (min: 1, max: None)" },
  { name: 'range with its description', decl: { type: 'number', constraints: [{ range: { max: 3 }, description: 'at most 3' }] }, given: 4,
    error: "Parameter 'p' is invalid: at most 3" },
  { name: 'length of a string', decl: { type: 'string', constraints: [{ length: { min: 2, max: 4 } }] }, given: 'abcde',
    error: "Parameter 'p' is invalid: length (5) is out of range (min: 2, max: 4)" },
  { name: 'length of a list', decl: { type: 'comma_delimited_list', constraints: [{ length: { max: 1 } }] }, given: 'a,b',
    error: "Parameter 'p' is invalid: length (2) is out of range (min: None, max: 1)" },
  { name: 'allowed_pattern passes', decl: { type: 'string', constraints: [{ allowed_pattern: '[a-z]+' }] }, given: 'abc', want: 'abc' },
  { name: 'allowed_pattern must match all of it', decl: { type: 'string', constraints: [{ allowed_pattern: '[a-z]+' }] }, given: 'abc1',
    error: 'Parameter \'p\' is invalid: "abc1" does not match pattern "[a-z]+"' },
  { name: 'allowed_pattern with its description', decl: { type: 'string', constraints: [{ allowed_pattern: '[0-9]+', description: 'digits only' }] }, given: 'x',
    error: "Parameter 'p' is invalid: digits only" },
  { name: 'modulo passes', decl: { type: 'number', constraints: [{ modulo: { step: 2, offset: 1 } }] }, given: 5, want: 5 },
  { name: 'modulo in Heat words', decl: { type: 'number', constraints: [{ modulo: { step: 2, offset: 1 } }] }, given: 4,
    error: "Parameter 'p' is invalid: 4 is not a multiple of 2 with an offset of 1)" },
  { name: 'the default is checked too', decl: { type: 'number', default: 9, constraints: [{ range: { max: 3 } }] },
    error: "Parameter 'p' is invalid: 9 is out of range (min: None, max: 3)" },
  { name: 'custom_constraint is accepted unchecked', decl: { type: 'string', constraints: [{ custom_constraint: 'glance.image' }] }, given: 'x', want: 'x' },
];
for (const c of cases) {
  test(`parameters: ${c.name}`, () => {
    const t = withParam(c.decl, c.version);
    const given = c.given === undefined ? {} : { p: c.given };
    if (c.error !== undefined) {
      assert.throws(() => resolveParameters(t, given), (e: unknown) => {
        assert.ok(e instanceof TemplateError);
        if (c.error?.endsWith(': ')) assert.ok(e.message.startsWith(c.error), e.message);
        else assert.equal(e.message, c.error);
        return true;
      });
    } else {
      assert.deepEqual(resolveParameters(t, given).p, c.want);
    }
  });
}

test('parameters: given beats env parameters beats parameter_defaults beats the template default', () => {
  const t = parseTemplate({ heat_template_version: '2016-10-14', parameters: {
    a: { type: 'string', default: 't' }, b: { type: 'string', default: 't' }, c: { type: 'string', default: 't' }, d: { type: 'string', default: 't' } } });
  const env = { parameters: { a: 'env', b: 'env' }, parameter_defaults: { a: 'pd', b: 'pd', c: 'pd', nothere: 'ignored' } };
  assert.deepEqual(resolveParameters(t, { a: 'given' }, env), { a: 'given', b: 'env', c: 'pd', d: 't' });
});

test('parameters: parameter_defaults makes a required parameter optional', () => {
  const t = withParam({ type: 'number' });
  assert.deepEqual(resolveParameters(t, {}, { parameter_defaults: { p: '7' } }), { p: 7 });
});

test('parameters: a value for a parameter the template does not declare is refused', () => {
  assert.throws(() => resolveParameters(withParam({ type: 'string', default: 'x' }), { q: 1 }),
    { name: 'TemplateError', message: 'The Parameter (q) was not defined in template.' });
});

test('parameters: hidden and immutable are kept on the definition', () => {
  const t = withParam({ type: 'string', hidden: true, immutable: 'true', label: 'L', description: 'D' });
  assert.deepEqual(t.parameters.p, { name: 'p', type: 'string', hidden: true, immutable: true, label: 'L', description: 'D', constraints: [] });
});
