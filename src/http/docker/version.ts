/**
 * @module API versions of the Docker endpoint. The highest is what the installed docker CLI (28.x)
 * speaks, so it never downgrades; the lowest is Docker's own minimum.
 */
export const MAX_API_VERSION = '1.50';
export const MIN_API_VERSION = '1.24';
/** The engine version Berth reports (its own release; the engines behind it may differ). */
export const BERTH_VERSION = '0.9.0';

const PREFIX = /^\/v(\d+\.\d+)(?=\/|$|\?)/;

/** Cuts a `/vX.Y` prefix off a request URL; `version` is what it named. */
export function stripVersion(url: string): { url: string; version?: string } {
  const m = PREFIX.exec(url);
  if (!m) return { url };
  const rest = url.slice(m[0].length);
  return { url: rest === '' || rest.startsWith('?') ? `/${rest}` : rest, version: m[1] };
}

/** Compares two `X.Y` versions numerically: negative, zero or positive. */
export function compareVersions(a: string, b: string): number {
  const [am, an] = a.split('.').map(Number);
  const [bm, bn] = b.split('.').map(Number);
  return am !== bm ? am - bm : an - bn;
}

/** Whether a client asking for `version` is served: between MIN_API_VERSION and MAX_API_VERSION. */
export function versionServed(version: string): boolean {
  return versionRefusal(version) === undefined;
}

/** Docker's words for a version it does not serve, or undefined when it serves it. */
export function versionRefusal(version: string): string | undefined {
  if (compareVersions(version, MAX_API_VERSION) > 0) return `client version ${version} is too new. Maximum supported API version is ${MAX_API_VERSION}`;
  if (compareVersions(version, MIN_API_VERSION) < 0) return `client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`;
  return undefined;
}
