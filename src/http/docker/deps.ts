import type { FastifyInstance } from 'fastify';
import type { Database } from '../../store/db.js';
import type { Policy } from '../../policy/index.js';
import type { Logger } from '../../core/log.js';
import type { AgentHub } from '../../server/hub.js';
import type { ChangeBus } from '../../server/changes.js';
import type { ContainerCore } from '../../container/core.js';
import type { ContainerWaiter } from '../../container/waiter.js';
import type { QuotaBook } from '../../container/quota-book.js';
import type { ContainerImages } from '../../image/resolve.js';
import type { ImageService } from '../../image/service.js';
import type { ImageTransfer } from '../../image/transfer.js';
import type { TokenService } from '../../identity/tokens.js';
import type { HijackRoutes } from './hijack.js';

/** What the Docker endpoint's routes use: the same core, hub and image service as the OpenStack APIs. */
export interface DockerDeps {
  /** The main API's app: agent-facing routes (a build's context) are served there, beside image uploads. */
  api: FastifyInstance;
  db: Database;
  policy: Policy;
  log: Logger;
  tokens: TokenService;
  core: ContainerCore;
  hub: AgentHub;
  bus: ChangeBus;
  /** Waits for a container to reach a state (created on its engine, exited, removed). */
  waiter: ContainerWaiter;
  quotas: QuotaBook;
  /** Glance images (the project's images): list, upload, download, delete. */
  images: ImageService;
  transfer: ImageTransfer;
  /** Glance images as containers use them. */
  containerImages: ContainerImages;
  /** Hijacked routes (attach, exec start) are registered here rather than on Fastify. */
  hijack: HijackRoutes;
  /** Signs the tokens with which an agent uploads an image it built or committed. */
  clusterSecret: string;
  cloudId: string;
}
