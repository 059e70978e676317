import type { Database } from '../../store/db.js';
import type { Policy } from '../../policy/index.js';
import type { Logger } from '../../core/log.js';
import type { ContainerCore } from '../../container/core.js';
import type { QuotaBook } from '../../container/quota-book.js';
import type { ContainerImages } from '../../image/resolve.js';

export interface ComputeDeps {
  db: Database;
  policy: Policy;
  log: Logger;
  core: ContainerCore;
  quotas: QuotaBook;
  /** Glance images as servers boot them; without it a server create is refused. */
  images?: ContainerImages;
}
