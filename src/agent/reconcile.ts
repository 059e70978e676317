/**
 * @module
 * Makes one host's engine match the desired containers the server sent: inspect → diff → apply →
 * inspect → report. Work on one container is serialized (a promise chain per uuid), so steps of two
 * passes never interleave; different containers proceed in parallel. Failures become an Error status
 * with a reason and never stop the loop.
 */
import { EngineError, type DockerEngine, type EngineState } from '../engine/index.js';
import type { Logger } from '../core/log.js';
import { diff, type Applied, type Step } from './diff.js';
import { engineName, toEngineSpec } from './engine-spec.js';
import { observe } from './observe.js';
import { LABEL_CLOUD, LABEL_HOST, LABEL_UUID, type DesiredContainer, type ObservedStatus } from './protocol.js';

export interface ReconcilerOptions {
  engine: DockerEngine;
  hostName: string;
  log: Logger;
  report: (status: ObservedStatus) => void;
  /** Loads a Glance image the engine lacks before a container of it is created. */
  images?: { ensure(glanceImageId: string, ref: string): Promise<void> };
}

/** 'apply' runs the diff; 'observe' only reports, unless the container is missing (then it is re-created). */
type Mode = 'apply' | 'observe';

export class Reconciler {
  readonly #o: ReconcilerOptions;
  #cloudId: string | null = null;
  /** Desired containers by uuid, as last sent by the server. */
  #desired = new Map<string, DesiredContainer>();
  /** What this agent applied itself since it started, by uuid. */
  #applied = new Map<string, Applied>();
  #lastStatus = new Map<string, string>();
  /** A resize the engine refused, reported with every observation until the next generation. */
  #refusals = new Map<string, { generation: number; refused: NonNullable<ObservedStatus['limitsRefused']> }>();
  /** What was last reported per container: an unchanged observation is not sent again. */
  #reported = new Map<string, string>();
  #chains = new Map<string, Promise<void>>();
  #observeQueued = new Set<string>();
  /** Set once a full desired set arrived: only then is an unlisted labelled container known to be unwanted. */
  #fullSeen = false;

  constructor(options: ReconcilerOptions) {
    this.#o = options;
  }

  get cloudId(): string | null {
    return this.#cloudId;
  }

  /** A different cloud means different rows: forget everything known about the previous one. */
  setCloud(cloudId: string): void {
    if (cloudId === this.#cloudId) return;
    this.#cloudId = cloudId;
    this.#desired.clear();
    this.#applied.clear();
    this.#lastStatus.clear();
    this.#reported.clear();
    this.#refusals.clear();
    this.#fullSeen = false;
  }

  /**
   * Makes the next observation of every container go out even if unchanged: after a (re)connection the
   * server may have missed reports, and now and then as a safety net for a report it failed to store.
   */
  reportAgain(): void {
    this.#reported.clear();
  }

  /** Whether the server's full desired set arrived (until then, what is wanted here is not fully known). */
  get complete(): boolean {
    return this.#fullSeen;
  }

  /** The image references and Glance images of the containers wanted on this host (not being deleted). */
  wanted(): { refs: Set<string>; glance: Set<string> } {
    const refs = new Set<string>();
    const glance = new Set<string>();
    for (const d of this.#desired.values()) {
      if (d.desired === 'deleted') continue;
      refs.add(d.spec.image);
      if (d.spec.glanceImageId) glance.add(d.spec.glanceImageId);
    }
    return { refs, glance };
  }

  has(uuid: string): boolean {
    return this.#desired.has(uuid);
  }

  /** The status last reported for the container, for messages that name it. */
  statusOf(uuid: string): string | undefined {
    return this.#lastStatus.get(uuid);
  }

  /** Stores a `desired` message and reconciles every container it lists; resolves when all are done. */
  async receive(containers: DesiredContainer[], full: boolean): Promise<void> {
    if (full) {
      const listed = new Set(containers.map((c) => c.uuid));
      for (const uuid of this.#desired.keys()) if (!listed.has(uuid)) this.#forget(uuid);
      this.#fullSeen = true;
    }
    for (const c of containers) this.#desired.set(c.uuid, c);
    const work = containers.map((c) => this.#enqueue(c.uuid, () => this.#pass(c.uuid, 'apply')));
    if (full) work.push(this.pruneUnknown());
    await Promise.all(work);
  }

  /** An engine event about the container: report its state now (re-creating it if it vanished). */
  observe(uuid: string): void {
    if (!this.#desired.has(uuid) || this.#observeQueued.has(uuid)) return;
    this.#observeQueued.add(uuid);
    void this.#enqueue(uuid, () => {
      this.#observeQueued.delete(uuid);
      return this.#pass(uuid, 'observe');
    });
  }

  /** The periodic full pass: remove unknown labelled containers, repair missing ones, report all. */
  async resync(): Promise<void> {
    const work = [...this.#desired.keys()].map((uuid) => this.#enqueue(uuid, () => this.#pass(uuid, 'apply')));
    work.push(this.pruneUnknown());
    await Promise.all(work);
  }

  /** Removes engine containers labelled for this cloud and host whose uuid is not desired. */
  async pruneUnknown(): Promise<void> {
    const cloudId = this.#cloudId;
    if (cloudId === null || !this.#fullSeen) return;
    let rows;
    try {
      rows = await this.#o.engine.list({ [LABEL_CLOUD]: cloudId, [LABEL_HOST]: this.#o.hostName });
    } catch (e) {
      this.#o.log.warn({ err: describe(e) }, 'cannot list engine containers');
      return;
    }
    await Promise.all(
      rows.map((row) => {
        const uuid = row.labels[LABEL_UUID] ?? row.id;
        return this.#enqueue(uuid, async () => {
          if (this.#desired.has(uuid) || this.#cloudId !== cloudId) return;
          this.#o.log.info({ uuid, engineId: row.id }, 'removing a labelled container that is not desired');
          await this.#o.engine.remove(row.id, { force: true });
        });
      }),
    );
  }

  /** Resolves when all work queued so far has finished. */
  async idle(): Promise<void> {
    while (this.#chains.size > 0) await Promise.allSettled([...this.#chains.values()]);
  }

  #enqueue(key: string, work: () => Promise<void>): Promise<void> {
    const prev = this.#chains.get(key) ?? Promise.resolve();
    const next = prev.then(work).catch((e: unknown) => {
      this.#o.log.error({ uuid: key, err: describe(e) }, 'reconcile pass failed');
    });
    this.#chains.set(key, next);
    void next.then(() => {
      if (this.#chains.get(key) === next) this.#chains.delete(key);
    });
    return next;
  }

  async #pass(uuid: string, mode: Mode): Promise<void> {
    const d = this.#desired.get(uuid);
    const cloudId = this.#cloudId;
    if (!d || cloudId === null) return;
    const { engine, log } = this.#o;
    const name = engineName(uuid);
    const before = this.#appliedOf(d);

    let actual: EngineState | null;
    try {
      actual = await engine.inspect(name);
    } catch (e) {
      // NOTE: nothing is known while the engine does not answer; the next resync tries again.
      log.warn({ uuid, err: describe(e) }, 'cannot inspect container');
      return;
    }

    const planned = mode === 'apply' || actual === null;
    const steps = planned ? diff(d, actual, before) : [];
    let applied = planned
      ? { ...before, generation: Math.max(before.generation, d.generation), restartGeneration: Math.max(before.restartGeneration, d.restartGeneration) }
      : before;
    let failure: string | null = null;
    let refused: ObservedStatus['limitsRefused'];
    let id = actual?.id ?? null;
    for (const step of steps) {
      try {
        id = await this.#apply(step, d, id, cloudId);
      } catch (e) {
        if (step.kind === 'update' && actual && !(e instanceof EngineError && e.status === 503)) {
          // NOTE: a refused resize (e.g. memory below what the container uses) leaves it running as it was.
          refused = { reason: `The engine refused the new limits: ${describe(e)}`, cpu: actual.cpu ?? 0, memoryMb: actual.memoryMb ?? 0 };
          log.warn({ uuid, err: refused.reason }, 'resize refused');
          continue;
        }
        failure = reasonFor(step, e);
        log.warn({ uuid, step: step.kind, err: failure }, 'step failed');
        // NOTE: an engine that did not answer is transient: leave the generation unapplied so resync retries.
        if (e instanceof EngineError && e.status === 503) applied = before;
        break;
      }
    }
    if (id !== null) applied = { ...applied, engineId: id };
    this.#applied.set(uuid, applied);

    let after = actual;
    if (steps.length > 0) {
      try {
        after = await engine.inspect(name);
      } catch (e) {
        failure ??= describe(e);
      }
    }
    const status = observe(d, after, applied, failure);
    if (refused) this.#refusals.set(uuid, { generation: applied.generation, refused });
    const refusal = this.#refusals.get(uuid);
    if (refusal && refusal.generation === applied.generation) status.limitsRefused = refusal.refused;
    else this.#refusals.delete(uuid);
    if (status.status === 'Deleted' && this.#desired.get(uuid) === d) this.#forget(uuid);
    else if (this.#desired.has(uuid)) this.#lastStatus.set(uuid, status.status);
    const fingerprint = JSON.stringify(status);
    if (this.#reported.get(uuid) === fingerprint) return;
    if (this.#desired.has(uuid)) this.#reported.set(uuid, fingerprint);
    this.#o.report(status);
  }

  /** Runs one step; returns the engine container id afterwards (null once removed). */
  async #apply(step: Step, d: DesiredContainer, id: string | null, cloudId: string): Promise<string | null> {
    const engine = this.#o.engine;
    if (step.kind === 'create') {
      if (d.spec.glanceImageId !== undefined && this.#o.images) await this.#o.images.ensure(d.spec.glanceImageId, d.spec.image);
      return engine.create(toEngineSpec(d, { cloudId, hostName: this.#o.hostName }));
    }
    if (id === null) throw new Error(`cannot ${step.kind}: no engine container`);
    switch (step.kind) {
      case 'start': await engine.start(id); break;
      case 'stop': await engine.stop(id, step.timeoutSec); break;
      case 'pause': await engine.pause(id); break;
      case 'unpause': await engine.unpause(id); break;
      case 'restart': await engine.restart(id, step.timeoutSec); break;
      case 'remove': await engine.remove(id, { force: step.force }); return null;
      case 'update': await engine.updateResources(id, { cpu: step.cpu, memoryMb: step.memoryMb }); break;
    }
    return id;
  }

  #appliedOf(d: DesiredContainer): Applied {
    const mine = this.#applied.get(d.uuid);
    return {
      generation: Math.max(d.appliedGeneration, mine?.generation ?? 0),
      restartGeneration: Math.max(d.appliedRestartGeneration, mine?.restartGeneration ?? 0),
      engineId: mine?.engineId ?? d.engineId,
    };
  }

  #forget(uuid: string): void {
    this.#desired.delete(uuid);
    this.#applied.delete(uuid);
    this.#lastStatus.delete(uuid);
    this.#reported.delete(uuid);
    this.#refusals.delete(uuid);
  }
}

/** The reason shown to the user for a failed step: Docker's own words, with "No such image" made plain. */
export function reasonFor(step: Step, e: unknown): string {
  const message = describe(e);
  if (step.kind === 'create' && e instanceof EngineError && e.status === 404) {
    const m = /No such image: (\S+)/i.exec(message);
    if (m) return `Image not found: ${m[1]}`;
  }
  return message;
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
