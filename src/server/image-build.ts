/**
 * @module
 * `docker build` on a compute host, its result stored as the project's Glance images. In order:
 * 1. the context is spooled (build-context.ts) and a host chosen (build-host.ts); no host is a 503;
 * 2. one queued, unnamed Glance image is created per tag, with an upload token for that host;
 * 3. the host's agent runs the build on a `build` stream (agent/stream-build.ts), fetching the context
 *    from this server and relaying the engine's output, which goes on to the client line by line;
 * 4. once the agent stored the image data, each image takes its name (the project's older image of that
 *    name loses it, as a retagged Docker image becomes `<none>`), and "Successfully tagged" is written.
 * Any failure, a client gone away included, deletes the images created in step 2 and the context.
 */
import { signUpload } from '../agent/upload-token.js';
import { BerthError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { BuildRequest } from '../docker/build-options.js';
import { BuildOutput, errorLine, streamLine } from '../docker/build-output.js';
import { contextPath, contextSubject, type BuildParams, type BuildTarget } from '../docker/build-params.js';
import { chooseBuildHost } from '../docker/build-host.js';
import { glanceName, type DockerRef } from '../docker/refs.js';
import type { ImageService } from '../image/service.js';
import type { ImageActor } from '../image/types.js';
import { isUp } from '../container/host-view.js';
import type { Database } from '../store/db.js';
import { listHosts } from '../store/container-repo.js';
import type { AgentHub } from './hub.js';
import type { BuildContexts } from './build-context.js';

/** A build (context fetch, engine build, save and upload) may take this long before it fails. */
const BUILD_MS = 60 * 60_000;

export interface ImageBuildDeps {
  db: Database;
  hub: AgentHub;
  images: ImageService;
  contexts: BuildContexts;
  clusterSecret: string;
  log: Logger;
}

/** The property a built image keeps its engine id in (so a rebuild from cache stores nothing again). */
export const DOCKER_ID_PROPERTY = 'berth_docker_id';

export interface PreparedBuild {
  contextId: string;
  hostId: string;
  params: BuildParams;
  /** The images being filled, with the reference each is named after and the engine id its name holds now. */
  targets: { ref: DockerRef; glanceImageId: string; previousDockerId?: string }[];
  quiet: boolean;
  projectId: string;
}

/** The server cleaning up, and naming, images it created itself for a build. */
const server: ImageActor = { projectId: null, admin: true, allowed: () => true };

export class ImageBuilds {
  readonly #d: ImageBuildDeps;

  constructor(deps: ImageBuildDeps) {
    this.#d = deps;
  }

  /**
   * Everything before the first byte of the answer: a refusal here is a plain Docker error. `contextBase`
   * is this server's address as the host reaches it for the context.
   */
  async prepare(actor: ImageActor, projectId: string, req: BuildRequest, body: unknown, contextBase: string): Promise<PreparedBuild> {
    const host = await this.#host();
    const ctx = await this.#d.contexts.spool(body as never);
    const created: string[] = [];
    try {
      const targets: PreparedBuild['targets'] = [];
      const expires = Date.now() + BUILD_MS;
      const signed: BuildTarget[] = [];
      for (const ref of req.tags) {
        const image = await this.#d.images.create(actor, {
          owner: projectId, visibility: 'private', containerFormat: 'docker', diskFormat: 'raw',
          properties: { berth_build: glanceName(ref) },
        });
        created.push(image.id);
        const previousDockerId = await this.#builtId(projectId, glanceName(ref));
        targets.push({ ref, glanceImageId: image.id, previousDockerId });
        signed.push({ glanceImageId: image.id, uploadToken: signUpload(this.#d.clusterSecret, image.id, host, expires), previousDockerId });
      }
      this.#d.contexts.assign(ctx.id, host);
      const params: BuildParams = {
        contextUrl: `${contextBase}${contextPath(ctx.id)}`,
        contextToken: signUpload(this.#d.clusterSecret, contextSubject(ctx.id), host, expires),
        options: req.options,
        targets: signed,
      };
      return { contextId: ctx.id, hostId: host, params, targets, quiet: req.options.q, projectId };
    } catch (e) {
      await this.#discard(created);
      await this.#d.contexts.remove(ctx.id);
      throw e;
    }
  }

  /** Runs a prepared build, writing its output lines; resolves true once every image is stored and named. */
  async run(b: PreparedBuild, write: (text: string) => void, signal: AbortSignal): Promise<boolean> {
    const output = new BuildOutput();
    let ok = false;
    try {
      const closed = await this.#stream(b, (d) => write(output.push(d)), signal);
      write(output.end());
      if (signal.aborted) return false;
      if (closed.error && output.error === undefined) write(errorLine(closed.error));
      if (closed.error || output.error !== undefined || closed.exitCode !== 0) return false;
      for (const t of b.targets) {
        if (t.previousDockerId !== undefined && t.previousDockerId === output.imageId) {
          // Nothing changed: the image the name already holds stays, and the one made for this build goes.
          await this.#discard([t.glanceImageId]);
          continue;
        }
        await this.#name(b.projectId, t.glanceImageId, glanceName(t.ref), output.imageId);
      }
      if (!b.quiet) for (const t of b.targets) write(streamLine(`Successfully tagged ${t.ref.repo}:${t.ref.tag}\n`));
      ok = true;
      return true;
    } catch (e) {
      if (!signal.aborted) write(errorLine(e instanceof Error ? e.message : String(e)));
      return false;
    } finally {
      if (!ok) await this.#discard(b.targets.map((t) => t.glanceImageId));
      await this.#d.contexts.remove(b.contextId);
    }
  }

  /** The build stream from open to close; `onData` gets the agent's bytes as they come. */
  #stream(b: PreparedBuild, onData: (d: Buffer) => void, signal: AbortSignal): Promise<{ exitCode?: number; error?: string }> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (r: { exitCode?: number; error?: string }) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const handle = this.#d.hub.openStream(b.hostId, 'build', '', b.params as unknown as Record<string, unknown>, onData,
        (exitCode, error) => finish({ exitCode, error: error?.message }));
      const onAbort = () => {
        handle.close();
        finish({ error: 'The build was cancelled.' });
      };
      const timer = setTimeout(() => {
        handle.close();
        finish({ error: `The build did not finish within ${BUILD_MS / 60_000} minutes.` });
      }, BUILD_MS);
      signal.addEventListener('abort', onAbort);
      if (signal.aborted) onAbort();
    });
  }

  async #host(): Promise<string> {
    const now = Date.now();
    const rows = await listHosts(this.#d.db.kysely);
    const host = chooseBuildHost(rows.map((h) => ({
      id: h.id, name: h.name, enabled: h.enabled === 1 && h.forced_down === 0, up: isUp(h, now),
      local: this.#d.hub.isConnected(h.id), freeMemoryMb: h.memory_mb - h.used_memory_mb,
    })));
    if (!host) throw new BerthError('unavailable', 'No compute host is available to run the build: every host is disabled, down or disconnected.');
    return host.id;
  }

  /** The engine id of the image a build stored under `name` in the project, if its newest one was built here. */
  async #builtId(projectId: string, name: string): Promise<string | undefined> {
    const { images } = await this.#d.images.list(server, {
      name, owner: projectId, hidden: false, tags: [], properties: {}, memberStatus: 'all', sort: [], limit: 100,
    });
    const mine = images.filter((i) => i.owner === projectId && i.status === 'active');
    if (mine.length !== 1) return undefined;
    const id = mine[0].properties[DOCKER_ID_PROPERTY];
    return typeof id === 'string' && id !== '' ? id : undefined;
  }

  /** Gives the stored image its name; the project's other images of that name lose theirs. */
  async #name(projectId: string, imageId: string, name: string, dockerId: string | undefined): Promise<void> {
    const image = await this.#d.images.get(server, imageId);
    if (image.status !== 'active') throw new BerthError('conflict', `Image ${imageId} is ${image.status} after the upload.`);
    const { images } = await this.#d.images.list(server, {
      name, owner: projectId, hidden: false, tags: [], properties: {}, memberStatus: 'all', sort: [], limit: 100,
    });
    for (const old of images) {
      if (old.id !== imageId && old.owner === projectId) await this.#d.images.update(server, old.id, [{ op: 'replace', field: 'name', value: null }]);
    }
    await this.#d.images.update(server, imageId, [
      { op: 'replace', field: 'name', value: name },
      ...(dockerId ? [{ op: 'add' as const, property: DOCKER_ID_PROPERTY, value: dockerId }] : []),
    ]);
  }

  async #discard(ids: string[]): Promise<void> {
    for (const id of ids) {
      await this.#d.images.remove(server, id, { force: true }).catch((err: unknown) => {
        if (!(err instanceof BerthError && err.code === 'not_found')) this.#d.log.warn({ err, image: id }, 'image of a failed build not deleted');
      });
    }
  }
}
