/**
 * @module
 * The mark an agent puts on an engine image that Berth itself brought there for a Glance image (a load
 * for a container, or a commit): a repo tag `berth-glance/<glance image id>:<cloud id>`. Docker images
 * carry no labels of their own making after the fact, so the tag is the label; it survives agent
 * restarts, names the Glance image the engine copy came from, and tells Berth's copies (which it may
 * remove once unused) from images someone else put in the engine (which it never removes).
 * Marks are never reported to the server as tags. Pure.
 */

export const MARK_REPO = 'berth-glance';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CLOUD = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export interface GlanceMark { glanceImageId: string; cloudId: string }

/** The mark's repo and tag, or null when the ids cannot form one (then nothing is marked). */
export function markOf(glanceImageId: string, cloudId: string): { repo: string; tag: string } | null {
  const id = glanceImageId.toLowerCase();
  if (!UUID.test(id) || !CLOUD.test(cloudId)) return null;
  return { repo: `${MARK_REPO}/${id}`, tag: cloudId };
}

/** The mark a repo tag is, or null when it is not one. */
export function parseMark(repoTag: string): GlanceMark | null {
  const m = /^berth-glance\/([0-9a-f-]{36}):(.+)$/.exec(repoTag);
  if (!m || !UUID.test(m[1]) || !CLOUD.test(m[2])) return null;
  return { glanceImageId: m[1], cloudId: m[2] };
}

export const isMark = (repoTag: string) => parseMark(repoTag) !== null;
