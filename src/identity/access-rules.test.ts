import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessAllowed, accessRuleProblem, pathPattern, serviceRequest } from './access-rules.js';

test('pathPattern: * is one segment, ** any number, {name} one segment', () => {
  const cases: { pattern: string; path: string; want: boolean }[] = [
    { pattern: '/v2.1/servers/*/ips', path: '/v2.1/servers/abc/ips', want: true },
    { pattern: '/v2.1/servers/*/ips', path: '/v2.1/servers/a/b/ips', want: false },
    { pattern: '/v2.1/servers/*/ips', path: '/v2.1/servers//ips', want: false },
    { pattern: '/v2.1/servers/**', path: '/v2.1/servers/a/b/ips', want: true },
    { pattern: '/v2.1/servers/{server_id}', path: '/v2.1/servers/x1', want: true },
    { pattern: '/v2/images', path: '/v2/images/1', want: false },
    { pattern: '/v2/images.json', path: '/v2/imagesXjson', want: false },
    { pattern: '/v3/users/*', path: '/v3/users/u1', want: true },
  ];
  for (const c of cases) assert.equal(pathPattern(c.pattern).test(c.path), c.want, `${c.pattern} ~ ${c.path}`);
});

test('accessRuleProblem: a method Keystone knows and an absolute path', () => {
  assert.equal(accessRuleProblem({ service: 'compute', method: 'GET', path: '/v2.1/servers' }), undefined);
  assert.match(accessRuleProblem({ service: 'compute', method: 'get', path: '/x' }) ?? '', /method/);
  assert.match(accessRuleProblem({ service: 'compute', method: 'GET', path: 'v2.1' }) ?? '', /path/);
  assert.match(accessRuleProblem({ service: '', method: 'GET', path: '/' }) ?? '', /service/);
});

test('serviceRequest: the service of a Berth URL and the path it sees', () => {
  const cases: { url: string; want: { service: string; path: string } | undefined }[] = [
    { url: '/identity/v3/users/u1?x=1', want: { service: 'identity', path: '/v3/users/u1' } },
    { url: '/image/v2/images', want: { service: 'image', path: '/v2/images' } },
    { url: '/compute/v2.1/servers/s1/ips', want: { service: 'compute', path: '/v2.1/servers/s1/ips' } },
    { url: '/container/v1/containers', want: { service: 'container', path: '/v1/containers' } },
    { url: '/container', want: { service: 'container', path: '/' } },
    { url: '/containers/json', want: undefined },
    { url: '/metrics', want: undefined },
  ];
  for (const c of cases) assert.deepEqual(serviceRequest(c.url), c.want, c.url);
});

test('accessAllowed: no rules allow all; with rules only what one matches', () => {
  const rules = [{ service: 'compute', method: 'GET', path: '/v2.1/servers/*/ips' }];
  const ips = { service: 'compute', path: '/v2.1/servers/s1/ips' };
  const cases: { name: string; rules?: typeof rules; method: string; target?: { service: string; path: string }; want: boolean }[] = [
    { name: 'no rules', rules: undefined, method: 'DELETE', target: undefined, want: true },
    { name: 'empty rules', rules: [], method: 'GET', target: ips, want: true },
    { name: 'matching', rules, method: 'GET', target: ips, want: true },
    { name: 'method in lower case', rules, method: 'get', target: ips, want: true },
    { name: 'other method', rules, method: 'DELETE', target: ips, want: false },
    { name: 'other service', rules, method: 'GET', target: { service: 'image', path: ips.path }, want: false },
    { name: 'other path', rules, method: 'GET', target: { service: 'compute', path: '/v2.1/servers' }, want: false },
    { name: 'outside every service', rules, method: 'GET', target: undefined, want: false },
  ];
  for (const c of cases) assert.equal(accessAllowed(c.rules, c.method, c.target), c.want, c.name);
});
