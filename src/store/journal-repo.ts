import type { Queryable } from './db.js';

/** A project's container journal entries that started between two times (ISO strings, both included), oldest first. */
export const listProjectActions = (q: Queryable, projectId: string, from: string, to: string) =>
  q.selectFrom('container_actions').selectAll()
    .where('project_id', '=', projectId)
    .where('start_time', '>=', from)
    .where('start_time', '<=', to)
    .orderBy('start_time', 'asc').execute();
