/**
 * @module Docker image references and the names of the image service's images. A project's Glance image
 * named `app` is Docker's `app:latest`; one named `app:v1` is `app:v1`. Docker Hub's implicit prefixes
 * (`docker.io/`, `library/`) are dropped: there is no registry behind Berth, only names.
 */

export interface DockerRef {
  /** The repository, without docker.io/ or library/: `busybox`, `team/app`, `localhost:5000/app`. */
  repo: string;
  tag: string;
  /** `sha256:…` when the reference named a digest (`repo@sha256:…`). */
  digest?: string;
}

const TAG = /^[\w][\w.-]{0,127}$/;
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Parses a reference as the docker CLI sends it; undefined when it is not a valid one. */
export function parseRef(text: string): DockerRef | undefined {
  if (text === '' || text.length > 255) return undefined;
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return undefined;
  }
  let tag = 'latest';
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return undefined;
  }
  const parts = rest.split('/');
  // A first part with a dot or a port, or `localhost`, is a registry host; it stays part of the name.
  const hasHost = parts.length > 1 && (/[.:]/.test(parts[0]) || parts[0] === 'localhost');
  const path = hasHost ? parts.slice(1) : parts;
  if (path.length === 0 || !path.every((p) => COMPONENT.test(p))) return undefined;
  let repo = rest;
  if (repo.startsWith('docker.io/') || repo.startsWith('index.docker.io/')) repo = repo.slice(repo.indexOf('/') + 1);
  if (repo.startsWith('library/') && repo.split('/').length === 2) repo = repo.slice('library/'.length);
  return digest ? { repo, tag, digest } : { repo, tag };
}

/** The Glance name a reference is stored under: `repo` for the latest tag, else `repo:tag`. */
export function glanceName(ref: DockerRef): string {
  return ref.tag === 'latest' ? ref.repo : `${ref.repo}:${ref.tag}`;
}

/** The names to look a reference up by, best first (`app` and `app:latest` both mean app:latest). */
export function glanceNames(ref: DockerRef): string[] {
  return ref.tag === 'latest' ? [ref.repo, `${ref.repo}:latest`] : [`${ref.repo}:${ref.tag}`];
}

/** Docker's `repo:tag` for a Glance image name, or undefined when the name is no valid reference. */
export function dockerTagOf(name: string | null): string | undefined {
  if (!name) return undefined;
  const ref = parseRef(name);
  return ref && !ref.digest ? `${ref.repo}:${ref.tag}` : undefined;
}
