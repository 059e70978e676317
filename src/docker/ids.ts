/**
 * @module Container ids as the docker CLI shows them: a Berth uuid without its dashes (32 hex digits, of
 * which `docker ps` shows the first 12). Whatever a client sends back — that id, a prefix of it, or the
 * dashed uuid — is turned into the dashed form by the container core's lookup (uuidIdent).
 */

/** The Docker id of a container: its uuid's hex digits. */
export const dockerId = (uuid: string): string => uuid.replace(/-/g, '');

export { uuidIdent } from '../container/lookup.js';
