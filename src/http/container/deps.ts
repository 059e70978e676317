import type { Database } from '../../store/db.js';
import type { Policy } from '../../policy/index.js';
import type { Logger } from '../../core/log.js';
import type { AgentHub } from '../../server/hub.js';
import type { ChangeBus } from '../../server/changes.js';
import type { Strategy } from '../../scheduler/index.js';
import type { InteractiveSessions } from './interactive.js';
import type { ContainerCore } from '../../container/core.js';
import type { QuotaBook } from '../../container/quota-book.js';
import type { ContainerImages } from '../../image/resolve.js';
import type { ContainerCommit } from '../../container/commit.js';

export interface ContainerDeps {
  db: Database;
  policy: Policy;
  hub: AgentHub;
  bus: ChangeBus;
  log: Logger;
  strategy: Strategy;
  sessions: InteractiveSessions;
  core: ContainerCore;
  /** The quota model's tree; settings changes call `quotas.changed()`. */
  quotas: QuotaBook;
  /** Glance images as containers use them (image pull with the glance driver). */
  images?: ContainerImages;
  /** Commits containers as Glance images; without it a commit is refused. */
  commit?: ContainerCommit;
}
