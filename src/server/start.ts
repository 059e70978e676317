import type { Config } from '../core/config.js';
import { createLogger, type Logger } from '../core/log.js';
import { Database } from '../store/db.js';
import { bootstrapIdentity, writeOpenrc } from '../identity/bootstrap.js';
import type { Agent } from '../agent/agent.js';
import { buildServices, type Services } from './app.js';
import { startLocalAgent } from './local-agent.js';

export interface RunningServer extends Services {
  db: Database;
  log: Logger;
  url: string;
  /** The Docker endpoint as DOCKER_HOST names it: tcp://host:port. */
  dockerHost: string;
  agent: Agent | undefined;
  stop(): Promise<void>;
}

/**
 * Starts `berth server`: migrates the database, bootstraps identity on first start, writes the openrc
 * file, serves every API on the one listener and, unless turned off, runs the agent of the local engine.
 */
export async function startServer(config: Config, opts: { log?: Logger; quiet?: boolean } = {}): Promise<RunningServer> {
  const log = opts.log ?? createLogger(config.logLevel);
  const db = Database.open(config.database);
  await db.migrate();
  const boot = await bootstrapIdentity(db, config.adminPassword);
  const services = await buildServices(config, db, log);
  // A burst of clients (a thousand creates at once) must queue in the kernel, not be dropped: Node's
  // default accept backlog is 511; the kernel caps this at net.core.somaxconn.
  const address = await services.app.listen({ host: config.listen.host, port: config.listen.port, backlog: 4096 });
  const port = Number(new URL(address).port);
  const dockerAddress = await services.docker.listen({ host: config.dockerListen.host, port: config.dockerListen.port, backlog: 4096 });
  const dockerHost = `tcp://${new URL(dockerAddress).host}`;
  const host = config.listen.host === '0.0.0.0' || config.listen.host === '::' ? '127.0.0.1' : config.listen.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  // Other servers of the cloud forward agent calls to this URL.
  await services.hub.announce(config.advertiseUrl ?? url);
  const openrc = writeOpenrc(config.dataDir, `${url}/identity/v3`, config.region, boot.adminPassword, dockerHost.replace('tcp://0.0.0.0:', 'tcp://127.0.0.1:'));
  const purge = setInterval(() => void services.tokens.purgeExpired().catch(() => undefined), 10 * 60 * 1000);
  purge.unref();
  const agent = config.localAgent ? await startLocalAgent(config, db, url, log) : undefined;
  if (!opts.quiet) log.info({ url, docker: dockerHost, openrc, database: db.dialect }, 'berth server ready');
  return {
    ...services, db, log, url, dockerHost, agent,
    async stop() {
      clearInterval(purge);
      await agent?.stop();
      await services.close();
      await services.docker.close();
      await services.app.close();
      await db.close();
    },
  };
}
