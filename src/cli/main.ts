import { Command, Option } from 'commander';
import { ConfigError, loadConfig, settings, type Config } from '../core/config.js';
import { startServer } from '../server/start.js';
import { registerAgentCommand } from './agent-command.js';
import { registerQuotaCommand } from './quota-command.js';
import { registerDockerEnvCommand } from './docker-env.js';

const program = new Command('berth').description('Berth: a multi-tenant container cloud with OpenStack and Docker APIs');

function addSettings(cmd: Command, keys?: (keyof Config)[]): Command {
  for (const s of settings) {
    if (keys && !keys.includes(s.key)) continue;
    cmd.addOption(new Option(`${s.flag} <value>`, `${s.help} [env ${s.env}]`));
  }
  return cmd;
}

function flagsOf(opts: Record<string, string | undefined>): Partial<Record<keyof Config, string>> {
  const out: Partial<Record<keyof Config, string>> = {};
  for (const s of settings) {
    const camel = s.flag.slice(2).replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
    if (opts[camel] !== undefined) out[s.key] = opts[camel];
  }
  return out;
}

function config(opts: Record<string, string | undefined>): Config {
  try {
    return loadConfig(process.env, flagsOf(opts));
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`berth: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
}

addSettings(program.command('server').description('run the API server (and an agent for the local Docker engine)'))
  .action(async (opts: Record<string, string | undefined>) => {
    const c = config(opts);
    const s = await startServer(c).catch((e: unknown) => {
      if (!(e instanceof ConfigError)) throw e;
      process.stderr.write(`berth: ${e.message}\n`);
      process.exit(2);
    });
    process.stdout.write(
      `Berth is running.\n  API:             ${s.url}  (identity ${s.url}/identity/v3)\n` +
      `  Docker endpoint: ${s.dockerHost}  (eval "$(berth docker-env)" sets up the docker CLI)\n` +
      `  OpenStack CLI:   source ${c.dataDir}/openrc\n`,
    );
    const stop = async () => {
      await s.stop();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  });

registerAgentCommand(program);
registerQuotaCommand(program);
registerDockerEnvCommand(program);

await program.parseAsync(process.argv);
