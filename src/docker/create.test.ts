import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../core/errors.js';
import { containerName, parseHints, splitEnv, translateCreate, type DockerCreateBody } from './create.js';

const defaults = { cpu: 1, memoryMb: 512 };
const plan = (b: DockerCreateBody) => translateCreate(b, defaults);
const refused = (b: DockerCreateBody, code: string, text: RegExp) =>
  assert.throws(() => plan(b), (e: unknown) => e instanceof BerthError && e.code === code && text.test(e.message));

test('a plain create: defaults for Docker\'s "no limit", the command as given', () => {
  const p = plan({ Image: 'busybox', Cmd: ['sleep', '300'], Env: ['A=1', 'B', 'C=x=y'], Labels: { x: 'y' }, User: '1000:1000' });
  assert.equal(p.cpu, 1);
  assert.equal(p.memoryMb, 512);
  assert.deepEqual(p.spec.command, ['sleep', '300']);
  assert.deepEqual(p.spec.env, { A: '1', C: 'x=y' });
  assert.deepEqual(p.spec.labels, { x: 'y' });
  assert.equal(p.spec.user, '1000:1000');
  assert.deepEqual(p.needs, []);
  assert.equal(p.placement.hints, undefined);
});

test('limits: -m, --cpus, --cpu-quota/--cpu-period', () => {
  const cases: [DockerCreateBody['HostConfig'], number, number][] = [
    [{ Memory: 64 * 1024 * 1024, NanoCpus: 500_000_000 }, 0.5, 64],
    [{ CpuQuota: 50_000, CpuPeriod: 100_000 }, 0.5, 512],
    [{ CpuQuota: 200_000 }, 2, 512],
    [{ Memory: 0, NanoCpus: 0 }, 1, 512],
  ];
  for (const [h, cpu, mem] of cases) {
    const p = plan({ Image: 'busybox', HostConfig: h });
    assert.equal(p.cpu, cpu);
    assert.equal(p.memoryMb, mem);
    assert.equal(p.spec.cpu, cpu);
  }
  refused({ Image: 'busybox', HostConfig: { NanoCpus: 1e9, CpuQuota: 1000 } }, 'bad_request', /Conflicting options/);
  refused({ Image: 'busybox', HostConfig: { Memory: 1024 } }, 'bad_request', /Minimum memory/);
});

test('what reaches the host is refused; what Berth lacks is not supported', () => {
  const table: [DockerCreateBody['HostConfig'] & object, string, RegExp][] = [
    [{ Binds: ['/:/host'] }, 'forbidden', /host path \//],
    [{ Binds: ['data:/data'] }, 'bad_request', /named volume data.*not supported/],
    [{ Mounts: [{ Type: 'bind', Source: '/etc', Target: '/x' }] }, 'forbidden', /host path \/etc/],
    [{ Mounts: [{ Type: 'volume', Source: 'v', Target: '/x' }] }, 'bad_request', /not supported/],
    [{ Devices: [{}] }, 'forbidden', /devices/],
    [{ CapAdd: ['SYS_ADMIN'] }, 'forbidden', /SYS_ADMIN/],
    [{ NetworkMode: 'host' }, 'forbidden', /Network mode host/],
    [{ NetworkMode: 'container:abc' }, 'forbidden', /container:abc/],
    [{ NetworkMode: 'mynet' }, 'bad_request', /not supported/],
    [{ PidMode: 'host' }, 'forbidden', /--pid=host/],
    [{ IpcMode: 'host' }, 'forbidden', /--ipc=host/],
    [{ UsernsMode: 'host' }, 'forbidden', /--userns=host/],
    [{ SecurityOpt: ['seccomp=unconfined'] }, 'forbidden', /seccomp=unconfined/],
    [{ SecurityOpt: ['apparmor:unconfined'] }, 'forbidden', /unconfined/],
    [{ CgroupParent: '/' }, 'forbidden', /cgroup parent/],
    [{ AutoRemove: true, RestartPolicy: { Name: 'always' } }, 'bad_request', /--restart and --rm/],
    [{ RestartPolicy: { Name: 'sometimes' } }, 'bad_request', /invalid restart policy/],
  ];
  for (const [h, code, text] of table) refused({ Image: 'busybox', HostConfig: h }, code, text);
  refused({ Image: 'busybox', Volumes: { '/data': {} } }, 'bad_request', /anonymous volume/);
  refused({ Image: '' }, 'bad_request', /No image/);
  refused({ Image: 'busybox', Labels: { 'berth.project': 'x' } }, 'bad_request', /reserved/);
  // The CLI's defaults pass.
  const p = plan({ Image: 'busybox', HostConfig: { NetworkMode: 'default', IpcMode: '', PidMode: '', Binds: null, CapAdd: null, Devices: [], RestartPolicy: { Name: 'no', MaximumRetryCount: 0 } } });
  assert.equal(p.spec.restartPolicy, undefined);
});

test('privileged and a pinned host need policy rules', () => {
  assert.deepEqual(plan({ Image: 'busybox', HostConfig: { Privileged: true } }).needs, ['container:create:privileged']);
  const p = plan({ Image: 'busybox', Env: ['constraint:node==h1', 'A=1'] });
  assert.deepEqual(p.needs, ['container:create:requested_destination']);
  assert.equal(p.placement.hints?.host, 'h1');
  assert.deepEqual(p.spec.env, { A: '1' });
});

test('Swarm hints', () => {
  assert.deepEqual(parseHints(['constraint:node==n1', 'constraint:zone==a', 'affinity:container==web', 'affinity:container!=db']),
    { host: 'n1', labels: { zone: 'a' }, same: ['web'], different: ['db'] });
  for (const bad of ['constraint:node!=n1', 'affinity:image==busybox', 'constraint:zone!=a', 'constraint:node==~n1', 'constraint:node', 'affinity:container==/w.*/'])
    assert.throws(() => parseHints([bad]), /Unsupported scheduling hint/);
  assert.deepEqual(splitEnv(['constraint:x==y', 'A=b']), { env: { A: 'b' }, hints: ['constraint:x==y'] });
  assert.throws(() => splitEnv(['=x']), /Invalid environment variable/);
});

test('ports, healthcheck, tty, stop timeout', () => {
  const p = plan({
    Image: 'nginx', ExposedPorts: { '80/tcp': {} }, HostConfig: { PortBindings: { '443': [{ HostIp: '', HostPort: '8443' }] } },
    Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 2e9, Retries: 3 }, Tty: true, OpenStdin: true, StopTimeout: 5, Cmd: 'echo hi',
  });
  assert.deepEqual(p.spec.exposedPorts, { '80/tcp': {}, '443/tcp': {} });
  assert.equal(p.warnings.length, 1);
  assert.deepEqual(p.spec.healthcheck, { test: ['CMD-SHELL', 'true'], interval: 2, timeout: undefined, retries: 3 });
  assert.equal(p.spec.tty, true);
  assert.equal(p.spec.interactive, true);
  assert.equal(p.spec.stopTimeout, 5);
  assert.deepEqual(p.spec.command, ['echo hi']);
  assert.throws(() => plan({ Image: 'x', ExposedPorts: { '99999/tcp': {} } }), /invalid port/);
});

test('container names', () => {
  assert.equal(containerName('/web'), 'web');
  assert.equal(containerName('a.b_c-1'), 'a.b_c-1');
  for (const bad of ['x', '-web', 'we b', 'é1', ''])
    assert.throws(() => containerName(bad), /Invalid container name/);
});
