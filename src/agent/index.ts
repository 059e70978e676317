/**
 * @module
 * The per-host agent: what the server and the CLI may use.
 */
export { Agent, DEFAULT_MAX_CONTAINERS, DEFAULT_ZONE, type AgentOptions } from './agent.js';
export { agentUrl } from './connection.js';
export * from './protocol.js';
