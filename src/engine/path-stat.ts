/**
 * @module
 * The stat of a path in a container without its content (what `docker cp` asks first with HEAD).
 */
import type Docker from 'dockerode';
import { EngineError, toEngineError } from './errors.js';
import { decodePathStat } from './io.js';

/** Docker's path stat (name, size, mode, mtime, linkTarget); a 404 EngineError when the path does not exist. */
export async function statPath(api: Docker, id: string, path: string): Promise<Record<string, unknown>> {
  let res: NodeJS.ReadableStream & { headers?: Record<string, string> };
  try {
    res = (await api.getContainer(id).infoArchive({ path })) as typeof res;
  } catch (e) {
    throw toEngineError(e);
  }
  // NOTE: the HEAD answer is handed over as an unread stream; drain it or its socket stays busy.
  res.resume();
  const stat = decodePathStat(res.headers?.['x-docker-container-path-stat']);
  if (Object.keys(stat).length === 0) throw new EngineError(404, `Could not find the file ${path} in container ${id}`);
  return stat;
}
