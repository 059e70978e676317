import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFiles, getFile } from './files.js';
import { parseTemplate } from './parse.js';
import { resolveValue } from './resolve.js';

const template = (value: unknown) => parseTemplate({
  heat_template_version: '2016-04-08',
  resources: { r: { type: 'OS::Heat::Value', properties: { value } } },
  outputs: { o: { value } },
});

const ctx = (files?: Record<string, unknown>) => ({ params: {}, conditions: {}, pseudo: {}, files, resourceId: () => null, attribute: () => null });

test('get_file: the content of a sent file', () => {
  assert.equal(getFile('a.sh', { 'a.sh': 'echo hi' }, 'x'), 'echo hi');
  assert.equal(resolveValue(template(null), { list_join: ['-', [{ get_file: 'a' }, 'b']] }, ctx({ a: 'A' })), 'A-b');
});

const refusals: { name: string; args: unknown; files: Record<string, unknown>; message: string }[] = [
  { name: 'a file not sent', args: 'b.sh', files: { 'a.sh': '' }, message: 'x: No content found in the "files" section for get_file path: b.sh' },
  { name: 'no files at all', args: 'a.sh', files: {}, message: 'x: No content found in the "files" section for get_file path: a.sh' },
  { name: 'a path that is no string', args: ['a.sh'], files: { 'a.sh': '' }, message: 'x: Argument to "get_file" must be a string' },
  { name: 'an inherited key is no file', args: 'toString', files: {}, message: 'x: No content found in the "files" section for get_file path: toString' },
];
for (const c of refusals) {
  test(`get_file refuses ${c.name}`, () => {
    assert.throws(() => getFile(c.args, c.files, 'x'), { name: 'TemplateError', message: c.message });
  });
}

test('checkFiles: literal paths of properties and outputs must be sent', () => {
  checkFiles(template({ get_file: 'a' }), { a: 'A' });
  checkFiles(template({ get_file: { get_param: 'OS::stack_name' } }), {});
  assert.throws(() => checkFiles(template({ get_file: 'a' }), { b: 'B' }), { message: 'resources.r.properties.value.get_file: No content found in the "files" section for get_file path: a' });
  assert.throws(() => checkFiles(template({ str_replace: { template: { get_file: 'z' }, params: {} } }), {}), /get_file path: z/);
});
