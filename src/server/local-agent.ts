import type { Config } from '../core/config.js';
import type { Logger } from '../core/log.js';
import type { Database } from '../store/db.js';
import { Agent } from '../agent/agent.js';
import { DockerEngine } from '../engine/docker.js';
import { issueHostCredential } from '../http/container/hosts.js';

/**
 * The agent of the server's own engine. It is the same code as `berth agent` and talks to the server over
 * the same WebSocket channel (on loopback), so there is one path to test; its credential is renewed at
 * every start and never written anywhere.
 */
export async function startLocalAgent(config: Config, db: Database, serverUrl: string, log: Logger): Promise<Agent> {
  const { credential } = await issueHostCredential({ db }, config.hostName);
  const engine = new DockerEngine({ host: config.engine });
  const agent = new Agent({ serverUrl, credential, engine, name: config.hostName, log: log.child({ component: 'agent' }) });
  await agent.start();
  return agent;
}
