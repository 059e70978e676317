/**
 * @module Rebuild through the container core's patterns: the row is loaded, the pure decision
 * (rebuild-decide.ts) taken, and the change committed in one transaction on the generation it was
 * decided on, with its journal entry and the front door's own rows (e.g. a server's image id). A lost
 * race is decided again on fresh data. The host's agent then replaces the engine container.
 */
import { BerthError } from '../core/errors.js';
import { isTransientConflict, type Database } from '../store/db.js';
import * as repo from '../store/container-repo.js';
import type { ContainerRow } from '../store/schema.js';
import type { ChangeBus } from '../server/changes.js';
import type { Actor, ContainerCore } from './core.js';
import type { InsertHook } from './insert-hook.js';
import { decideRebuild, type RebuildImage } from './rebuild-decide.js';
import { journalEntry } from './rows.js';

const ATTEMPTS = 16;

export interface RebuildDeps { db: Database; bus: ChangeBus; core: ContainerCore }

export class ContainerRebuild {
  readonly #d: RebuildDeps;

  constructor(deps: RebuildDeps) {
    this.#d = deps;
  }

  /** Rebuilds container `ident` from `image` (`container:update`); `onCommit` writes in the same transaction. */
  async rebuild(who: Actor, ident: string, image: RebuildImage, onCommit?: InsertHook): Promise<ContainerRow> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const c = await this.#d.core.find(who, ident);
      who.authorize('container:update', { project_id: c.project_id });
      const set = decideRebuild(c, image);
      const journal = journalEntry(who, c, 'rebuild', { open: true });
      let done: boolean;
      try {
        done = await this.#d.db.tx(async (trx) => {
          if (!(await repo.updateContainerIf(trx, c.uuid, c.generation, set))) return false;
          await repo.insertAction(trx, journal);
          const row = { ...c, ...set };
          await onCommit?.(trx, row);
          return true;
        });
      } catch (e) {
        if (isTransientConflict(e)) continue;
        throw e;
      }
      if (done) {
        await this.#d.bus.publish(c.host_id, c.uuid);
        return { ...c, ...set, updated_at: new Date().toISOString() };
      }
    }
    throw new BerthError('busy', 'The container is being changed by another request; try again.');
  }
}
