/**
 * @module
 * Coalesces status updates into few `status` messages. An update after a quiet spell goes out at once
 * (a lone create or stop is reported without delay); what follows within the window goes out together,
 * keeping only the latest update of each container.
 */
import type { ObservedStatus } from './protocol.js';

export const BATCH_MS = 20;
/** A hold never delays an update longer than this (one slow container must not mute the others). */
export const HOLD_MAX_MS = 1_000;

export class StatusBatcher {
  readonly #send: (updates: ObservedStatus[]) => void;
  readonly #delayMs: number;
  #pending = new Map<string, ObservedStatus>();
  #timer: NodeJS.Timeout | undefined;
  #holds = 0;
  #lastFlush = 0;

  constructor(send: (updates: ObservedStatus[]) => void, delayMs = BATCH_MS) {
    this.#send = send;
    this.#delayMs = delayMs;
  }

  push(status: ObservedStatus): void {
    // NOTE: delete first so a newer update moves to the end and the message keeps report order.
    this.#pending.delete(status.uuid);
    this.#pending.set(status.uuid, status);
    if (this.#timer === undefined && this.#holds === 0 && Date.now() - this.#lastFlush >= this.#delayMs) {
      this.flush();
      return;
    }
    this.#timer ??= setTimeout(() => this.flush(), this.#holds === 0 ? this.#delayMs : HOLD_MAX_MS);
  }

  /** Keeps everything reported while `work` runs for one message sent when it settles. */
  async hold<T>(work: () => Promise<T>): Promise<T> {
    this.#holds++;
    try {
      return await work();
    } finally {
      this.#holds--;
      if (this.#holds === 0 && this.#pending.size > 0) {
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => this.flush(), 0);
      }
    }
  }

  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size === 0) return;
    const updates = [...this.#pending.values()];
    this.#pending.clear();
    this.#lastFlush = Date.now();
    this.#send(updates);
  }

  /** Drops what is pending (the connection is gone; the server asks again after reconnecting). */
  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending.clear();
  }
}
