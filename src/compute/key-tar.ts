/**
 * @module The archive that puts a server's key into its image's root home: `.ssh/` (0700) and
 * `.ssh/authorized_keys` (0600), owned by root, extracted into `/root`. No I/O.
 */
import { pack } from 'tar-stream';

export async function authorizedKeysTar(publicKey: string): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => void chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    p.on('end', () => resolve());
    p.on('error', reject);
  });
  const mtime = new Date(0);
  p.entry({ name: '.ssh/', type: 'directory', mode: 0o700, uid: 0, gid: 0, mtime });
  p.entry({ name: '.ssh/authorized_keys', mode: 0o600, uid: 0, gid: 0, mtime }, publicKey.endsWith('\n') ? publicKey : `${publicKey}\n`);
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}
