/**
 * @module get_file: the content of a file the client sent with the request (heatclient reads the local
 * files a template names and sends them in `files`, keyed by path or URL). checkFiles refuses, before
 * anything is made, a template whose literal get_file paths are not among them, as Heat does.
 */
import { fail } from './errors.js';
import type { Template } from './types.js';
import { walkCalls } from './walk.js';

const missing = (path: string) => `No content found in the "files" section for get_file path: ${path}`;

/** get_file's value: the file's content. */
export function getFile(args: unknown, files: Record<string, unknown>, at: string): unknown {
  if (typeof args !== 'string') return fail(at, 'Argument to "get_file" must be a string');
  if (!Object.hasOwn(files, args)) return fail(at, missing(args));
  return files[args];
}

export function checkFiles(t: Template, files: Record<string, unknown>): void {
  const visit = (name: string, args: unknown, at: string) => {
    if (name === 'get_file' && typeof args === 'string' && !Object.hasOwn(files, args)) fail(at, missing(args));
    return undefined;
  };
  for (const r of Object.values(t.resources)) walkCalls(r.properties, t.versionDate, `resources.${r.name}.properties`, visit);
  for (const o of Object.values(t.outputs)) walkCalls(o.value, t.versionDate, `outputs.${o.name}.value`, visit);
}
