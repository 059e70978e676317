/**
 * The agent against a real Docker engine, with a small WebSocket server in the test playing the
 * server's side of the protocol. Skipped when no engine answers at DOCKER_HOST.
 */
import { deepStrictEqual, match, ok, strictEqual } from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import { createLogger } from '../core/log.js';
import { DockerEngine } from '../engine/index.js';
import { Agent } from './agent.js';
import { desired as build } from './builders.js';
import { engineName } from './engine-spec.js';
import {
  AGENT_PATH,
  LABEL_CLOUD,
  LABEL_HOST,
  LABEL_UUID,
  PROTOCOL_VERSION,
  type AgentMessage,
  type DesiredContainer,
  type ObservedStatus,
  type ServerMessage,
} from './protocol.js';

const engine = new DockerEngine();
const skip = await engine
  .ping()
  .then(() => engine.imageExists('busybox:latest'))
  .then((has) => (has ? false : 'busybox:latest is not in the engine'))
  .catch(() => 'no Docker engine answers at DOCKER_HOST');

/** The server's side of the channel: records every message, sends what the test says. */
class Peer {
  readonly wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: AGENT_PATH });
  readonly messages: AgentMessage[] = [];
  readonly authorizations: (string | undefined)[] = [];
  socket: WebSocket | undefined;

  constructor() {
    this.wss.on('connection', (ws, req) => {
      this.authorizations.push(req.headers.authorization);
      this.socket = ws;
      ws.on('message', (data) => this.messages.push(JSON.parse((data as Buffer).toString('utf8')) as AgentMessage));
    });
  }

  get url(): string {
    return `http://127.0.0.1:${(this.wss.address() as AddressInfo).port}`;
  }

  send(m: ServerMessage): void {
    this.socket?.send(JSON.stringify(m));
  }

  /** The first message from index `since` on that satisfies `pred`. */
  async waitFor<T extends AgentMessage>(pred: (m: AgentMessage) => m is T, timeoutMs: number, since = 0): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.slice(since).find(pred);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching message within ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  /** The first status update of `uuid` from message index `since` on that satisfies `pred`. */
  async status(uuid: string, pred: (s: ObservedStatus) => boolean, timeoutMs = 10_000, since = 0): Promise<ObservedStatus> {
    const isMatch = (m: AgentMessage): m is Extract<AgentMessage, { type: 'status' }> =>
      m.type === 'status' && m.updates.some((s) => s.uuid === uuid && pred(s));
    const m = await this.waitFor(isMatch, timeoutMs, since);
    return m.updates.find((s) => s.uuid === uuid && pred(s)) as ObservedStatus;
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    await new Promise((r) => this.wss.close(r));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isType = <K extends AgentMessage['type']>(type: K) => (m: AgentMessage): m is Extract<AgentMessage, { type: K }> => m.type === type;

describe('agent against a real engine', { skip, timeout: 60_000 }, () => {
  const cloudId = `test-${randomUUID()}`;
  const hostName = 'agent-test-host';
  const peer = new Peer();
  let agent: Agent;
  let strayId: string;
  const c1 = randomUUID();
  const c2 = randomUUID();
  let c1Engine = '';

  const container = (uuid: string, over: Partial<DesiredContainer>, image = 'busybox:latest'): DesiredContainer =>
    build({ uuid, name: `n-${uuid.slice(0, 8)}`, ...over }, { image, command: ['sleep', '3600'], stopTimeout: 1 });

  before(async () => {
    strayId = await engine.create({
      name: `berth-stray-${randomUUID()}`,
      image: 'busybox:latest',
      command: ['sleep', '3600'],
      labels: { [LABEL_CLOUD]: cloudId, [LABEL_HOST]: hostName, [LABEL_UUID]: randomUUID() },
    });
    agent = new Agent({
      serverUrl: peer.url,
      credential: 'test-credential',
      engine,
      name: hostName,
      overrides: { labels: { rack: 'r1' } },
      log: createLogger(process.env.BERTH_TEST_LOG_LEVEL ?? 'silent'),
      resyncSeconds: 1,
    });
    const started = agent.start();
    await peer.waitFor(isType('hello'), 5_000);
    peer.send({ type: 'welcome', hostId: 'host-1', cloudId, protocol: PROTOCOL_VERSION });
    await started;
  });

  after(async () => {
    await agent?.stop();
    await peer.close();
    for (const c of await engine.list({ [LABEL_CLOUD]: cloudId })) await engine.remove(c.id, { force: true });
  });

  it('says hello with the credential and host info, then runs a desired container and removes an unknown one', async () => {
    deepStrictEqual(peer.authorizations, ['Bearer test-credential']);
    const hello = await peer.waitFor(isType('hello'), 1_000);
    strictEqual(hello.protocol, PROTOCOL_VERSION);
    strictEqual(hello.host.name, hostName);
    strictEqual(hello.host.maxContainers, 256);
    strictEqual(hello.host.zone, 'nova');
    deepStrictEqual(hello.host.labels, { rack: 'r1' });
    ok(hello.host.cpus > 0 && hello.host.engineVersion !== '');

    peer.send({ type: 'desired', full: true, containers: [container(c1, { generation: 1 })] });
    const s = await peer.status(c1, (x) => x.status === 'Running');
    strictEqual(s.generation, 1);
    ok(s.engineId);
    c1Engine = s.engineId;
    for (let i = 0; i < 50 && (await engine.inspect(strayId)); i++) await sleep(100);
    strictEqual(await engine.inspect(strayId), null);
  });

  it('stops when the generation is bumped with desired stopped', async () => {
    const since = peer.messages.length;
    peer.send({ type: 'desired', full: false, containers: [container(c1, { generation: 2, desired: 'stopped', appliedGeneration: 1, engineId: c1Engine })] });
    const s = await peer.status(c1, (x) => x.status === 'Stopped' && x.generation === 2, 10_000, since);
    strictEqual(s.engineId, c1Engine);
  });

  it('reports an out-of-band stop within 2 s and does not restart it', async () => {
    let since = peer.messages.length;
    peer.send({ type: 'desired', full: false, containers: [container(c1, { generation: 3, appliedGeneration: 2, engineId: c1Engine })] });
    await peer.status(c1, (x) => x.status === 'Running' && x.generation === 3, 10_000, since);

    since = peer.messages.length;
    await engine.stop(c1Engine, 1);
    const stoppedAt = Date.now();
    await peer.status(c1, (x) => x.status === 'Stopped', 2_000, since);
    ok(Date.now() - stoppedAt < 2_000);
    // NOTE: a resync may have reported Running while the stop was still under way; only later ones count.
    since = peer.messages.length;
    await sleep(1_500); // a resync passes
    strictEqual((await engine.inspect(c1Engine))?.status, 'exited');
    const running = peer.messages.slice(since).some((m) => m.type === 'status' && m.updates.some((u) => u.uuid === c1 && u.status === 'Running'));
    strictEqual(running, false);
  });

  it('restarts when the restart generation is bumped', async () => {
    const since = peer.messages.length;
    peer.send({ type: 'desired', full: false, containers: [container(c1, { generation: 3, appliedGeneration: 3, restartGeneration: 1, engineId: c1Engine })] });
    const s = await peer.status(c1, (x) => x.status === 'Running' && x.restartGeneration === 1, 10_000, since);
    strictEqual(s.engineId, c1Engine);
  });

  it('re-creates a container removed out of band', async () => {
    const since = peer.messages.length;
    await engine.remove(c1Engine, { force: true });
    const s = await peer.status(c1, (x) => x.status === 'Running' && x.engineId !== c1Engine, 5_000, since);
    ok(s.engineId);
    c1Engine = s.engineId;
  });

  it('reports an unknown image as Error with a reason', async () => {
    peer.send({ type: 'desired', full: false, containers: [container(c2, { generation: 1 }, 'busybox:nope')] });
    const s = await peer.status(c2, (x) => x.status === 'Error');
    strictEqual(s.statusReason, 'Image not found: busybox:nope');
    strictEqual(s.generation, 1);
  });

  it('answers calls: exec with output and exit code, 409 without an engine container', async () => {
    peer.send({ type: 'call', id: 'k1', method: 'exec', uuid: c1, params: { command: ['sh', '-c', 'echo out; exit 3'] } });
    const r = await peer.waitFor((m): m is Extract<AgentMessage, { type: 'result' }> => m.type === 'result' && m.id === 'k1', 5_000);
    deepStrictEqual(r, { type: 'result', id: 'k1', ok: true, value: { output: 'out\n', exit_code: 3 } });

    peer.send({ type: 'call', id: 'k2', method: 'top', uuid: c2, params: {} });
    const r2 = await peer.waitFor((m): m is Extract<AgentMessage, { type: 'result' }> => m.type === 'result' && m.id === 'k2', 5_000);
    strictEqual(r2.ok, false);
    if (!r2.ok) {
      strictEqual(r2.error.status, 409);
      match(r2.error.message, new RegExp(`Container ${c2} has no engine container yet \\(status Error\\)`));
    }
  });

  it('relays an interactive exec stream', async () => {
    const since = peer.messages.length;
    peer.send({ type: 'stream-open', sid: 's1', kind: 'exec', uuid: c1, params: { command: ['echo', 'hi'], tty: false } });
    await peer.waitFor((m): m is AgentMessage => m.type === 'stream-close' && m.sid === 's1', 5_000, since);
    const out = peer.messages
      .slice(since)
      .flatMap((m) => (m.type === 'stream-data' && m.sid === 's1' ? [Buffer.from(m.data, 'base64')] : []));
    strictEqual(Buffer.concat(out).toString(), 'hi\n');
  });

  it('removes the engine container when desired is deleted and reports Deleted', async () => {
    const since = peer.messages.length;
    peer.send({
      type: 'desired',
      full: false,
      containers: [
        container(c1, { generation: 4, desired: 'deleted', appliedGeneration: 3, engineId: c1Engine }),
        container(c2, { generation: 2, desired: 'deleted', appliedGeneration: 1 }, 'busybox:nope'),
      ],
    });
    await peer.status(c1, (x) => x.status === 'Deleted', 10_000, since);
    await peer.status(c2, (x) => x.status === 'Deleted', 10_000, since);
    strictEqual(await engine.inspect(engineName(c1)), null);
  });

  it('reconnects after the server drops the socket and resumes from a full desired set', async () => {
    const since = peer.messages.length;
    peer.socket?.terminate();
    await peer.waitFor(isType('hello'), 5_000, since);
    peer.send({ type: 'welcome', hostId: 'host-1', cloudId, protocol: PROTOCOL_VERSION });
    const c3 = randomUUID();
    peer.send({ type: 'desired', full: true, containers: [container(c3, { generation: 1 })] });
    await peer.status(c3, (x) => x.status === 'Running', 10_000, since);
    await peer.waitFor(isType('heartbeat'), 7_000, since);
  });
});
