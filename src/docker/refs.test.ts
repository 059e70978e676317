import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dockerTagOf, glanceName, glanceNames, parseRef } from './refs.js';

const D = `sha256:${'a'.repeat(64)}`;

test('parseRef reads the references the docker CLI sends', () => {
  const cases: [string, ReturnType<typeof parseRef>][] = [
    ['busybox', { repo: 'busybox', tag: 'latest' }],
    ['busybox:1.36', { repo: 'busybox', tag: '1.36' }],
    ['docker.io/library/busybox:latest', { repo: 'busybox', tag: 'latest' }],
    ['library/busybox', { repo: 'busybox', tag: 'latest' }],
    ['team/app:v1', { repo: 'team/app', tag: 'v1' }],
    ['localhost:5000/app', { repo: 'localhost:5000/app', tag: 'latest' }],
    ['localhost:5000/app:2', { repo: 'localhost:5000/app', tag: '2' }],
    [`app@${D}`, { repo: 'app', tag: 'latest', digest: D }],
    ['', undefined],
    ['UPPER', undefined],
    ['app:', undefined],
    ['app:bad tag', undefined],
    ['app@sha256:short', undefined],
    ['/app', undefined],
    ['a'.repeat(256), undefined],
  ];
  for (const [input, want] of cases) assert.deepEqual(parseRef(input), want, input);
});

test('Glance names: latest is the bare repository, other tags are kept', () => {
  assert.equal(glanceName({ repo: 'app', tag: 'latest' }), 'app');
  assert.equal(glanceName({ repo: 'app', tag: 'v1' }), 'app:v1');
  assert.deepEqual(glanceNames({ repo: 'app', tag: 'latest' }), ['app', 'app:latest']);
  assert.deepEqual(glanceNames({ repo: 'app', tag: 'v1' }), ['app:v1']);
  assert.equal(dockerTagOf('busybox'), 'busybox:latest');
  assert.equal(dockerTagOf('app:v1'), 'app:v1');
  assert.equal(dockerTagOf('My Image'), undefined);
  assert.equal(dockerTagOf(null), undefined);
});
