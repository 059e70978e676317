import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../core/errors.js';
import { parseBuildQuery, type BuildQuery } from './build-options.js';

/** What the docker CLI 28 sends for `docker build -t app .` with the classic builder. */
const CLI: BuildQuery = {
  buildargs: '{}', cachefrom: '[]', cgroupparent: '', cpuperiod: '0', cpuquota: '0', cpusetcpus: '', cpusetmems: '',
  cpushares: '0', dockerfile: 'Dockerfile', labels: '{}', memory: '0', memswap: '0', networkmode: 'default', rm: '1',
  shmsize: '0', t: 'app', target: '', ulimits: 'null', version: '1',
};

test('the CLI\'s plain build: one tag, the engine\'s defaults', () => {
  assert.deepEqual(parseBuildQuery(CLI), {
    tags: [{ repo: 'app', tag: 'latest' }],
    options: { dockerfile: 'Dockerfile', buildargs: {}, labels: {}, nocache: false, pull: false, rm: true, forcerm: false, q: false },
  });
});

test('options a tenant may set are passed on', () => {
  const cases: { name: string; given: BuildQuery; want: Record<string, unknown> }[] = [
    { name: 'build args (an unset one left out)', given: { buildargs: '{"A":"1","B":null}' }, want: { buildargs: { A: '1' } } },
    { name: 'labels', given: { labels: '{"team":"x"}' }, want: { labels: { team: 'x' } } },
    { name: 'flags', given: { nocache: '1', pull: 'true', forcerm: '1', q: '1', rm: '0' }, want: { nocache: true, pull: true, forcerm: true, q: true, rm: false } },
    { name: 'target and network none', given: { target: 'build', networkmode: 'none' }, want: { target: 'build', networkmode: 'none' } },
    { name: 'limits', given: { memory: '67108864', memswap: '-1', cpuquota: '50000' }, want: { memory: 67108864, memswap: -1, cpuquota: 50000 } },
    { name: 'another Dockerfile', given: { dockerfile: 'build/App.dockerfile' }, want: { dockerfile: 'build/App.dockerfile' } },
  ];
  for (const c of cases) {
    const got = parseBuildQuery({ ...CLI, ...c.given }).options as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(c.want)) assert.deepEqual(got[k], v, `${c.name}: ${k}`);
  }
});

test('tags: several, repeated ones once, none at all', () => {
  assert.deepEqual(parseBuildQuery({ ...CLI, t: ['app', 'app:latest', 'team/app:v2'] }).tags,
    [{ repo: 'app', tag: 'latest' }, { repo: 'team/app', tag: 'v2' }]);
  assert.deepEqual(parseBuildQuery({ ...CLI, t: undefined }).tags, []);
});

test('refusals: escapes are 403, what Berth does not serve is 400', () => {
  const cases: { name: string; given: BuildQuery; status: number; message: RegExp }[] = [
    { name: 'host network', given: { networkmode: 'host' }, status: 403, message: /host network/ },
    { name: 'container network', given: { networkmode: 'container:abc' }, status: 403, message: /another container/ },
    { name: 'unknown network', given: { networkmode: 'mynet' }, status: 400, message: /not available to builds/ },
    { name: 'isolation', given: { isolation: 'hyperv' }, status: 400, message: /Isolation/ },
    { name: 'security options', given: { securityopt: '["seccomp=unconfined"]' }, status: 403, message: /security options/ },
    { name: 'cgroup parent', given: { cgroupparent: '/' }, status: 403, message: /cgroup parent/ },
    { name: 'pinned cpus', given: { cpusetcpus: '0-1' }, status: 403, message: /pin host CPUs/ },
    { name: 'remote context', given: { remote: 'https://example.com/repo.git' }, status: 400, message: /Remote build contexts/ },
    { name: 'BuildKit', given: { version: '2' }, status: 400, message: /DOCKER_BUILDKIT=0/ },
    { name: 'squash', given: { squash: '1' }, status: 400, message: /squash/ },
    { name: 'bad tag', given: { t: 'Bad Tag' }, status: 400, message: /invalid reference format/ },
    { name: 'digest tag', given: { t: `app@sha256:${'a'.repeat(64)}` }, status: 400, message: /invalid reference format/ },
    { name: 'bad build args', given: { buildargs: '[1]' }, status: 400, message: /Invalid buildargs/ },
    { name: 'bad boolean', given: { nocache: 'maybe' }, status: 400, message: /nocache/ },
    { name: 'bad number', given: { memory: '1g' }, status: 400, message: /memory/ },
    { name: 'windows platform', given: { platform: 'windows/amd64' }, status: 400, message: /Platform/ },
  ];
  for (const c of cases) {
    assert.throws(() => parseBuildQuery({ ...CLI, ...c.given }), (e: unknown) => {
      assert.ok(e instanceof BerthError, c.name);
      assert.equal(e.status, c.status, c.name);
      assert.match(e.message, c.message, c.name);
      return true;
    });
  }
});
