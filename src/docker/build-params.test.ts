import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contextPath, contextSubject, readBuildParams } from './build-params.js';

const OPTIONS = { dockerfile: 'Dockerfile', buildargs: {}, labels: {}, nocache: false, pull: false, rm: true, forcerm: false, q: false };

test('readBuildParams', () => {
  const good = { contextUrl: 'http://127.0.0.1:1/x', contextToken: 't', options: OPTIONS, targets: [{ glanceImageId: 'i', uploadToken: 'u' }] };
  assert.deepEqual(readBuildParams(good), good);
  const known = { ...good, targets: [{ glanceImageId: 'i', uploadToken: 'u', previousDockerId: 'sha256:abc' }] };
  assert.deepEqual(readBuildParams(known), known);
  const cases: { name: string; given: Record<string, unknown>; want: RegExp }[] = [
    { name: 'no context', given: { ...good, contextUrl: '' }, want: /context URL/ },
    { name: 'no options', given: { ...good, options: undefined }, want: /options/ },
    { name: 'a previous id that is no text', given: { ...good, targets: [{ glanceImageId: 'i', uploadToken: 'u', previousDockerId: 7 }] }, want: /targets/ },
    { name: 'bad target', given: { ...good, targets: [{ glanceImageId: 'i' }] }, want: /targets/ },
    { name: 'targets not a list', given: { ...good, targets: 'x' }, want: /targets/ },
  ];
  for (const c of cases) {
    const got = readBuildParams(c.given);
    assert.equal(typeof got, 'string', c.name);
    assert.match(got as string, c.want, c.name);
  }
});

test('the context path and token subject', () => {
  assert.equal(contextPath('a b'), '/agent/v1/builds/a%20b/context');
  assert.equal(contextSubject('x'), 'build-context:x');
});
