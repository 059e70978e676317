import { readFileSync } from 'node:fs';
import { ConfigError, type Config } from '../core/config.js';
import { complianceOf } from '../identity/compliance.js';
import type { Logger } from '../core/log.js';
import type { Database } from '../store/db.js';
import { getSetting, putSetting } from '../store/identity-repo.js';
import { newId, newSecret } from '../core/ids.js';
import { TokenService } from '../identity/tokens.js';
import { loadPolicy, type Policy } from '../policy/index.js';
import { createApp } from '../http/server.js';
import { registerAuth } from '../http/auth.js';
import { identityService } from '../http/identity/index.js';
import { containerService } from '../http/container/index.js';
import { INTERACTIVE_PREFIX, InteractiveSessions } from '../http/container/interactive.js';
import { AGENT_PATH, DOWN_AFTER_SECONDS } from '../agent/protocol.js';
import { ChangeBus } from './changes.js';
import { AgentHub } from './hub.js';
import { FORWARD_STREAM_PATH } from './forward-protocol.js';
import { ForwardedStreams } from './forward-streams.js';
import { forwardRoutes } from '../http/forward.js';
import { HostIndex } from '../container/host-index.js';
import { ContainerCore } from '../container/core.js';
import { QuotaBook } from '../container/quota-book.js';
import { recountUsage } from '../container/quota-usage.js';
import { Requeue } from '../container/requeue.js';
import { imageService } from '../http/image/index.js';
import { FileImageStore } from '../image/store.js';
import { ImageService } from '../image/service.js';
import { ImageTransfer } from '../image/transfer.js';
import { ImageMembers } from '../image/members.js';
import { seedImage } from '../image/seed.js';
import { ContainerImages } from '../image/resolve.js';
import { GlanceSource, glanceImageUsers } from '../container/images.js';
import { agentImageRoutes } from '../http/agent-images.js';
import { stackService } from '../http/stack/index.js';
import { StackController } from '../stack/controller.js';
import { StackService } from '../stack/service.js';
import { ContainerCommit } from '../container/commit.js';
import { computeService } from '../http/compute/index.js';
import { createDockerApp, type DockerTls } from '../http/docker/app.js';
import { registerDockerAuth } from '../http/docker/auth.js';
import { HijackRoutes } from '../http/docker/hijack.js';
import { dockerService } from '../http/docker/index.js';
import { ContainerWaiter } from '../container/waiter.js';
import { ContainerMove } from '../container/move.js';
import { moveHolds } from '../store/compute-repo.js';
import { endStaleSnapshots } from '../store/snapshot-repo.js';

export interface Services {
  app: ReturnType<typeof createApp>;
  /** The Docker Engine API endpoint, served on its own listener. */
  docker: ReturnType<typeof createDockerApp>;
  tokens: TokenService;
  policy: Policy;
  hub: AgentHub;
  bus: ChangeBus;
  core: ContainerCore;
  quotas: QuotaBook;
  cloudId: string;
  close(): Promise<void>;
}

/** The id that marks this cloud's engine objects; made once and kept in the database. */
async function cloudIdOf(db: Database): Promise<string> {
  return db.tx(async (trx) => {
    await db.lock(trx, 'cloud_id');
    const existing = await getSetting(trx, 'cloud_id');
    if (existing) return existing;
    const id = newId().slice(0, 12);
    await putSetting(trx, 'cloud_id', id);
    return id;
  });
}

/**
 * The secret the servers of one cloud present to each other when they forward agent calls; made once
 * and kept in the database, which every server shares.
 */
async function clusterSecretOf(db: Database): Promise<string> {
  return db.tx(async (trx) => {
    await db.lock(trx, 'cluster_secret');
    const existing = await getSetting(trx, 'cluster_secret');
    if (existing) return existing;
    const secret = newSecret('c');
    await putSetting(trx, 'cluster_secret', secret);
    return secret;
  });
}

/** The Docker endpoint's TLS files, read at start (a missing or unreadable one stops the start). */
function dockerTlsOf(config: Config): DockerTls | undefined {
  if (!config.dockerTlsCert || !config.dockerTlsKey) return undefined;
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file);
    } catch (e) {
      throw new ConfigError(`cannot read the Docker endpoint's ${what} ${file}: ${(e as Error).message}`);
    }
  };
  return {
    cert: read(config.dockerTlsCert, 'certificate'),
    key: read(config.dockerTlsKey, 'key'),
    ca: config.dockerTlsCa ? read(config.dockerTlsCa, 'CA certificate') : undefined,
  };
}

/** Wires the HTTP services over one database: the pieces every API shares, then each API. */
export async function buildServices(config: Config, db: Database, log: Logger): Promise<Services> {
  const tokens = new TokenService(db, config.tokenTtlSeconds);
  const policy = loadPolicy(config.policyFile);
  const cloudId = await cloudIdOf(db);
  const bus = new ChangeBus(db);
  await bus.start();
  const clusterSecret = await clusterSecretOf(db);
  const quotas = new QuotaBook(db, { enforced: config.quotas });
  await quotas.start();
  if (quotas.enforced) await recountUsage(db, await quotas.tree(), log);
  const hub = new AgentHub({ db, log, bus, cloudId, clusterSecret, quotas });
  // Server snapshots whose Berth server crashed mid-way end now; a server that crashed just before this
  // start still looks live for a while, so once more when it no longer can.
  const endCrashedSnapshots = () => endStaleSnapshots(db.kysely, new Date(Date.now() - DOWN_AFTER_SECONDS * 1000).toISOString())
    .then((n) => { if (n > 0) log.info({ snapshots: n }, 'snapshots of stopped servers ended'); })
    .catch((err: unknown) => log.warn({ err }, 'snapshots of stopped servers not ended'));
  await endCrashedSnapshots();
  const snapshotRecovery = setTimeout(() => void endCrashedSnapshots(), (DOWN_AFTER_SECONDS + 1) * 1000);
  snapshotRecovery.unref();
  const requeue = new Requeue({ db, book: quotas, bus, log });
  const forwarded = new ForwardedStreams({ hub, clusterSecret, log });
  const sessions = new InteractiveSessions(hub);
  const index = new HostIndex(db);
  await index.start(bus);
  const imageStore = new FileImageStore(config.imageDir);
  const containerImages = new ContainerImages({ db, store: imageStore });
  const glance = new GlanceSource({ db, images: containerImages });
  const core = new ContainerCore({ db, bus, index, hub, strategy: config.scheduler, quotas, log, onQuotaReleased: () => requeue.kick(), glance });
  hub.onQuotaReleased = () => requeue.kick();
  requeue.start();
  const app = createApp({ log });
  registerAuth(app, { tokens, requireProjectHeader: config.requireProjectHeader });
  await identityService(app, { db, tokens, policy, region: config.region, compliance: complianceOf(config) });
  const imageDeps = { db, store: imageStore, maxBytes: config.imageMaxBytes, log, inUse: (id: string) => glanceImageUsers(db, id) };
  const images = new ImageService(imageDeps);
  const transfer = new ImageTransfer(imageDeps);
  const commit = new ContainerCommit({ core, hub, images, clusterSecret, log });
  await containerService(app, { db, policy, hub, bus, log, strategy: config.scheduler, sessions, core, quotas, images: containerImages, commit });
  await imageService(app, { policy, log, images, transfer, members: new ImageMembers(imageDeps) });
  const moves = new ContainerMove({ db, bus, index, strategy: config.scheduler, quotas, core, holds: moveHolds, log, onQuotaReleased: () => requeue.kick() });
  moves.start();
  await computeService(app, { db, policy, log, core, quotas, images: containerImages, hub, bus, imageService: images, clusterSecret, moves });
  // Background work of the image service: temporary files of uploads a crash cut short, and on a first
  // start with a local engine, its busybox as a public image.
  const imageWork = new AbortController();
  const imageChores = Promise.all([
    imageStore.sweep(24 * 3600 * 1000).catch((err: unknown) => log.warn({ err }, 'image store sweep failed')),
    config.localAgent
      ? seedImage({ db, images, transfer, engine: config.engine, ref: 'busybox:latest', name: 'busybox', log, signal: imageWork.signal })
        .catch((err: unknown) => log.warn({ err }, 'busybox not registered in the image service'))
      : undefined,
  ]);
  const dockerEndpoints = [`tcp://${config.dockerListen.host}:${config.dockerListen.port}`];
  const stackController = new StackController({ db, core, policy, bus, log, dockerEndpoints });
  await stackService(app, { db, policy, stacks: new StackService(db, stackController), dockerEndpoints });
  await stackController.start();
  const docker = createDockerApp({ log, tls: dockerTlsOf(config) });
  registerDockerAuth(docker, tokens);
  const hijack = new HijackRoutes({ tokens, policy, log });
  const waiter = new ContainerWaiter(db, bus);
  dockerService(docker, {
    api: app, db, policy, log, tokens, core, hub, bus, waiter, quotas, images, transfer, containerImages, hijack, clusterSecret, cloudId,
  });
  docker.server.on('upgrade', (req, socket, head) => void hijack.handleUpgrade(req, socket, head).catch(() => socket.destroy()));
  forwardRoutes(app, { hub, clusterSecret });
  agentImageRoutes(app, { db, images: containerImages, transfer, clusterSecret });
  app.server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === AGENT_PATH) void hub.handleUpgrade(req, socket, head).catch(() => socket.destroy());
    else if (path === FORWARD_STREAM_PATH) forwarded.handleUpgrade(req, socket, head);
    else if (path.startsWith(INTERACTIVE_PREFIX)) void sessions.handleUpgrade(req, socket, head).catch(() => socket.destroy());
    else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });
  return {
    app, docker, tokens, policy, hub, bus, core, quotas, cloudId,
    async close() {
      clearTimeout(snapshotRecovery);
      await stackController.stop();
      waiter.close();
      imageWork.abort();
      await imageChores;
      index.stop();
      await moves.stop();
      await requeue.stop();
      await quotas.stop();
      sessions.close();
      forwarded.close();
      await hub.close();
      await bus.close();
    },
  };
}
