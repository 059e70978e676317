/**
 * @module `berth docker-env`: sets up the stock docker CLI for a Berth cloud. It logs in with the OS_*
 * variables of an openrc file, writes a docker config directory whose HttpHeaders send the token on
 * every request, and prints the exports to apply it:
 *   eval "$(berth docker-env)"
 * Running it again refreshes the token. The endpoint is BERTH_DOCKER_HOST (Berth's openrc sets it), or
 * the identity URL's host on port 8375; for a TLS endpoint, BERTH_DOCKER_CERT_PATH names the directory of
 * the client's ca.pem, cert.pem and key.pem (exported as DOCKER_CERT_PATH with DOCKER_TLS_VERIFY=1).
 */
import { mkdirSync, readFileSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CliError, credentialsFrom, OsSession } from './os-session.js';

export const DEFAULT_DOCKER_PORT = 8375;

/** The Docker endpoint for these variables: BERTH_DOCKER_HOST, else the identity host on port 8375. */
export function dockerHostFrom(env: NodeJS.ProcessEnv): string {
  const given = env.BERTH_DOCKER_HOST?.trim();
  if (given) {
    if (!/^(tcp|unix):\/\//.test(given)) throw new CliError(`BERTH_DOCKER_HOST must look like tcp://HOST:PORT, not "${given}"`, 2);
    return given;
  }
  const auth = env.OS_AUTH_URL;
  if (!auth) throw new CliError('OS_AUTH_URL is not set; source the openrc file of your cloud (Berth writes one in its data directory)', 2);
  return `tcp://${new URL(auth).hostname}:${DEFAULT_DOCKER_PORT}`;
}

/** Merges the token header into an existing docker config (other settings are kept). */
export function configWithToken(existing: string | undefined, token: string): string {
  let config: Record<string, unknown> = {};
  if (existing) {
    try {
      const parsed = JSON.parse(existing) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) config = parsed as Record<string, unknown>;
    } catch {
      // a damaged file is replaced
    }
  }
  const headers = (config.HttpHeaders && typeof config.HttpHeaders === 'object' ? config.HttpHeaders : {}) as Record<string, string>;
  return `${JSON.stringify({ ...config, HttpHeaders: { ...headers, 'X-Auth-Token': token } }, null, 2)}\n`;
}

/** A value quoted for a POSIX shell. */
const sh = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;

export async function dockerEnv(env: NodeJS.ProcessEnv): Promise<string> {
  const host = dockerHostFrom(env);
  const session = await OsSession.login(credentialsFrom(env));
  const dir = env.BERTH_DOCKER_CONFIG || join(env.HOME || homedir(), '.berth', 'docker', session.projectId);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'config.json');
  writeFileSync(file, configWithToken(existsSync(file) ? readFileSync(file, 'utf8') : undefined, session.token), { mode: 0o600 });
  chmodSync(file, 0o600);
  // A TLS endpoint: the client's ca.pem, cert.pem and key.pem are in BERTH_DOCKER_CERT_PATH.
  const certPath = env.BERTH_DOCKER_CERT_PATH?.trim();
  return [
    `export DOCKER_HOST=${sh(host)}`,
    `export DOCKER_CONFIG=${sh(dir)}`,
    ...(certPath ? ['export DOCKER_TLS_VERIFY=1', `export DOCKER_CERT_PATH=${sh(certPath)}`] : []),
    // Berth builds with the classic builder (POST /build).
    'export DOCKER_BUILDKIT=0',
    `# docker CLI set up for project ${session.projectName} on ${host}; run this again when the token expires.`,
    '',
  ].join('\n');
}

export function registerDockerEnvCommand(program: Command): void {
  program.command('docker-env')
    .description('print the exports that point the docker CLI at Berth with a fresh token: eval "$(berth docker-env)"')
    .action(async () => {
      try {
        process.stdout.write(await dockerEnv(process.env));
      } catch (e) {
        if (e instanceof CliError) {
          process.stderr.write(`berth docker-env: ${e.message}\n`);
          process.exit(e.exitCode);
        }
        throw e;
      }
    });
}
