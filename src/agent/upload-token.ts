/**
 * @module
 * The permission a server gives a host's agent to upload one image's data: an HMAC, under the secret
 * every server of the cloud shares, of the image, the host and an expiry. Any server may check it, so
 * the agent uploads to whichever server it is connected to, whichever server asked for the commit.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The request header an agent's upload carries the token in. */
export const UPLOAD_TOKEN_HEADER = 'x-berth-upload-token';

const mac = (secret: string, imageId: string, hostId: string, expires: number) =>
  createHmac('sha256', secret).update(`upload\n${imageId}\n${hostId}\n${expires}`).digest('hex');

/** A token for host `hostId` to upload the data of image `imageId` until `expiresAtMs`. */
export function signUpload(secret: string, imageId: string, hostId: string, expiresAtMs: number): string {
  const expires = Math.floor(expiresAtMs);
  return `${expires}.${mac(secret, imageId, hostId, expires)}`;
}

/** Whether `token` lets host `hostId` upload image `imageId` at `nowMs`. */
export function checkUpload(secret: string, token: string, imageId: string, hostId: string, nowMs: number): boolean {
  const m = /^(\d{1,16})\.([0-9a-f]{64})$/.exec(token);
  if (!m) return false;
  const expires = Number(m[1]);
  if (expires < nowMs) return false;
  const want = Buffer.from(mac(secret, imageId, hostId, expires), 'hex');
  return timingSafeEqual(want, Buffer.from(m[2], 'hex'));
}
