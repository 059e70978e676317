import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isBerthError } from '../../core/errors.js';
import { parseCreate, parsePatch, patchDraft } from './parse.js';

test('parseCreate: Glance attributes to Berth terms, other attributes as string properties', () => {
  assert.deepEqual(parseCreate({
    name: 'box', container_format: 'docker', disk_format: 'raw', visibility: 'community', protected: true, os_hidden: false,
    min_disk: 1, min_ram: 2, tags: ['a'], id: 'AAAAAAAA-2222-3333-4444-555555555555', 'owner_specified.openstack.md5': '',
  }), {
    name: 'box', containerFormat: 'docker', diskFormat: 'raw', visibility: 'community', protected: true, hidden: false, minDisk: 1,
    minRam: 2, tags: ['a'], id: 'aaaaaaaa-2222-3333-4444-555555555555', properties: { 'owner_specified.openstack.md5': '' },
  });
  assert.deepEqual(parseCreate({}), { properties: {} });
});

const createRefused: [string, unknown, number, RegExp][] = [
  ['no body', undefined, 400, /Body expected/],
  ['an array', [], 400, /JSON object/],
  ['a bad container format', { container_format: 'tarball' }, 400, /container_format: "tarball" is not one of ami, ari/],
  ['a bad disk format', { disk_format: 'ext4' }, 400, /disk_format/],
  ['a bad visibility', { visibility: 'everyone' }, 400, /Visibility must be one of/],
  ['a number as name', { name: 5 }, 400, /name: 5 is not a string/],
  ['a long name', { name: 'x'.repeat(256) }, 400, /longer than 255/],
  ['protected as text', { protected: 'yes' }, 400, /protected: "yes" is not a boolean/],
  ['a negative min_ram', { min_ram: -1 }, 400, /Invalid value '-1' for parameter 'min_ram': Cannot be a negative value/],
  ['a fractional min_disk', { min_disk: 1.5 }, 400, /min_disk: 1.5 is not an integer/],
  ['tags not a list', { tags: 'a' }, 400, /tags/],
  ['a long tag', { tags: ['x'.repeat(256)] }, 400, /255/],
  ['a bad id', { id: 'mybox' }, 400, /id: "mybox" is not a UUID/],
  ['a number property', { os_distro: 3 }, 400, /property 'os_distro': 3 is not a string/],
  ['a long property name', { ['k'.repeat(256)]: 'v' }, 400, /Custom property should not be greater than 255/],
  ['status', { status: 'active' }, 403, /Attribute 'status' is read-only/],
  ['size', { size: 1 }, 403, /Attribute 'size' is read-only/],
  ['checksum', { checksum: 'x' }, 403, /read-only/],
  ['a reserved name', { location: 'file:///etc/passwd' }, 403, /Attribute 'location' is reserved/],
  ['the os_glance namespace', { os_glance_import_task: 'x' }, 403, /reserved/],
];
for (const [name, body, status, message] of createRefused) {
  test(`parseCreate refuses ${name}`, () =>
    assert.throws(() => parseCreate(body), (e: unknown) => isBerthError(e) && e.status === status && message.test(e.message)));
}

test('parsePatch: draft 10 and draft 4 operations', () => {
  assert.deepEqual(parsePatch(10, [
    { op: 'replace', path: '/name', value: 'n' }, { op: 'add', path: '/os_distro', value: 'x' }, { op: 'remove', path: '/a~1b' },
    { op: 'remove', path: '/min_ram' },
  ]), [
    { op: 'replace', field: 'name', value: 'n' }, { op: 'add', property: 'os_distro', value: 'x' }, { op: 'remove', property: 'a/b' },
    { op: 'remove', base: 'min_ram' },
  ]);
  assert.deepEqual(parsePatch(4, [{ replace: '/protected', value: true }]), [{ op: 'replace', field: 'protected', value: true }]);
  assert.equal(patchDraft('application/openstack-images-v2.1-json-patch; charset=UTF-8'), 10);
});

const patchRefused: [string, unknown, number, RegExp][] = [
  ['not a list', { op: 'add' }, 400, /JSON array of operation objects/],
  ['no op', [{ path: '/name', value: 'x' }], 400, /Unable to find `op`/],
  ['a bad op', [{ op: 'move', path: '/name', value: 'x' }], 400, /Invalid operation: `move`/],
  ['no path', [{ op: 'add', value: 'x' }], 400, /Unable to find 'path'/],
  ['no value', [{ op: 'add', path: '/name' }], 400, /requires a member named "value"/],
  ['a relative pointer', [{ op: 'add', path: 'name', value: 'x' }], 400, /does not start with "\/"/],
  ['a deep pointer', [{ op: 'add', path: '/tags/0', value: 'x' }], 400, /Invalid JSON pointer for this resource: '\/tags\/0'/],
  ['a bad escape', [{ op: 'add', path: '/a~2', value: 'x' }], 400, /recognized escape/],
  ['a bad value', [{ op: 'replace', path: '/min_disk', value: 'big' }], 400, /min_disk/],
  ['the id', [{ op: 'replace', path: '/id', value: 'x' }], 403, /Attribute 'id' is read-only/],
  ['the status', [{ op: 'replace', path: '/status', value: 'active' }], 403, /Attribute 'status' is read-only/],
  ['the checksum', [{ op: 'remove', path: '/checksum' }], 403, /read-only/],
  ['created_at', [{ op: 'replace', path: '/created_at', value: 'x' }], 403, /read-only/],
  ['locations', [{ op: 'replace', path: '/locations', value: [] }], 403, /locations/],
  ['a reserved property', [{ op: 'add', path: '/deleted', value: 'x' }], 403, /reserved/],
];
for (const [name, body, status, message] of patchRefused) {
  test(`parsePatch refuses ${name}`, () =>
    assert.throws(() => parsePatch(10, body), (e: unknown) => isBerthError(e) && e.status === status && message.test(e.message)));
}

test('patchDraft refuses other media types with a 415', () => {
  assert.throws(() => patchDraft('application/json'), (e: unknown) => isBerthError(e) && e.status === 415 && /openstack-images-v2.1-json-patch/.test(e.message));
});
