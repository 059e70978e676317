/**
 * @module
 * Tells the server which images this host's engine holds: all of them when the agent is welcomed and
 * whenever the list changed since (checked at every resync), and an image right after the agent loaded
 * it, with the Glance image it came from. The server's scheduler prefers hosts holding a container's image.
 */
import type { Logger } from '../core/log.js';
import type { DockerEngine } from '../engine/index.js';
import { isMark, parseMark } from './glance-mark.js';
import type { AgentMessage, HostImage } from './protocol.js';

export interface ImageReportOptions {
  engine: Pick<DockerEngine, 'listImages' | 'inspectImage'>;
  /** False when the message could not be sent (no connection). */
  send: (m: AgentMessage) => boolean;
  log: Logger;
  /** The cloud the agent serves: its marks name an image's Glance image, and are not reported as tags. */
  cloudId?: () => string | null;
}

export class ImageReporter {
  readonly #o: ImageReportOptions;
  /** The Glance image each engine image was loaded from, as far as this agent knows (its own loads). */
  readonly #glance = new Map<string, string>();
  /** What the server last received in full; undefined: send the next list whatever it holds. */
  #sent: string | undefined;

  constructor(options: ImageReportOptions) {
    this.#o = options;
  }

  /** A new connection: the next full report goes out even if unchanged. */
  reset(): void {
    this.#sent = undefined;
  }

  /** Sends every image the engine holds, unless the server already has exactly this list. */
  async reportAll(): Promise<void> {
    let images: HostImage[];
    try {
      images = (await this.#o.engine.listImages()).map((i) => this.#hostImage(i.id, i.tags, i.sizeBytes));
    } catch (e) {
      this.#o.log.debug({ err: e instanceof Error ? e.message : String(e) }, 'cannot list engine images');
      return;
    }
    const fingerprint = JSON.stringify(images);
    if (fingerprint === this.#sent) return;
    if (this.#o.send({ type: 'images', full: true, images })) this.#sent = fingerprint;
  }

  /** The agent loaded Glance image `glanceImageId`, which the engine knows as `ref`. */
  async reportLoaded(glanceImageId: string, ref: string): Promise<void> {
    const image = await this.#o.engine.inspectImage(ref);
    if (!image) return;
    this.#glance.set(image.id, glanceImageId);
    this.#o.send({ type: 'images', full: false, images: [this.#hostImage(image.id, image.tags, image.sizeBytes)] });
    this.#sent = undefined;
  }

  #hostImage(id: string, tags: string[], size: number): HostImage {
    const cloudId = this.#o.cloudId?.() ?? null;
    const own = tags.map(parseMark).find((m) => m !== null && m.cloudId === cloudId);
    const plain = tags.filter((t) => !isMark(t));
    const glanceImageId = own?.glanceImageId ?? this.#glance.get(id);
    return glanceImageId ? { id, tags: plain, size, glanceImageId } : { id, tags: plain, size };
  }
}
