import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { fingerprintOf, parsePublicKey, rsaOpenSsh } from './keys.js';

const ED = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@host';

describe('parsePublicKey', () => {
  const cases = [
    { name: 'an ed25519 key', given: ED, want: 'ssh-ed25519' },
    { name: 'not a key', given: 'hello world', want: null },
    { name: 'a type the blob does not name', given: ED.replace('ssh-ed25519', 'ssh-rsa'), want: null },
    { name: 'bad base64', given: 'ssh-rsa !!!', want: null },
    { name: 'empty', given: '', want: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const p = parsePublicKey(c.given);
      assert.equal(p.ok ? p.type : null, c.want);
    });
  }
});

it('a generated RSA key reads back with a 16-byte fingerprint', () => {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const jwk = publicKey.export({ format: 'jwk' });
  const line = rsaOpenSsh(jwk.n!, jwk.e!, 'k1');
  const p = parsePublicKey(line);
  assert.ok(p.ok);
  assert.match(fingerprintOf(p.blob), /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
});
