import type { Database } from '../../store/db.js';
import type { Policy } from '../../policy/index.js';
import type { Logger } from '../../core/log.js';
import type { ContainerCore } from '../../container/core.js';
import type { QuotaBook } from '../../container/quota-book.js';
import type { ContainerImages } from '../../image/resolve.js';
import type { ImageService } from '../../image/service.js';
import type { AgentHub } from '../../server/hub.js';
import type { ChangeBus } from '../../server/changes.js';
import type { ContainerSnapshot } from '../../container/snapshot.js';
import type { ContainerRebuild } from '../../container/rebuild.js';
import type { ContainerMove } from '../../container/move.js';
import type { KeyInjector } from '../../compute/key-injector.js';

export interface ComputeDeps {
  db: Database;
  policy: Policy;
  log: Logger;
  core: ContainerCore;
  quotas: QuotaBook;
  /** Glance images as servers boot them; without it a server create is refused. */
  images?: ContainerImages;
  /** With the image service, its hosts' agents and the cluster secret, servers can be snapshotted (createImage). */
  hub?: AgentHub;
  bus?: ChangeBus;
  imageService?: ImageService;
  clusterSecret?: string;
  /** Made by computeService from the above when they are given. */
  snapshots?: ContainerSnapshot;
  rebuilds?: ContainerRebuild;
  /** Moves a server to another host when a resize does not fit on its own; without it such a resize is refused. */
  moves?: ContainerMove;
  keys?: KeyInjector;
}
