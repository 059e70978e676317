/**
 * Shared pieces of the Docker endpoint suites: a test server whose in-process agent drives the test
 * run's engine, and the real `docker` CLI pointed at the server's Docker endpoint with a project's token
 * (the config directory `berth docker-env` would write).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addUser, deleteAllContainers, run, startEngineServer, stopEngineServer, type EngineServer, type ProcessResult } from './containers-fixture.js';
import { unlimitedQuota, type TestDialect } from './helpers.js';

export interface DockerClient {
  /** DOCKER_HOST, DOCKER_CONFIG and DOCKER_BUILDKIT=0 for this project's CLI. */
  env: Record<string, string>;
  /** `docker ARGS` against Berth as this client; never throws. `input` goes to stdin. */
  docker(args: string[], opts?: { timeoutMs?: number; input?: string; cwd?: string }): Promise<ProcessResult>;
  /** Like docker(), but throws with the CLI's words when it fails; returns trimmed stdout. */
  dockerOk(args: string[], opts?: { timeoutMs?: number; input?: string; cwd?: string }): Promise<string>;
  projectId: string;
  token: string;
}

export interface DockerCloud {
  server: EngineServer;
  /** The bootstrap admin in project admin (quota lifted). */
  admin: DockerClient;
  /** A client for a new member user in a new project (both named after `name`). */
  client(name: string): Promise<DockerClient>;
  stop(): Promise<void>;
}

/** A docker CLI for `token` against `server`'s endpoint; its config directory is removed by `cleanup`. */
export function dockerClient(server: EngineServer, token: string, projectId: string, dirs: string[]): DockerClient {
  const dir = mkdtempSync(join(tmpdir(), 'berth-docker-config-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ HttpHeaders: { 'X-Auth-Token': token } }), { mode: 0o600 });
  const env = { DOCKER_HOST: server.server.dockerHost, DOCKER_CONFIG: dir, DOCKER_BUILDKIT: '0' };
  const docker = (args: string[], o: { timeoutMs?: number; input?: string; cwd?: string } = {}) =>
    run('docker', args, { env, timeoutMs: o.timeoutMs ?? 60_000, input: o.input, cwd: o.cwd });
  return {
    env, docker, projectId, token,
    async dockerOk(args, o) {
      const r = await docker(args, o);
      if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
      return r.stdout.trim();
    },
  };
}

/** Starts a server with the local agent on the test engine and a docker CLI for its admin. */
export async function startDockerCloud(dialect: TestDialect, label: string): Promise<DockerCloud> {
  const server = await startEngineServer(dialect, label);
  const dirs: string[] = [];
  try {
    const adminToken = await server.adminToken();
    await unlimitedQuota(server, adminToken);
    const adminProject = (await server.request('GET', '/identity/v3/auth/projects', { token: adminToken })).json.projects
      .find((p: { name: string }) => p.name === 'admin').id as string;
    return {
      server,
      admin: dockerClient(server, adminToken, adminProject, dirs),
      async client(name) {
        const u = await addUser(server, adminToken, { user: name, project: name, role: 'member' });
        return dockerClient(server, u.token, u.projectId, dirs);
      },
      async stop() {
        await deleteAllContainers(server).catch(() => undefined);
        await stopEngineServer(server);
        for (const d of dirs) rmSync(d, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await stopEngineServer(server);
    throw e;
  }
}
