import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toCreateOptions, toEngineEvent } from './convert.js';
import type { EngineContainerSpec } from './types.js';

const spec = (extra: Partial<EngineContainerSpec> = {}): EngineContainerSpec => ({
  name: 'web',
  image: 'busybox:latest',
  labels: { 'berth.container-id': 'c1' },
  ...extra,
});

test('toCreateOptions: limits, restart policy, healthcheck, interactive', () => {
  const o = toCreateOptions(
    spec({
      cpu: 1.5,
      memoryMb: 256,
      env: { A: '1', B: 'x=y' },
      restartPolicy: { name: 'on-failure', maximumRetryCount: 3 },
      healthcheck: { test: ['CMD-SHELL', 'true'], interval: 2, timeout: 1, retries: 4 },
      interactive: true,
      tty: true,
    }),
    { bridge: true },
  );
  assert.equal(o.HostConfig?.NanoCpus, 1_500_000_000);
  assert.equal(o.HostConfig?.Memory, 256 * 1024 * 1024);
  assert.deepEqual(o.HostConfig?.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.deepEqual(o.Env, ['A=1', 'B=x=y']);
  assert.deepEqual(o.Healthcheck, { Test: ['CMD-SHELL', 'true'], Interval: 2e9, Timeout: 1e9, Retries: 4 });
  assert.deepEqual([o.OpenStdin, o.StdinOnce, o.AttachStdin, o.Tty], [true, false, true, true]);
  assert.deepEqual(o.Labels, { 'berth.container-id': 'c1' });
});

test('toCreateOptions: restart policy "no" is Docker\'s empty name', () => {
  const o = toCreateOptions(spec({ restartPolicy: { name: 'no' } }), { bridge: true });
  assert.deepEqual(o.HostConfig?.RestartPolicy, { Name: '', MaximumRetryCount: 0 });
});

const ports = { exposedPorts: { '80/tcp': {}, '53/udp': {} }, publishPorts: true };
const networkCases = [
  {
    name: 'with a bridge, exposed ports are published on loopback only',
    given: { spec: spec(ports), bridge: true },
    want: {
      NetworkMode: 'bridge',
      PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }], '53/udp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
    },
  },
  {
    name: 'without a bridge (engine started with --bridge none) the container goes on none, unpublished',
    given: { spec: spec(ports), bridge: false },
    want: { NetworkMode: 'none', PortBindings: undefined },
  },
  {
    name: 'exposed but not published',
    given: { spec: spec({ exposedPorts: { '80/tcp': {} } }), bridge: true },
    want: { NetworkMode: 'bridge', PortBindings: undefined },
  },
];
for (const c of networkCases) {
  test(`toCreateOptions: ${c.name}`, () => {
    const o = toCreateOptions(c.given.spec, { bridge: c.given.bridge });
    assert.equal(o.HostConfig?.NetworkMode, c.want.NetworkMode);
    assert.deepEqual(o.HostConfig?.PortBindings, c.want.PortBindings);
    assert.deepEqual(o.ExposedPorts, c.given.spec.exposedPorts);
  });
}

test('toEngineEvent: keeps timeNano exact and maps the implied status', () => {
  const raw =
    '{"status":"die","id":"abc","Type":"container","Action":"die","Actor":{"ID":"abc","Attributes":{"berth.project":"p1","exitCode":"0","name":"web"}},"time":1764449000,"timeNano":1764449000123456789}';
  assert.deepEqual(toEngineEvent(JSON.parse(raw), raw), {
    id: 'abc',
    action: 'die',
    labels: { 'berth.project': 'p1', exitCode: '0', name: 'web' },
    status: 'exited',
    timeNano: '1764449000123456789',
  });
  const health = '{"Type":"container","Action":"health_status: healthy","Actor":{"ID":"abc"},"timeNano":1}';
  assert.equal(toEngineEvent(JSON.parse(health), health)?.status, undefined);
  const net = '{"Type":"network","Action":"connect","Actor":{"ID":"n1"}}';
  assert.equal(toEngineEvent(JSON.parse(net), net), null);
});
