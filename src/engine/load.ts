/**
 * @module
 * Docker's answer to `docker load`: JSON lines, each a message (`{"stream":"Loaded image: x:1\n"}`) or an
 * error (`{"errorDetail":{"message":…},"error":…}`), which arrives with status 200 because the engine
 * answered before it read the archive.
 */
import { EngineError } from './errors.js';
import { JsonLineSplitter } from './json-lines.js';

/** The references the engine says it loaded; throws the engine's error when the output carries one. */
export function loadedImages(output: Buffer): string[] {
  const lines = new JsonLineSplitter().push(Buffer.concat([output, Buffer.from('\n')]));
  const loaded: string[] = [];
  for (const { value } of lines) {
    const v = value as { stream?: unknown; error?: unknown; errorDetail?: { message?: unknown } } | null;
    const error = v?.errorDetail?.message ?? v?.error;
    if (typeof error === 'string') throw new EngineError(400, `docker load refused the archive: ${error}`);
    const m = typeof v?.stream === 'string' ? /Loaded image(?: ID)?: (\S+)/.exec(v.stream) : null;
    if (m) loaded.push(m[1]);
  }
  return loaded;
}
