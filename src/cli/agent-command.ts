/**
 * @module
 * `berth agent`: runs the agent of one compute host until SIGINT or SIGTERM.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { hostname } from 'node:os';
import { Agent } from '../agent/agent.js';
import { agentUrl } from '../agent/connection.js';
import type { HostInfo } from '../agent/protocol.js';
import { createLogger } from '../core/log.js';
import { DockerEngine } from '../engine/index.js';

const CREDENTIAL_ENV = 'BERTH_AGENT_CREDENTIAL';

interface AgentFlags {
  server: string;
  engine?: string;
  name?: string;
  credential?: string;
  cpus?: number;
  memoryMb?: number;
  diskGb?: number;
  maxContainers?: number;
  zone?: string;
  label?: Record<string, string>;
  logLevel: string;
  resyncSeconds?: number;
}

export function registerAgentCommand(program: Command): void {
  program
    .command('agent')
    .description('run the agent of one compute host: it connects to a Berth server and makes the host\'s Docker engine match what the server wants')
    .requiredOption('--server <url>', 'URL of a Berth server, e.g. http://127.0.0.1:8080')
    .option('--engine <address>', 'Docker engine, unix:///path or tcp://127.0.0.1:port (default: $DOCKER_HOST, else unix:///var/run/docker.sock)')
    .option('--name <name>', 'name of this compute host (default: the machine\'s host name)')
    .addOption(new Option('--credential <value>', `agent credential issued by the server (default: $${CREDENTIAL_ENV}; prefer the variable, a flag shows in the process list)`))
    .option('--cpus <n>', 'CPUs to offer (default: what the engine reports)', positive)
    .option('--memory-mb <n>', 'memory to offer in MiB (default: what the engine reports)', positiveInt)
    .option('--disk-gb <n>', 'disk to offer in GiB (default: what the engine reports)', positiveInt)
    .option('--max-containers <n>', 'most containers this host runs (default: 256)', positiveInt)
    .option('--zone <zone>', 'availability zone (default: nova)')
    .option('--label <key=value>', 'host label for scheduling hints; repeatable', collectLabel)
    .option('--resync-seconds <n>', 'seconds between full engine resyncs (default: 10)', positive)
    .addOption(new Option('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'))
    .action(async (flags: AgentFlags) => {
      const credential = flags.credential ?? process.env[CREDENTIAL_ENV];
      if (!credential) {
        process.stderr.write(`berth agent: no credential: set ${CREDENTIAL_ENV} (or pass --credential) to the agent credential the server issued\n`);
        process.exit(2);
      }
      try {
        agentUrl(flags.server);
      } catch {
        process.stderr.write(`berth agent: --server must be an http(s):// or ws(s):// URL, not ${flags.server}\n`);
        process.exit(2);
      }
      const log = createLogger(flags.logLevel);
      let engine: DockerEngine;
      try {
        engine = new DockerEngine({ host: flags.engine ?? (process.env.DOCKER_HOST || 'unix:///var/run/docker.sock') });
      } catch (e) {
        process.stderr.write(`berth agent: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(2);
      }
      const agent = new Agent({
        serverUrl: flags.server,
        credential,
        engine,
        name: flags.name ?? hostname(),
        overrides: overridesOf(flags),
        log,
        ...(flags.resyncSeconds !== undefined ? { resyncSeconds: flags.resyncSeconds } : {}),
      });
      const stop = async () => {
        await agent.stop();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
      await agent.start();
    });
}

function overridesOf(f: AgentFlags): Partial<HostInfo> {
  const o: Partial<HostInfo> = {};
  if (f.cpus !== undefined) o.cpus = f.cpus;
  if (f.memoryMb !== undefined) o.memoryMb = f.memoryMb;
  if (f.diskGb !== undefined) o.diskGb = f.diskGb;
  if (f.maxContainers !== undefined) o.maxContainers = f.maxContainers;
  if (f.zone !== undefined) o.zone = f.zone;
  if (f.label) o.labels = f.label;
  return o;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

function positiveInt(value: string): number {
  const n = positive(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('must be a whole number');
  return n;
}

function collectLabel(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('must be key=value');
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}
