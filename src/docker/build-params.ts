/**
 * @module What a server sends a host's agent to open a `build` stream, and where the agent fetches the
 * build context from: the server that received it, at `GET /agent/v1/builds/{id}/context` with the host
 * credential and a context token (an upload-token HMAC over the build id, so it names one build and one
 * host and expires). Pure.
 */
import type { EngineBuildOptions } from './build-options.js';

/** The request header the agent's context download carries the context token in. */
export const CONTEXT_TOKEN_HEADER = 'x-berth-build-token';

export const contextPath = (buildId: string) => `/agent/v1/builds/${encodeURIComponent(buildId)}/context`;

/** What the context token signs (upload-token.ts signUpload): never a Glance image id. */
export const contextSubject = (buildId: string) => `build-context:${buildId}`;

export interface BuildTarget {
  glanceImageId: string;
  /** Lets the host PUT the image's data (upload-token.ts). */
  uploadToken: string;
  /**
   * The engine id of the image the project already has under this name, when known: a build that
   * yields the same image (all from cache) stores nothing again.
   */
  previousDockerId?: string;
}

export interface BuildParams {
  contextUrl: string;
  contextToken: string;
  options: EngineBuildOptions;
  /** The Glance images to store the result in (none: the build is only reported). */
  targets: BuildTarget[];
}

const isText = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** The params of a `build` stream-open, or a message saying what is wrong with them. */
export function readBuildParams(p: Record<string, unknown>): BuildParams | string {
  if (!isText(p.contextUrl) || !isText(p.contextToken)) return 'The build needs a context URL and token.';
  const o = p.options as EngineBuildOptions | undefined;
  if (!o || typeof o !== 'object' || !isText(o.dockerfile)) return 'The build needs its options.';
  const targets = p.targets;
  if (!Array.isArray(targets) || !targets.every((t: unknown) => {
    const x = t as Partial<BuildTarget> | null;
    return x !== null && typeof x === 'object' && isText(x.glanceImageId) && isText(x.uploadToken)
      && (x.previousDockerId === undefined || isText(x.previousDockerId));
  })) return 'The build targets are malformed.';
  return { contextUrl: p.contextUrl, contextToken: p.contextToken, options: o, targets: targets as BuildTarget[] };
}
