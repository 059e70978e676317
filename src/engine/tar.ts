/**
 * @module
 * Tar rewriting for `cp` into a container. Docker's archive endpoint only extracts into an existing
 * directory, so "write this file as /tmp/file" becomes "extract into /tmp with the archive's top entry
 * renamed to `file`" — what `docker cp` itself does when the destination is not a directory.
 */
import { extract, pack } from 'tar-stream';
import { EngineError } from './errors.js';

/**
 * Renames the archive's top entry (the first path component of its first entry) to `newName`, and
 * every entry below it, including hard-link targets. Entries outside the top entry are kept as they are.
 */
export async function renameTopEntry(tar: Buffer, newName: string): Promise<Buffer> {
  if (newName === '' || newName === '.' || newName === '..' || newName.includes('/')) {
    throw new EngineError(400, `invalid archive entry name: ${JSON.stringify(newName)}`);
  }
  const source = extract();
  const sink = pack();
  const chunks: Buffer[] = [];
  sink.on('data', (c) => chunks.push(c as Buffer));
  const packed = new Promise<void>((resolve, reject) => {
    sink.on('end', () => resolve());
    sink.on('error', reject);
  });
  source.end(tar);

  let top: string | undefined;
  const rename = (path: string): string => {
    const { head, rest } = splitTop(path);
    return head === top ? newName + rest : path;
  };
  try {
    for await (const entry of source) {
      const header = { ...entry.header };
      if (top === undefined) {
        top = splitTop(header.name).head;
        if (top === '' || top === '.') {
          throw new EngineError(400, 'archive has no named top entry to rename');
        }
      }
      header.name = rename(header.name);
      if (header.type === 'link' && header.linkname) header.linkname = rename(header.linkname);
      if (header.pax) {
        // NOTE: pax records are written after the header fields and win over them, so rename there too.
        const pax = { ...(header.pax as Record<string, string>) };
        if (pax.path !== undefined) pax.path = header.name;
        if (pax.linkpath !== undefined) pax.linkpath = header.linkname;
        header.pax = pax;
      }
      const body: Buffer[] = [];
      for await (const c of entry) body.push(c as Buffer);
      await new Promise<void>((resolve, reject) =>
        sink.entry(header, Buffer.concat(body), (err) => (err ? reject(err) : resolve())),
      );
    }
  } catch (e) {
    sink.destroy();
    if (e instanceof EngineError) throw e;
    throw new EngineError(400, `invalid tar archive: ${(e as Error).message}`, { cause: e });
  }
  if (top === undefined) throw new EngineError(400, 'archive is empty');
  sink.finalize();
  await packed;
  return Buffer.concat(chunks);
}

/** `./a/b/` → head `a`, rest `/b/`; leading `./` and `/` are not part of a name. */
function splitTop(path: string): { head: string; rest: string } {
  const clean = path.replace(/^(\.\/|\/)+/, '');
  const slash = clean.indexOf('/');
  return slash === -1 ? { head: clean, rest: '' } : { head: clean.slice(0, slash), rest: clean.slice(slash) };
}
