/**
 * @module SSH public keys as Nova keeps them: the OpenSSH line, its type, and its legacy fingerprint
 * (MD5 of the key blob, colon-separated hex). Pure apart from hashing.
 */
import { createHash } from 'node:crypto';

const TYPES = ['ssh-rsa', 'ssh-ed25519', 'ssh-dss', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521'];

export type ParsedKey = { ok: true; type: string; blob: Buffer } | { ok: false; message: string };

/** Reads an OpenSSH public key line: `TYPE BASE64 [comment]`, the blob naming the same type. */
export function parsePublicKey(line: string): ParsedKey {
  const parts = line.trim().split(/\s+/);
  const bad = { ok: false as const, message: 'Keypair data is invalid: failed to generate fingerprint' };
  if (parts.length < 2 || !TYPES.includes(parts[0]) || !/^[A-Za-z0-9+/]+={0,2}$/.test(parts[1])) return bad;
  const blob = Buffer.from(parts[1], 'base64');
  if (blob.length < 4) return bad;
  const n = blob.readUInt32BE(0);
  if (n + 4 > blob.length || blob.toString('latin1', 4, 4 + n) !== parts[0]) return bad;
  return { ok: true, type: parts[0], blob };
}

export function fingerprintOf(blob: Buffer): string {
  return createHash('md5').update(blob).digest('hex').match(/../g)!.join(':');
}

const sshString = (b: Buffer) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
};
/** An unsigned big-endian integer as SSH's mpint (a leading zero when the high bit is set). */
const mpint = (b: Buffer) => sshString(b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);

/** The OpenSSH line of an RSA public key given as its JWK modulus and exponent (base64url). */
export function rsaOpenSsh(n: string, e: string, comment: string): string {
  const blob = Buffer.concat([sshString(Buffer.from('ssh-rsa')), mpint(Buffer.from(e, 'base64url')), mpint(Buffer.from(n, 'base64url'))]);
  return `ssh-rsa ${blob.toString('base64')} ${comment}`;
}
