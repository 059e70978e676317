import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { parseTemplate, resolveValue, TemplateError, type ResolveContext, type Template } from './index.js';

const template = (version = '2018-08-31'): Template => parseTemplate({
  heat_template_version: version,
  parameters: {
    name: { type: 'string', default: 'web' },
    n: { type: 'number', default: 2 },
    cfg: { type: 'json', default: { a: { b: ['x', 'y'] } } },
    list: { type: 'comma_delimited_list', default: 'p,q' },
  },
  resources: { db: { type: 'T' }, grp: { type: 'G' } },
});

const ctx = (over: Partial<ResolveContext> = {}): ResolveContext => ({
  params: { name: 'web', n: 2, cfg: { a: { b: ['x', 'y'] } }, list: ['p', 'q'] },
  conditions: { yes: true, no: false },
  resourceId: (name) => (name === 'db' ? 'db-id' : null),
  attribute: (name, attr) => (name === 'db' && attr === 'addr' ? { net: ['10.0.0.1', '10.0.0.2'] }
    : name === 'db' && attr === '' ? { addr: 'all' }
      : name === 'grp' && attr === 'ip' ? ['1.1.1.1', '2.2.2.2'] : null),
  pseudo: { 'OS::stack_name': 's1', 'OS::stack_id': 'sid', 'OS::project_id': 'pid' },
  ...over,
});

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const cases: { name: string; value: unknown; want: unknown; version?: string }[] = [
  { name: 'get_param string', value: { get_param: 'name' }, want: 'web' },
  { name: 'get_param path into json', value: { get_param: ['cfg', 'a', 'b', 1] }, want: 'y' },
  { name: 'get_param path with an index as text', value: { get_param: ['list', '0'] }, want: 'p' },
  { name: 'get_param path that leads nowhere', value: { get_param: ['cfg', 'zz'] }, want: '' },
  { name: 'get_param pseudo OS::stack_name', value: { get_param: 'OS::stack_name' }, want: 's1' },
  { name: 'get_param pseudo OS::project_id', value: { get_param: 'OS::project_id' }, want: 'pid' },
  { name: 'get_param pseudo OS::stack_id', value: { get_param: 'OS::stack_id' }, want: 'sid' },
  { name: 'get_resource', value: { get_resource: 'db' }, want: 'db-id' },
  { name: 'get_resource not created yet', value: { get_resource: 'grp' }, want: null },
  { name: 'get_attr', value: { get_attr: ['db', 'addr'] }, want: { net: ['10.0.0.1', '10.0.0.2'] } },
  { name: 'get_attr with a path', value: { get_attr: ['db', 'addr', 'net', 0] }, want: '10.0.0.1' },
  { name: 'get_attr with a path that leads nowhere', value: { get_attr: ['db', 'addr', 'nope', 0] }, want: null },
  { name: 'get_attr of a group: the list over members', value: { get_attr: ['grp', 'ip'] }, want: ['1.1.1.1', '2.2.2.2'] },
  { name: 'get_attr of a group member by index', value: { get_attr: ['grp', 'ip', 1] }, want: '2.2.2.2' },
  { name: 'get_attr all attributes', value: { get_attr: ['db'] }, want: { addr: 'all' } },
  { name: 'get_attr not known yet', value: { get_attr: ['grp', 'other'] }, want: null },
  { name: 'nested functions in maps and lists', value: { a: [{ get_param: 'n' }, { b: { get_resource: 'db' } }] }, want: { a: [2, { b: 'db-id' }] } },
  { name: 'a map with two keys is not a call', value: { get_param: 'name', other: 1 }, want: { get_param: 'name', other: 1 } },
  { name: 'str_replace', value: { str_replace: { template: 'hi $who, $who!', params: { $who: { get_param: 'name' } } } }, want: 'hi web, web!' },
  { name: 'str_replace longer keys first', value: { str_replace: { template: 'var1 var10', params: { var1: 'a', var10: 'b' } } }, want: 'a b' },
  { name: 'str_replace numbers, booleans and null', value: { str_replace: { template: 'n b z', params: { n: 3, b: true, z: null } } }, want: '3 True ' },
  { name: 'str_replace a map as JSON (2015-10-15 on)', value: { str_replace: { template: 'v=V', params: { V: { b: 1, a: [1, 2] } } } }, want: 'v={"a": [1, 2], "b": 1}' },
  { name: 'str_replace a param missing from the template is fine', value: { str_replace: { template: 'x', params: { y: 'z' } } }, want: 'x' },
  { name: 'str_replace_strict', value: { str_replace_strict: { template: 'a-B', params: { B: 'b' } } }, want: 'a-b' },
  { name: 'str_replace_vstrict', value: { str_replace_vstrict: { template: 'a-B', params: { B: 'b' } } }, want: 'a-b' },
  { name: 'list_join', value: { list_join: [',', ['a', 'b', { get_param: 'name' }]] }, want: 'a,b,web' },
  { name: 'list_join several lists, maps as JSON', value: { list_join: ['-', ['a'], [{ k: 1 }], null, [null]] }, want: 'a-{"k": 1}-' },
  { name: 'list_join of a get_param list', value: { list_join: [' ', { get_param: 'list' }] }, want: 'p q' },
  { name: 'str_split', value: { str_split: [',', 'a,b,c'] }, want: ['a', 'b', 'c'] },
  { name: 'str_split with an index', value: { str_split: [',', 'a,b,c', 1] }, want: 'b' },
  { name: 'str_split of null', value: { str_split: [',', null] }, want: null },
  { name: 'repeat', value: { repeat: { for_each: { '%p%': ['80', '443'] }, template: { port: '%p%' } } }, want: [{ port: '80' }, { port: '443' }] },
  { name: 'repeat permutations by default', value: { repeat: { for_each: { A: ['1', '2'], B: ['x', 'y'] }, template: 'A-B' } }, want: ['1-x', '1-y', '2-x', '2-y'] },
  { name: 'repeat without permutations', value: { repeat: { for_each: { A: ['1', '2'], B: ['x', 'y'] }, template: 'A-B', permutations: false } }, want: ['1-x', '2-y'] },
  { name: 'repeat over a get_param list, keys replaced too', value: { repeat: { for_each: { '<%v%>': { get_param: 'list' } }, template: { '<%v%>': 'k<%v%>' } } },
    want: [{ p: 'kp' }, { q: 'kq' }] },
  { name: 'repeat over map keys (2016-10-14 on)', value: { repeat: { for_each: { X: { a: 1, b: 2 } }, template: 'X' } }, want: ['a', 'b'] },
  { name: 'map_merge', value: { map_merge: [{ a: 1, b: 1 }, null, { b: 2 }] }, want: { a: 1, b: 2 } },
  { name: 'map_replace', value: { map_replace: [{ k1: 'v1', k2: 'v2' }, { keys: { k1: 'K1' }, values: { v2: 'V2' } }] }, want: { K1: 'v1', k2: 'V2' } },
  { name: 'if true', value: { if: ['yes', 'a', 'b'] }, want: 'a' },
  { name: 'if false', value: { if: ['no', 'a', 'b'] }, want: 'b' },
  { name: 'if a literal boolean', value: { if: [false, 'a', { get_param: 'name' }] }, want: 'web' },
  { name: 'if an inline condition function', value: { if: [{ equals: [{ get_param: 'n' }, 2] }, 'two', 'other'] }, want: 'two' },
  { name: 'if does not evaluate the branch not taken', value: { if: ['yes', 'a', { get_param: 'undeclared' }] }, want: 'a' },
  { name: 'digest', value: { digest: ['sha256', 'abc'] }, want: sha256('abc') },
  { name: 'list_concat', value: { list_concat: [['a', 'b'], null, ['a']] }, want: ['a', 'b', 'a'] },
  { name: 'list_concat_unique', value: { list_concat_unique: [['a', { k: 1 }], ['a', { k: 1 }, 'c']] }, want: ['a', { k: 1 }, 'c'] },
  { name: 'contains', value: { contains: ['p', { get_param: 'list' }] }, want: true },
  { name: 'contains not', value: { contains: ['z', ['a']] }, want: false },
  { name: 'filter', value: { filter: [['a', null], ['a', 'b', null, 'c']] }, want: ['b', 'c'] },
  { name: 'equals outside conditions is a plain map (as in Heat)', value: { equals: [1, 1] }, want: { equals: [1, 1] } },
  { name: 'Ref of a parameter (2013-05-23)', value: { Ref: 'name' }, want: 'web', version: '2013-05-23' },
  { name: 'Ref of a resource (2013-05-23)', value: { Ref: 'db' }, want: 'db-id', version: '2013-05-23' },
  { name: 'Fn::Join (2013-05-23)', value: { 'Fn::Join': ['.', ['a', 'b']] }, want: 'a.b', version: '2013-05-23' },
  { name: 'Fn::Split (2013-05-23)', value: { 'Fn::Split': ['.', 'a.b'] }, want: ['a', 'b'], version: '2013-05-23' },
  { name: 'Fn::Replace (2013-05-23)', value: { 'Fn::Replace': [{ X: 'y' }, 'aXb'] }, want: 'ayb', version: '2013-05-23' },
  { name: 'Fn::Base64 (2013-05-23)', value: { 'Fn::Base64': 'abc' }, want: 'abc', version: '2013-05-23' },
  { name: 'Fn::Select (2015-04-30)', value: { 'Fn::Select': ['1', ['a', 'b']] }, want: 'b', version: '2015-04-30' },
  { name: 'Fn::Select out of range', value: { 'Fn::Select': [5, ['a']] }, want: '', version: '2015-04-30' },
  { name: 'get_attr all attributes needs 2015-10-15: ok there', value: { get_attr: ['db'] }, want: { addr: 'all' }, version: '2015-10-15' },
];
for (const c of cases) {
  test(`resolve: ${c.name}`, () => {
    assert.deepEqual(resolveValue(template(c.version), c.value, ctx()), c.want);
  });
}

const errors: { name: string; value: unknown; message: string; version?: string }[] = [
  { name: 'get_param of an unknown parameter', value: { get_param: 'nope' }, message: 'The Parameter (nope) was not provided.' },
  { name: 'get_param without arguments', value: { get_param: [] }, message: 'get_param: Function "get_param" must have arguments' },
  { name: 'get_resource of an unknown resource', value: { x: { get_resource: 'nope' } }, message: 'The specified reference "nope" (in x) is incorrect.' },
  { name: 'get_attr of an unknown resource', value: { get_attr: ['nope', 'a'] }, message: 'The specified reference "nope" (in get_attr) is incorrect.' },
  { name: 'get_attr not a list', value: { get_attr: 'db' }, message: 'get_attr: Argument to "get_attr" must be a list' },
  { name: 'get_attr with only a name before 2015-10-15', value: { get_attr: ['db'] }, version: '2015-04-30',
    message: 'get_attr: Arguments to "get_attr" must be of the form [resource_name, attribute, (path), ...]' },
  { name: 'str_replace without params', value: { str_replace: { template: 'x' } }, message: 'str_replace: "str_replace" syntax should be str_replace:\n  template: This is var1 template var2\n  params:\n    var1: a\n    var2: string' },
  { name: 'str_replace not a map', value: { str_replace: ['x'] }, message: 'str_replace: Arguments to "str_replace" must be a map' },
  { name: 'str_replace template not a string', value: { str_replace: { template: 1, params: {} } }, message: 'str_replace: "str_replace" template must be a string' },
  { name: 'str_replace params not a map', value: { str_replace: { template: 'x', params: [1] } }, message: 'str_replace: "str_replace" params must be a map' },
  { name: 'str_replace a map before 2015-10-15', value: { str_replace: { template: 'x', params: { x: { a: 1 } } } }, version: '2015-04-30',
    message: 'str_replace: "str_replace" params must be strings or numbers, param x is not valid' },
  { name: 'str_replace_strict with a param not in the template', value: { str_replace_strict: { template: 'aB', params: { B: 'b', C: 'c', DD: 'd' } } },
    message: 'str_replace_strict: The following params were not found in the template: DD,C' },
  { name: 'str_replace_vstrict with an empty value', value: { str_replace_vstrict: { template: 'aB', params: { B: '' } } },
    message: 'str_replace_vstrict: str_replace_vstrict has an undefined or empty value for param B, must be a defined non-empty value' },
  { name: 'list_join not a list', value: { list_join: 'x' }, message: 'list_join: Incorrect arguments to "list_join" should be: "list_join" : [ " ", [ "str1", "str2"] ...]' },
  { name: 'list_join of a number', value: { list_join: [',', [1]] }, message: 'list_join: Items to join must be string, map or list not 1' },
  { name: 'list_join of a map before 2015-10-15', value: { list_join: [',', [{ a: 1 }]] }, version: '2015-04-30', message: 'list_join: Items to join must be strings not {"a": 1}' },
  { name: 'list_join of several lists before 2015-10-15', value: { list_join: [',', ['a'], ['b']] }, version: '2015-04-30',
    message: 'list_join: Incorrect arguments to "list_join" should be: "list_join" : [ " ", [ "str1", "str2"]]' },
  { name: 'list_join on a string', value: { list_join: [',', 'ab'] }, message: 'list_join: "list_join" must operate on a list' },
  { name: 'str_split with a bad index', value: { str_split: [',', 'a,b', 5] }, message: 'str_split: Incorrect index to "str_split" should be between 0 and 1' },
  { name: 'str_split of a map', value: { str_split: { a: 1 } }, message: 'str_split: Incorrect arguments to "str_split" should be: "str_split" : [ ",", "apples,pears", <index>]' },
  { name: 'repeat without for_each', value: { repeat: { template: 'x' } }, message: 'repeat: "repeat" syntax should be repeat:\n  template: This is %var%\n  for_each:\n    %var%: [\'a\', \'b\', \'c\']' },
  { name: 'repeat over a string', value: { repeat: { for_each: { X: 'ab' }, template: 'X' } }, message: 'repeat: The values of the "for_each" argument to "repeat" must be lists or maps' },
  { name: 'repeat over a map before 2016-10-14', value: { repeat: { for_each: { X: { a: 1 } }, template: 'X' } }, version: '2016-04-08',
    message: 'repeat: The values of the "for_each" argument to "repeat" must be lists' },
  { name: 'repeat zipping unequal lists', value: { repeat: { for_each: { A: ['1'], B: ['x', 'y'] }, template: 'A', permutations: false } },
    message: 'repeat: For repeat, the length of for_each values should be equal if no nested loop.' },
  { name: 'repeat permutations not a boolean', value: { repeat: { for_each: { A: ['1'] }, template: 'A', permutations: 'no' } },
    message: 'repeat: "permutations" should be boolean type for repeat function.' },
  { name: 'map_merge of a list', value: { map_merge: [{ a: 1 }, [1]] }, message: 'map_merge: Incorrect arguments: Items to merge must be maps. [1] is not a map' },
  { name: 'map_replace with a bad key', value: { map_replace: [{ a: 1 }, { kays: {} }] },
    message: 'map_replace: Incorrect arguments to "map_replace" should be: "map_replace" : [ { "key1": "val1" }, {"keys": {"key1": "key2"}, "values": {"val1": "val2"}}]' },
  { name: 'map_replace key collision', value: { map_replace: [{ a: 1, b: 2 }, { keys: { a: 'b' } }] }, message: 'map_replace: key replacement b collides with a key in the input map' },
  { name: 'if with two arguments', value: { if: ['yes', 'a'] }, message: 'if: Arguments to "if" must be of the form: [condition_name, value_if_true, value_if_false]' },
  { name: 'if of an unknown condition', value: { if: ['maybe', 'a', 'b'] }, message: 'if: Invalid condition "maybe"' },
  { name: 'digest of an unknown algorithm', value: { digest: ['crc', 'x'] }, message: 'digest: Algorithm must be one of md5, sha1, sha224, sha256, sha384, sha512' },
  { name: 'digest usage', value: { digest: ['sha1'] }, message: 'digest: Function "digest" usage: ["<algorithm>", "<value>"]' },
  { name: 'list_concat of a string', value: { list_concat: [['a'], 'b'] }, message: 'list_concat: Incorrect arguments: Items to concat must be lists. [["a"], "b"] contains an item that is not a list: "b"' },
  { name: 'contains with one argument', value: { contains: ['a'] }, message: 'contains: Arguments to "contains" must be of the form: [value1, [value1, value2]]' },
  { name: 'contains of a number', value: { contains: ['a', 1] }, message: 'contains: Second argument to "contains" should be a sequence.' },
  { name: 'filter with three arguments', value: { filter: [[], [], []] }, message: 'filter: "filter" expected 2 arguments of the form [values, sequence] but got 3 arguments instead' },
  { name: 'yaql is not supported', value: { yaql: { expression: '1', data: {} } }, message: 'yaql: Unknown function "yaql": Berth does not support it' },
  { name: 'get_file of a file not sent', value: { a: { get_file: 'x' } }, message: 'a.get_file: No content found in the "files" section for get_file path: x' },
];
for (const c of errors) {
  test(`resolve refuses: ${c.name}`, () => {
    assert.throws(() => resolveValue(template(c.version), c.value, ctx()), (e: unknown) => {
      assert.ok(e instanceof TemplateError);
      assert.equal(e.message, c.message);
      return true;
    });
  });
}

test('resolve: the path given names the place in errors', () => {
  assert.throws(() => resolveValue(template(), { list_join: 'x' }, ctx(), 'resources.web.properties.cmd'),
    { message: /^resources\.web\.properties\.cmd\.list_join: Incorrect arguments/ });
});
