import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extract } from 'tar-stream';
import { authorizedKeysTar } from './key-tar.js';

test('the key archive holds .ssh (0700) and authorized_keys (0600) with the key and a newline', async () => {
  const tar = await authorizedKeysTar('ssh-rsa AAAA k1');
  const x = extract();
  x.end(tar);
  const seen: { name: string; mode?: number; body: string }[] = [];
  for await (const e of x) {
    const parts: Buffer[] = [];
    for await (const c of e) parts.push(c as Buffer);
    seen.push({ name: e.header.name, mode: e.header.mode, body: Buffer.concat(parts).toString() });
  }
  assert.deepEqual(seen, [
    { name: '.ssh/', mode: 0o700, body: '' },
    { name: '.ssh/authorized_keys', mode: 0o600, body: 'ssh-rsa AAAA k1\n' },
  ]);
});
