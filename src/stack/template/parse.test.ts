import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTemplate, TemplateError, VERSION_DATES } from './index.js';

const KNOWN = '2013-05-23, 2014-10-16, 2015-04-30, 2015-10-15, 2016-04-08, 2016-10-14, 2017-02-24, 2017-09-01, 2018-03-02, 2018-08-31, newton, ocata, pike, queens, rocky';

const versions: { given: string; date: string }[] = [
  ...VERSION_DATES.map((d) => ({ given: d, date: d })),
  { given: 'newton', date: '2016-10-14' }, { given: 'ocata', date: '2017-02-24' }, { given: 'pike', date: '2017-09-01' },
  { given: 'queens', date: '2018-03-02' }, { given: 'rocky', date: '2018-08-31' },
];
for (const v of versions) {
  test(`parse: heat_template_version ${v.given} means ${v.date}, from YAML and from an object`, () => {
    const fromYaml = parseTemplate(`heat_template_version: ${v.given}\nresources: {}\n`);
    assert.equal(fromYaml.version, v.given);
    assert.equal(typeof fromYaml.version, 'string');
    assert.equal(fromYaml.versionDate, v.date);
    assert.equal(parseTemplate({ heat_template_version: v.given }).versionDate, v.date);
  });
}

const refusals: { name: string; given: string | Record<string, unknown>; message: string }[] = [
  { name: 'an unknown version names the known ones', given: 'heat_template_version: 2012-12-12\n',
    message: `The template version is invalid: "heat_template_version: 2012-12-12". "heat_template_version" should be one of: ${KNOWN}` },
  { name: 'a version newer than Berth knows', given: 'heat_template_version: 2021-04-16\n',
    message: `The template version is invalid: "heat_template_version: 2021-04-16". "heat_template_version" should be one of: ${KNOWN}` },
  { name: 'an unknown release name', given: { heat_template_version: 'wallaby' },
    message: `The template version is invalid: "heat_template_version: wallaby". "heat_template_version" should be one of: ${KNOWN}` },
  { name: 'no version', given: 'resources: {}\n', message: 'The template version is invalid: Template version was not provided' },
  { name: 'a version that is not a string', given: { heat_template_version: 2016 }, message: 'The template version is invalid: Template version was not provided' },
  { name: 'an unknown top-level section', given: 'heat_template_version: 2016-10-14\nresourcez: {}\n', message: 'The template section is invalid: resourcez' },
  { name: 'conditions before 2016-10-14', given: { heat_template_version: '2016-04-08', conditions: {} }, message: 'The template section is invalid: conditions' },
  { name: 'an unknown resource key', given: { heat_template_version: '2016-10-14', resources: { web: { type: 'T', propertiez: {} } } },
    message: '"propertiez" is not a valid keyword inside a resource definition' },
  { name: 'a resource condition before 2016-10-14', given: { heat_template_version: '2016-04-08', resources: { web: { type: 'T', condition: true } } },
    message: '"condition" is not a valid keyword inside a resource definition' },
  { name: 'external_id before 2016-10-14', given: { heat_template_version: '2015-10-15', resources: { web: { type: 'T', external_id: 'x' } } },
    message: '"external_id" is not a valid keyword inside a resource definition' },
  { name: 'a resource without a type', given: { heat_template_version: '2016-10-14', resources: { web: { properties: {} } } },
    message: 'Each resource must contain a type key.' },
  { name: 'an empty resource', given: 'heat_template_version: 2016-10-14\nresources:\n  web:\n', message: 'Each resource must contain a type key.' },
  { name: 'a resource that is not a map', given: { heat_template_version: '2016-10-14', resources: { web: ['T'] } },
    message: '"resources" must contain a map of resource maps. Found a [list] instead' },
  { name: 'an unknown output key', given: { heat_template_version: '2016-10-14', outputs: { o: { value: 1, valeu: 2 } } },
    message: '"valeu" is not a valid keyword inside a output definition' },
  { name: 'an output without a value', given: { heat_template_version: '2016-10-14', outputs: { o: { description: 'x' } } },
    message: 'Each output must contain a value key.' },
  { name: 'an output condition before 2016-10-14', given: { heat_template_version: '2016-04-08', outputs: { o: { value: 1, condition: true } } },
    message: '"condition" is not a valid keyword inside a output definition' },
  { name: 'depends_on that is neither a string nor a list of strings', given: { heat_template_version: '2016-10-14', resources: { web: { type: 'T', depends_on: [1] } } },
    message: 'Resource web depends_on type must be list of strings; got [1]' },
  { name: 'properties that are not a map', given: { heat_template_version: '2016-10-14', resources: { web: { type: 'T', properties: [1] } } },
    message: 'Resource web properties type must be map' },
  { name: 'an unknown deletion policy', given: { heat_template_version: '2016-10-14', resources: { web: { type: 'T', deletion_policy: 'Keep' } } },
    message: 'Invalid deletion policy "Keep"' },
  { name: 'a lower-case deletion policy before 2016-10-14', given: { heat_template_version: '2016-04-08', resources: { web: { type: 'T', deletion_policy: 'retain' } } },
    message: 'Invalid deletion policy "retain"' },
  { name: 'a parameter with an unknown key', given: { heat_template_version: '2016-10-14', parameters: { p: { type: 'string', defualt: 'x' } } },
    message: "Invalid key 'defualt' for parameter (p)" },
  { name: 'a parameter without a type', given: { heat_template_version: '2016-10-14', parameters: { p: { default: 'x' } } },
    message: 'Missing parameter type for parameter: p' },
  { name: 'a parameter of an unknown type', given: { heat_template_version: '2016-10-14', parameters: { p: { type: 'integer' } } },
    message: 'Invalid type (integer)' },
  { name: 'a range constraint on a string', given: { heat_template_version: '2016-10-14', parameters: { p: { type: 'string', constraints: [{ range: { min: 1 } }] } } },
    message: "Parameter 'p' is invalid: range constraint invalid for string" },
  { name: 'an unknown constraint', given: { heat_template_version: '2016-10-14', parameters: { p: { type: 'string', constraints: [{ regex: 'x' }] } } },
    message: "Parameter 'p' is invalid: Invalid key regex for parameter constraints" },
  { name: 'modulo before 2017-02-24', given: { heat_template_version: '2016-10-14', parameters: { p: { type: 'number', constraints: [{ modulo: { step: 2, offset: 0 } }] } } },
    message: "Parameter 'p' is invalid: Invalid key modulo for parameter constraints" },
  { name: 'a range without bounds', given: { heat_template_version: '2016-10-14', parameters: { p: { type: 'number', constraints: [{ range: {} }] } } },
    message: "Parameter 'p' is invalid: A range constraint must have a min value and/or a max value specified." },
  { name: 'allowed_values that is not a list', given: { heat_template_version: '2016-10-14', parameters: { p: { type: 'string', constraints: [{ allowed_values: 'a' }] } } },
    message: "Parameter 'p' is invalid: AllowedValues must be a list" },
  { name: 'a YAML alias inside its own anchor', given: 'heat_template_version: 2016-10-14\nresources:\n  a: {type: T, properties: &p {x: [*p]}}\n',
    message: 'Error parsing template: an alias refers to a node that contains it' },
  { name: 'YAML that does not parse', given: 'heat_template_version: 2016-10-14\nresources: [\n', message: 'Error parsing template: ' },
];
for (const c of refusals) {
  test(`parse refuses: ${c.name}`, () => {
    assert.throws(() => parseTemplate(c.given), (e: unknown) => {
      assert.ok(e instanceof TemplateError);
      if (c.message.endsWith(': ')) assert.ok(e.message.startsWith(c.message), e.message);
      else assert.equal(e.message, c.message);
      return true;
    });
  });
}

test('parse: resources, outputs, parameters and conditions as the contract describes them', () => {
  const t = parseTemplate(`
heat_template_version: 2016-10-14
description: two containers
parameters:
  image: {type: string, default: busybox, hidden: true, constraints: [{length: {min: 1}, description: not empty}]}
  count: {type: number, immutable: true}
conditions:
  big: {equals: [{get_param: count}, 3]}
resources:
  db:
    type: OS::Zun::Container
    properties: {image: {get_param: image}}
    deletion_policy: retain
    external_id: abc
  web:
    type: OS::Zun::Container
    depends_on: db
    condition: big
    metadata: {role: web}
    update_policy: {batch: 1}
outputs:
  addr: {value: {get_attr: [web, addresses]}, description: where, condition: big}
`);
  assert.equal(t.description, 'two containers');
  assert.deepEqual(t.parameters.image, { name: 'image', type: 'string', default: 'busybox', hidden: true, immutable: false,
    constraints: [{ length: { min: 1 }, description: 'not empty' }] });
  assert.equal(t.parameters.count.immutable, true);
  assert.deepEqual(t.resources.db, { name: 'db', type: 'OS::Zun::Container', properties: { image: { get_param: 'image' } }, dependsOn: [],
    deletionPolicy: 'retain', externalId: 'abc' });
  assert.deepEqual(t.resources.web, { name: 'web', type: 'OS::Zun::Container', properties: {}, dependsOn: ['db'], condition: 'big',
    metadata: { role: 'web' }, updatePolicy: { batch: 1 } });
  assert.deepEqual(t.outputs.addr, { name: 'addr', value: { get_attr: ['web', 'addresses'] }, description: 'where', condition: 'big' });
  assert.deepEqual(t.conditions, { big: { equals: [{ get_param: 'count' }, 3] } });
});

test('parse: JSON text and an empty YAML section', () => {
  const t = parseTemplate('{"heat_template_version": "2015-04-30", "resources": {"a": {"type": "T", "depends_on": ["b"]}, "b": {"type": "T"}}}');
  assert.deepEqual(t.resources.a.dependsOn, ['b']);
  assert.deepEqual(parseTemplate('heat_template_version: 2015-04-30\nresources:\noutputs:\n').resources, {});
});

test('parse: YAML as Heat reads it: yes/off are booleans, y/n are not, dates and quoted words stay strings', () => {
  const t = parseTemplate('heat_template_version: 2016-10-14\nresources:\n  a:\n    type: T\n    properties: {x: yes, y: off, n: n, z: "yes", d: 2001-12-14, o: 010}\n');
  assert.deepEqual(t.resources.a.properties, { x: true, y: false, n: 'n', z: 'yes', d: '2001-12-14', o: 8 });
});

test('parse: a YAML 1.1 loader\'s Date for the version is the date written', () => {
  assert.equal(parseTemplate({ heat_template_version: new Date('2017-02-24T00:00:00Z') }).versionDate, '2017-02-24');
});

const groups: { name: string; groups: unknown; message?: string }[] = [
  { name: 'valid groups', groups: [{ label: 'net', parameters: ['a'] }, { parameters: ['b'] }] },
  { name: 'not a list', groups: { a: 1 }, message: 'Parameter Groups error: parameter_groups: The parameter_groups should be a list.' },
  { name: 'a group without parameters', groups: [{ label: 'g' }], message: 'Parameter Groups error: parameter_groups.g: The parameters must be provided for each parameter group.' },
  { name: 'parameters not a list', groups: [{ label: 'g', parameters: 'a' }], message: 'Parameter Groups error: parameter_groups.g: The parameters of parameter group should be a list.' },
  { name: 'a parameter in two groups', groups: [{ parameters: ['a'] }, { label: 'g', parameters: ['a'] }],
    message: 'Parameter Groups error: parameter_groups.g: The a parameter must be assigned to one parameter group only.' },
  { name: 'an undeclared parameter', groups: [{ label: 'g', parameters: ['zz'] }],
    message: 'Parameter Groups error: parameter_groups.g: The grouped parameter zz does not reference a valid parameter.' },
];
for (const c of groups) {
  test(`parse: parameter_groups, ${c.name}`, () => {
    const body = { heat_template_version: '2016-10-14', parameter_groups: c.groups, parameters: { a: { type: 'string' }, b: { type: 'string' } } };
    if (c.message === undefined) assert.deepEqual(parseTemplate(body).parameterGroups, c.groups);
    else assert.throws(() => parseTemplate(body), { name: 'TemplateError', message: c.message });
  });
}
