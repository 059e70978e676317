/**
 * The container lifecycle through the Docker endpoint, driven by the real docker CLI against a Berth
 * server whose in-process agent uses the test engine, on each database: run -d with limits, ps, inspect,
 * create/start/stop/restart/pause/unpause/kill/rename/rm, wait, a Zun container seen by docker ps, another
 * project seeing nothing, refusals (privileged, host paths, a taken name, a running container's removal)
 * and Swarm's constraint:node hint.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { waitFor } from './helpers.js';
import { uuidIdent } from '../src/docker/ids.js';
import { eachEngineDialect, engineSkipReason, inspectEngine, ZUN } from './containers-fixture.js';
import { startDockerCloud, type DockerClient, type DockerCloud } from './docker-fixture.js';
import { busyboxTar, glanceAs, upload } from './images-fixture.js';

const skip = await engineSkipReason();

eachEngineDialect(skip, (dialect) => {
  let cloud: DockerCloud;
  let admin: DockerClient;
  let other: DockerClient;

  /** `docker ps` rows as "name|status" lines. */
  const ps = async (c: DockerClient, all = true) =>
    (await c.dockerOk(['ps', ...(all ? ['-a'] : []), '--format', '{{.Names}}|{{.Status}}'])).split('\n').filter(Boolean);
  const statusOf = async (name: string) => (await ps(admin)).find((l) => l.startsWith(`${name}|`))?.split('|')[1];
  const inspect = async (name: string) => JSON.parse(await admin.dockerOk(['inspect', '--type', 'container', name]))[0];
  const refused = async (c: DockerClient, args: string[], text: RegExp) => {
    const r = await c.docker(args);
    assert.notEqual(r.code, 0, `docker ${args.join(' ')} should fail: ${r.stdout}`);
    assert.match(r.stderr, text, `docker ${args.join(' ')}`);
    return r;
  };

  before(async () => {
    cloud = await startDockerCloud(dialect, 'dctr');
    admin = cloud.admin;
    other = await cloud.client(`dctr-other-${dialect.name}-${process.pid}`);
  });
  after(async () => {
    await cloud?.stop();
  });

  it('docker run -d with env, label and limits; ps, inspect and the Zun API agree', async () => {
    const id = await admin.dockerOk(['run', '-d', '--name', 'web', '-e', 'A=1', '-l', 'x=y', '-m', '64m', '--cpus', '0.5', 'busybox', 'sleep', '300']);
    assert.match(id, /^[0-9a-f]{32}$/);
    assert.match((await statusOf('web')) ?? '', /^Up /);
    const i = await inspect('web');
    assert.equal(i.Id, id);
    assert.equal(i.Name, '/web');
    assert.equal(i.State.Status, 'running');
    assert.equal(i.State.Running, true);
    assert.ok(i.Config.Env.includes('A=1'), JSON.stringify(i.Config.Env));
    assert.equal(i.Config.Labels.x, 'y');
    assert.equal(i.Config.Labels['berth.host'], cloud.server.hostName);
    assert.deepEqual(i.Config.Cmd, ['sleep', '300']);
    assert.equal(i.HostConfig.Memory, 64 * 1024 * 1024);
    assert.equal(i.HostConfig.NanoCpus, 500_000_000);
    const labels = await admin.dockerOk(['ps', '--filter', 'label=x=y', '--format', '{{.Names}} {{.Labels}}']);
    assert.equal(labels, 'web x=y');
    const zun = await cloud.server.request('GET', `${ZUN}/containers/${id}`, { token: admin.token, headers: { 'OpenStack-API-Version': 'container latest' } });
    assert.equal(zun.status, 200, zun.text);
    assert.equal(zun.json.name, 'web');
    assert.equal(zun.json.status, 'Running');
    assert.equal(zun.json.memory, '64');
    assert.equal(zun.json.cpu, 0.5);
  });

  it('create, start, stop, restart, pause, unpause, kill, rename, rm -f', async () => {
    const id = await admin.dockerOk(['create', '--name', 'c1', '-u', '1000:1000', 'busybox', 'sleep', '300']);
    assert.equal(await statusOf('c1'), 'Created');
    assert.equal((await inspect('c1')).Config.User, '1000:1000');
    assert.equal((await inspectEngine(`berth-${uuidIdent(id)}`))?.Config?.User, '1000:1000', 'the engine runs it as the user asked');
    assert.equal((await ps(admin, false)).some((l) => l.startsWith('c1|')), false, 'a created container is not in ps without -a');
    await admin.dockerOk(['start', 'c1']);
    assert.match((await statusOf('c1')) ?? '', /^Up /);
    await admin.dockerOk(['stop', '-t', '1', 'c1']);
    assert.match((await statusOf('c1')) ?? '', /^Exited \(\d+\) /);
    await admin.dockerOk(['restart', '-t', '1', 'c1']);
    assert.match((await statusOf('c1')) ?? '', /^Up /);
    await admin.dockerOk(['pause', 'c1']);
    assert.match((await statusOf('c1')) ?? '', /\(Paused\)$/);
    assert.equal((await inspect('c1')).State.Paused, true);
    await admin.dockerOk(['unpause', 'c1']);
    assert.doesNotMatch((await statusOf('c1')) ?? '', /Paused/);
    await admin.dockerOk(['kill', 'c1']);
    assert.match((await statusOf('c1')) ?? '', /^Exited \(137\) /);
    await admin.dockerOk(['rename', 'c1', 'c2']);
    assert.match((await statusOf('c2')) ?? '', /^Exited/);
    assert.equal(await statusOf('c1'), undefined);
    await admin.dockerOk(['update', '-m', '96m', '--cpus', '0.25', 'c2']);
    const u = await inspect('c2');
    assert.deepEqual([u.HostConfig.Memory, u.HostConfig.NanoCpus], [96 * 1024 * 1024, 250_000_000]);
    await admin.dockerOk(['rm', '-f', 'c2']);
    assert.equal(await statusOf('c2'), undefined);
    await refused(admin, ['inspect', '--type', 'container', 'c2'], /No such container: c2/);
  });

  it('docker wait prints the exit code; stop of a stopped container is quiet', async () => {
    const id = await admin.dockerOk(['run', '-d', 'busybox', 'sh', '-c', 'exit 3']);
    assert.equal(await admin.dockerOk(['wait', id]), '3');
    assert.match((await admin.dockerOk(['ps', '-a', '--filter', `id=${id.slice(0, 12)}`, '--format', '{{.Status}}'])), /^Exited \(3\) /);
    assert.equal(await admin.dockerOk(['ps', '-a', '-q', '--filter', 'exited=3', '--no-trunc']), id);
    await admin.dockerOk(['stop', id]);
    await admin.dockerOk(['create', '--name', 'idle', '-l', 'prune=me', 'busybox']);
    const pruned = await admin.dockerOk(['container', 'prune', '-f', '--filter', 'label=prune=me']);
    assert.match(pruned, /Deleted Containers:/);
    assert.equal(await statusOf('idle'), undefined);
    await admin.dockerOk(['rm', id]);
  });

  it('refusals: a taken name, removing a running container, privileged, a host path', async () => {
    await refused(admin, ['create', '--name', 'web', 'busybox'], /Conflict\. The container name "\/web" is already in use by container/);
    await refused(admin, ['rm', 'web'], /cannot remove container "\/web": container is running/);
    await refused(other, ['run', '-d', '--privileged', 'busybox', 'sleep', '1'], /container:create:privileged/);
    await refused(other, ['run', '-d', '-v', '/:/host', 'busybox', 'sleep', '1'], /host path \/ .*not allowed/);
    await refused(admin, ['run', '-d', '-v', '/:/host', 'busybox', 'sleep', '1'], /not allowed/);
    await refused(admin, ['run', '-d', '--network', 'host', 'busybox', 'sleep', '1'], /not allowed/);
    await refused(admin, ['run', '-d', '--cap-add', 'SYS_ADMIN', 'busybox', 'sleep', '1'], /not allowed/);
    assert.equal(await admin.dockerOk(['ps', '-a', '-q', '--filter', 'status=created']), '', 'a refused create leaves nothing');
  });

  it('a Zun container shows in docker ps; another project sees none of them', async () => {
    const r = await cloud.server.request('POST', `${ZUN}/containers?run=true`, {
      token: admin.token, headers: { 'OpenStack-API-Version': 'container latest' },
      body: { name: 'zunbox', image: 'busybox', command: ['sleep', '300'] },
    });
    assert.equal(r.status, 202, r.text);
    await waitFor('zunbox to be up in docker ps', async () => ((await statusOf('zunbox')) ?? '').startsWith('Up ') || undefined, 30_000, 100);
    assert.deepEqual(await ps(other), []);
    await refused(other, ['inspect', '--type', 'container', 'web'], /No such container: web/);
    await refused(other, ['stop', 'web'], /No such container: web/);
    await refused(other, ['rm', r.json.uuid], /No such container/);
    // `docker rm -f` is quiet about a missing container; the container must still be there.
    await other.docker(['rm', '-f', r.json.uuid, 'web']);
    assert.match((await statusOf('zunbox')) ?? '', /^Up /);
    assert.match((await statusOf('web')) ?? '', /^Up /);
  });

  it('Swarm constraint:node picks the host; an unknown node is a clear error', async () => {
    const host = cloud.server.hostName;
    await admin.dockerOk(['run', '-d', '--name', 'pinned', '-e', `constraint:node==${host}`, '-e', 'B=2', 'busybox', 'sleep', '300']);
    const i = await inspect('pinned');
    assert.equal(i.Config.Labels['berth.host'], host);
    assert.deepEqual(i.Config.Env.filter((e: string) => e.startsWith('constraint:')), []);
    await refused(admin, ['run', '-d', '-e', 'constraint:node==nope', 'busybox', 'sleep', '1'], /No host can take this container/);
    await refused(admin, ['run', '-d', '-e', 'affinity:image==busybox', 'busybox', 'sleep', '1'], /Unsupported scheduling hint/);
    await refused(other, ['run', '-d', '-e', `constraint:node==${host}`, 'busybox', 'sleep', '1'], /requested_destination/);
    await admin.dockerOk(['rm', '-f', 'pinned', 'web', 'zunbox']);
    assert.deepEqual(await ps(admin), []);
  });

  it('an image of the project in Glance runs by its name; another project cannot use it', async (t) => {
    const tar = await busyboxTar();
    if (typeof tar === 'string') return t.skip(tar);
    const glance = glanceAs(cloud.server, other.token);
    const name = `gbox-${dialect.name}-${process.pid}`;
    const img = await glance('POST', '/images', { body: { name, container_format: 'docker', disk_format: 'raw' } });
    assert.equal(img.status, 201, img.text);
    assert.equal((await upload(glance, img.json.id, tar.data)).status, 204);
    const id = await other.dockerOk(['run', '-d', '--name', 'g1', `${name}:latest`, 'sleep', '300']);
    const zun = await cloud.server.request('GET', `${ZUN}/containers/${id}`, { token: other.token, headers: { 'OpenStack-API-Version': 'container latest' } });
    assert.equal(zun.json.image_driver, 'glance', zun.text);
    assert.match(await other.dockerOk(['ps', '--format', '{{.Names}} {{.Image}} {{.Status}}']), new RegExp(`^g1 ${name}:latest Up `));
    await refused(admin, ['inspect', '--type', 'container', id], /No such container/);
    const r = await admin.docker(['run', '-d', name, 'sleep', '1']);
    assert.notEqual(r.code, 0, 'the image is private to its project');
    await other.dockerOk(['rm', '-f', 'g1']);
  });
}, { timeout: 180_000, concurrent: true });
