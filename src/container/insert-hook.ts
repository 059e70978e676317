import type { Queryable } from '../store/db.js';
import type { ContainerRow } from '../store/schema.js';

/**
 * A front door's own rows for a new container (a server's flavor and metadata), written in the
 * transaction that inserts the container: both are stored or neither is. It may run once per attempt
 * (each with a fresh row), since a lost race rolls the transaction back.
 */
export type InsertHook = (trx: Queryable, row: ContainerRow) => Promise<void>;
