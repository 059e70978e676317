/**
 * The stack controller is durable: a server killed with SIGKILL in the middle of a stack create, and
 * again in the middle of its delete, resumes on restart (same data directory, SQLite) and converges with
 * no duplicate and no orphaned container, in Berth or in the engine. Where the kill lands does not
 * matter: whatever was done, the end state is checked.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { passwordAuth, request, waitFor } from './helpers.js';
import { docker, dockerHost, engineContainers, engineSkipReason } from './containers-fixture.js';
import { ROOT } from './hosts-fixture.js';

const skip = await engineSkipReason();
const HEAT = '/orchestration/v1';
const ZUN = '/container/v1';

describe('stack create and delete survive kill -9 of the server', { skip, timeout: 600_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-stack-crash-'));
  const hostName = `test-stack-crash-${process.pid}-${randomBytes(3).toString('hex')}`;
  let server: ChildProcess | undefined;
  let url = '';
  let stackId = '';

  const start = async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/berth.js'), 'server'], {
      env: {
        PATH: process.env.PATH ?? '', BERTH_DATA_DIR: dir, BERTH_LISTEN: '127.0.0.1:0', BERTH_DOCKER_LISTEN: '127.0.0.1:0',
        BERTH_LOCAL_AGENT: 'true', BERTH_HOST_NAME: hostName, BERTH_ENGINE: dockerHost ?? '', BERTH_ADMIN_PASSWORD: 'crash-secret', BERTH_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    server = child;
    let out = '';
    url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += String(c);
        const m = /API:\s+(http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`berth server exited ${code}: ${out}`)));
    });
  };
  const kill = async () => {
    const child = server!;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  };
  const token = async () => (await request(url, 'POST', '/identity/v3/auth/tokens', { body: passwordAuth('admin', 'crash-secret', 'admin') })).headers.get('x-subject-token')!;
  const call = async (method: string, path: string, body?: unknown) => request(url, method, path, { token: await token(), body });
  const stackEvents = async () => (await call('GET', `${HEAT}/stacks/crash/${stackId}/events`)).json?.events ?? [];
  const labelled = () => engineContainers(`berth.stack-id=${stackId}`);

  after(async () => {
    if (server && server.exitCode === null) {
      const gone = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await gone;
    }
    const left = stackId ? await labelled().catch(() => []) : [];
    if (left.length) await docker(['rm', '-f', ...left]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('create: killed after the first member is made, resumed to exactly six containers', async () => {
    await start();
    await waitFor('the host to be up', async () => (await call('GET', `${ZUN}/services`)).json?.services?.some((x: any) => x.host === hostName && x.state === 'up'), 30_000, 100);
    const template = {
      heat_template_version: '2018-08-31',
      resources: { grp: { type: 'OS::Heat::ResourceGroup', properties: { count: 6, resource_def: { type: 'OS::Zun::Container', properties: { name: 'crash-%index%', image: 'busybox', command: 'sleep 3600', cpu: 0.1, memory: 32 } } } } },
    };
    const r = await call('POST', `${HEAT}/stacks`, { stack_name: 'crash', template });
    assert.equal(r.status, 201, r.text);
    stackId = r.json.stack.id;
    await waitFor('a member to be under way', async () => (await stackEvents()).some((e: any) => /^grp\.\d+$/.test(e.resource_name)), 60_000, 20);
    await kill();
    await start();
    await waitFor('the stack to be CREATE_COMPLETE after the restart', async () => (await call('GET', `${HEAT}/stacks/crash/${stackId}`)).json?.stack?.stack_status === 'CREATE_COMPLETE', 180_000, 200);
    const names = ((await call('GET', `${ZUN}/containers`)).json.containers as any[]).map((c) => c.name).sort();
    assert.deepEqual(names, ['crash-0', 'crash-1', 'crash-2', 'crash-3', 'crash-4', 'crash-5']);
    await waitFor('the engine to hold exactly the six', async () => (await labelled()).length === 6, 60_000, 200);
  });

  it('delete: killed after the first member starts going, resumed until nothing is left', async () => {
    const r = await call('DELETE', `${HEAT}/stacks/crash`);
    assert.equal(r.status, 204, r.text);
    await waitFor('a member delete to be under way', async () => (await stackEvents()).some((e: any) => e.resource_status === 'DELETE_IN_PROGRESS' && e.resource_name !== 'crash'), 60_000, 20).catch(() => undefined);
    await kill();
    await start();
    await waitFor('the stack to be gone after the restart', async () => (await call('GET', `${HEAT}/stacks/crash/${stackId}`)).status === 404, 180_000, 200);
    assert.deepEqual((await call('GET', `${ZUN}/containers`)).json.containers, []);
    await waitFor('the engine to hold none of the stack', async () => (await labelled()).length === 0, 60_000, 200);
  });
});
