import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTemplate, resolveValue, TemplateError, VERSION_DATES } from './index.js';
import { functionKind } from './versions.js';

/** Heat's tables restated: [function, first version with it, first version without it]. */
const TABLE: [string, string, string?][] = [
  ['get_param', '2013-05-23'], ['get_resource', '2013-05-23'], ['get_attr', '2013-05-23'], ['list_join', '2013-05-23'],
  ['str_replace', '2013-05-23'],
  ['Ref', '2013-05-23', '2014-10-16'], ['Fn::Join', '2013-05-23', '2014-10-16'], ['Fn::Split', '2013-05-23', '2014-10-16'],
  ['Fn::Replace', '2013-05-23', '2014-10-16'], ['Fn::Base64', '2013-05-23', '2014-10-16'], ['Fn::Select', '2013-05-23', '2015-10-15'],
  ['repeat', '2015-04-30'], ['digest', '2015-04-30'], ['str_split', '2015-10-15'], ['map_merge', '2016-04-08'],
  ['map_replace', '2016-10-14'], ['if', '2016-10-14'], ['filter', '2017-02-24'], ['str_replace_strict', '2017-02-24'],
  ['list_concat', '2017-09-01'], ['list_concat_unique', '2017-09-01'], ['contains', '2017-09-01'], ['str_replace_vstrict', '2017-09-01'],
];

for (const [name, since, until] of TABLE) {
  for (const date of VERSION_DATES) {
    const offered = date >= since && (until === undefined || date < until);
    test(`versions: ${name} in ${date} is ${offered ? 'offered' : 'refused'}`, () => {
      const kind = functionKind(name, date, 'value');
      if (offered) assert.deepEqual(kind, { kind: 'call' });
      else assert.deepEqual(kind, { kind: 'refused', message: `The function "${name}" is not supported in this version of HOT (${date})` });
    });
  }
}

const notInBerth = ['yaql', 'resource_facade', 'make_url', 'Fn::GetAZs', 'Fn::MemberListToMap', 'Fn::ResourceFacade'];
for (const name of notInBerth) {
  test(`versions: ${name} is an unknown function in Berth`, () => {
    const date = name.startsWith('Fn::') ? '2013-05-23' : '2018-08-31';
    assert.deepEqual(functionKind(name, date, 'value'), { kind: 'refused', message: `Unknown function "${name}": Berth does not support it` });
  });
}

const conditionCases: { name: string; date: string; want: string }[] = [
  { name: 'equals', date: '2016-10-14', want: 'call' },
  { name: 'not', date: '2016-10-14', want: 'call' },
  { name: 'and', date: '2016-10-14', want: 'call' },
  { name: 'or', date: '2016-10-14', want: 'call' },
  { name: 'get_param', date: '2016-10-14', want: 'call' },
  { name: 'contains', date: '2017-02-24', want: 'refused' },
  { name: 'contains', date: '2017-09-01', want: 'call' },
  { name: 'get_resource', date: '2016-10-14', want: 'refused' },
  { name: 'if', date: '2018-08-31', want: 'refused' },
  { name: 'anything_else', date: '2018-08-31', want: 'map' },
];
for (const c of conditionCases) {
  test(`versions: ${c.name} in a condition of ${c.date} is ${c.want}`, () => {
    assert.equal(functionKind(c.name, c.date, 'condition').kind, c.want);
  });
}

test('versions: get_resource in a condition is invalid in this context', () => {
  assert.deepEqual(functionKind('get_resource', '2016-10-14', 'condition'),
    { kind: 'refused', message: 'The function "get_resource" is invalid in this context' });
});

test('versions: equals, not, and, or outside conditions are plain maps, as in Heat', () => {
  for (const name of ['equals', 'not', 'and', 'or']) assert.equal(functionKind(name, '2018-08-31', 'value').kind, 'map');
});

test('versions: a function too new for the template is refused where it is', () => {
  const t = parseTemplate({ heat_template_version: '2016-10-14' });
  const ctx = { params: {}, conditions: {}, resourceId: () => null, attribute: () => null, pseudo: {} };
  assert.throws(() => resolveValue(t, { a: { list_concat: [[1], [2]] } }, ctx, 'outputs.o.value'), (e: unknown) => {
    assert.ok(e instanceof TemplateError);
    assert.equal(e.message, 'outputs.o.value.a.list_concat: The function "list_concat" is not supported in this version of HOT (2016-10-14)');
    return true;
  });
});
