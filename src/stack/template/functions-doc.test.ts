import { test } from 'node:test';
import assert from 'node:assert/strict';
import { templateFunctions } from './functions-doc.js';

const names = (v: string, c = false) => templateFunctions(v, c)?.map((f) => f.functions);

const cases: { name: string; version: string; conditions?: boolean; has: string[]; lacks: string[] }[] = [
  { name: '2016-04-08 has map_merge, not if', version: 'heat_template_version.2016-04-08', has: ['get_file', 'map_merge', 'repeat'], lacks: ['if', 'Fn::Join', 'equals'] },
  { name: '2013-05-23 has the CFN functions', version: 'heat_template_version.2013-05-23', has: ['Fn::Join', 'Ref'], lacks: ['repeat'] },
  { name: 'an alias names its date', version: 'heat_template_version.pike', has: ['make_url', 'if'], lacks: ['equals'] },
  { name: 'condition functions on request', version: 'heat_template_version.2016-10-14', conditions: true, has: ['equals', 'not', 'if'], lacks: ['contains'] },
];

for (const c of cases) {
  test(`template functions: ${c.name}`, () => {
    const n = names(c.version, c.conditions) ?? [];
    for (const h of c.has) assert.ok(n.includes(h), `${h} listed`);
    for (const l of c.lacks) assert.ok(!n.includes(l), `${l} not listed`);
  });
}

test('template functions: every listed function is described', () => {
  for (const f of templateFunctions('heat_template_version.2018-08-31', true) ?? []) assert.notEqual(f.description, '', f.functions);
  assert.equal(templateFunctions('heat_template_version.2016-04-08', false)?.find((f) => f.functions === 'get_file')?.description, 'A function for including a file inline.');
});

test('template functions: unknown versions', () => {
  assert.equal(templateFunctions('heat_template_version.2012-01-01', false), undefined);
  assert.equal(templateFunctions('AWSTemplateFormatVersion.2010-09-09', false), undefined);
  assert.equal(templateFunctions('2016-04-08', false), undefined);
});
