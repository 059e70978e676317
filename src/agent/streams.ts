/**
 * @module
 * Interactive exec and attach sessions relayed over the server channel. Each session is a hijacked
 * engine connection keyed by the server's stream id: engine output goes out as `stream-data`, input from
 * the server goes into the engine, and either side's close ends it (reported once, as `stream-close`).
 */
import type { Duplex } from 'node:stream';
import { FrameDecoder, type DockerEngine } from '../engine/index.js';
import { execExitCode, openAttachSession, openExecSession } from '../engine/sessions.js';
import type { Logger } from '../core/log.js';
import { engineName } from './engine-spec.js';
import type { AgentMessage, ServerMessage, StreamKind } from './protocol.js';
import { extraKinds, type AgentServerAccess } from './stream-kinds.js';
import { rawAttachOptions, rawExecOptions } from './stream-params.js';

type OpenMessage = Extract<ServerMessage, { type: 'stream-open' }>;


interface Session {
  kind: StreamKind;
  containerId: string | null;
  execId: string | null;
  engine: Duplex | null;
  /** Aborted when the session ends (a follow-mode opener stops its engine call). */
  abort: AbortController;
  /** Input that arrived before the engine connection was ready. */
  pending: Buffer[];
  closed: boolean;
  /**
   * Docker clients' sessions (`params.raw`): the engine's bytes are relayed unchanged (frames included),
   * an empty `stream-data` to the server says the engine connection is open, and an empty one from the
   * server ends the input (the client's half-close).
   */
  raw: boolean;
}

export class Streams {
  readonly #engine: DockerEngine;
  readonly #send: (m: AgentMessage) => void;
  readonly #log: Logger;
  readonly #server: AgentServerAccess | undefined;
  #sessions = new Map<string, Session>();

  constructor(options: { engine: DockerEngine; send: (m: AgentMessage) => void; log: Logger; server?: AgentServerAccess }) {
    this.#engine = options.engine;
    this.#server = options.server;
    this.#send = options.send;
    this.#log = options.log;
  }

  execIdOf(sid: string): string | undefined {
    return this.#sessions.get(sid)?.execId ?? undefined;
  }

  handle(m: Extract<ServerMessage, { type: `stream-${string}` }>): void {
    switch (m.type) {
      case 'stream-open': void this.#open(m); break;
      case 'stream-data': this.#write(m.sid, Buffer.from(m.data, 'base64')); break;
      case 'stream-resize': void this.#resize(m.sid, m.width, m.height); break;
      case 'stream-close': this.#end(m.sid, false); break;
    }
  }

  /** Ends every session without telling the server (its side of the channel is already gone). */
  closeAll(): void {
    for (const sid of [...this.#sessions.keys()]) this.#end(sid, false);
  }

  async #open(m: OpenMessage): Promise<void> {
    if (this.#sessions.has(m.sid)) return;
    const s: Session = { kind: m.kind, containerId: null, execId: null, engine: null, abort: new AbortController(), pending: [], closed: false, raw: m.params.raw === true };
    this.#sessions.set(m.sid, s);
    const extra = extraKinds[m.kind];
    if (extra) return this.#openExtra(m, s, extra);
    try {
      const state = await this.#engine.inspect(engineName(m.uuid));
      if (!state) throw Object.assign(new Error(`container ${m.uuid} has no engine container`), { status: 404 });
      s.containerId = state.id;
      if (s.raw) return await this.#openRaw(m, s, state.id);
      let tty = state.tty;
      if (m.kind === 'exec') {
        const cmd = m.params.command;
        if (!Array.isArray(cmd) || cmd.length === 0 || !cmd.every((x) => typeof x === 'string')) {
          throw new Error('command must be a non-empty list of strings');
        }
        tty = m.params.tty === true;
        const { execId, stream } = await this.#engine.execInteractive(state.id, { cmd, tty });
        s.execId = execId;
        s.engine = stream;
      } else {
        s.engine = await this.#engine.attach(state.id);
      }
      if (s.closed) {
        s.engine.destroy();
        return;
      }
      this.#relay(m.sid, s, s.engine, tty);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.#log.warn({ sid: m.sid, kind: m.kind, uuid: m.uuid, err: message }, 'cannot open stream');
      // A Docker client is told why (Docker's status and words); the Zun API's sessions just end.
      const status = typeof (e as { status?: unknown }).status === 'number' ? (e as { status: number }).status : 500;
      this.#end(m.sid, true, undefined, s.raw ? { status, message } : undefined);
    }
  }

  /** A follow-mode stream (stream-kinds.ts): its bytes are relayed unchanged, its exit code sent at the end. */
  async #openExtra(m: OpenMessage, s: Session, open: NonNullable<(typeof extraKinds)[StreamKind]>): Promise<void> {
    try {
      const opened = await open({ engine: this.#engine, uuid: m.uuid, params: m.params, log: this.#log, signal: s.abort.signal, server: this.#server });
      const stream = opened.stream;
      if (s.closed) {
        stream.destroy();
        return;
      }
      if ('write' in stream) s.engine = stream;
      let ended = false;
      const finish = () => {
        if (ended) return;
        ended = true;
        void (opened.exitCode?.() ?? Promise.resolve(undefined)).catch(() => undefined).then((code) => this.#end(m.sid, true, code ?? undefined));
      };
      stream.on('data', (chunk: Buffer) => {
        if (!s.closed) this.#send({ type: 'stream-data', sid: m.sid, data: Buffer.from(chunk).toString('base64') });
      });
      stream.on('end', finish);
      stream.on('close', finish);
      stream.on('error', (e) => {
        this.#log.debug({ sid: m.sid, err: e.message }, 'engine stream error');
        finish();
      });
      if (s.engine) for (const b of s.pending) s.engine.write(b);
      s.pending = [];
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.#log.warn({ sid: m.sid, kind: m.kind, uuid: m.uuid, err: message }, 'cannot open stream');
      const status = typeof (e as { status?: unknown }).status === 'number' ? (e as { status: number }).status : 500;
      this.#end(m.sid, true, undefined, { status, message });
    }
  }

  /** A Docker client's exec or attach: options as Docker has them, bytes unchanged, the exec's exit code at the end. */
  async #openRaw(m: OpenMessage, s: Session, containerId: string): Promise<void> {
    if (m.kind === 'exec') {
      const { execId, stream } = await openExecSession(this.#engine.api, containerId, rawExecOptions(m.params));
      s.execId = execId;
      s.engine = stream;
    } else {
      s.engine = await openAttachSession(this.#engine.api, containerId, rawAttachOptions(m.params));
    }
    if (s.closed) {
      s.engine.destroy();
      return;
    }
    const engine = s.engine;
    this.#send({ type: 'stream-data', sid: m.sid, data: '' });
    let ended = false;
    const finish = () => {
      if (ended) return;
      ended = true;
      const execId = s.execId;
      if (!execId) return this.#end(m.sid, true);
      void execExitCode(this.#engine.api, execId, s.abort.signal)
        .catch(() => undefined)
        .then((code) => this.#end(m.sid, true, code));
    };
    engine.on('data', (chunk: Buffer) => {
      if (!s.closed && chunk.length > 0) this.#send({ type: 'stream-data', sid: m.sid, data: chunk.toString('base64') });
    });
    engine.on('end', finish);
    engine.on('close', finish);
    engine.on('error', (e) => {
      this.#log.debug({ sid: m.sid, err: e.message }, 'engine stream error');
      finish();
    });
    for (const b of s.pending) this.#input(engine, s, b);
    s.pending = [];
  }

  /** Input for the engine; in a raw session an empty chunk is the end of the input. */
  #input(engine: Duplex, s: Session, data: Buffer): void {
    if (engine.writableEnded) return;
    if (s.raw && data.length === 0) engine.end();
    else engine.write(data);
  }

  #relay(sid: string, s: Session, engine: Duplex, tty: boolean): void {
    const frames = tty ? null : new FrameDecoder();
    engine.on('data', (chunk: Buffer) => {
      const out = frames ? Buffer.concat(frames.push(chunk).map((f) => f.data)) : chunk;
      if (out.length > 0) this.#send({ type: 'stream-data', sid, data: out.toString('base64') });
    });
    engine.on('end', () => this.#end(sid, true));
    engine.on('close', () => this.#end(sid, true));
    engine.on('error', (e) => {
      this.#log.debug({ sid, err: e.message }, 'engine stream error');
      this.#end(sid, true);
    });
    for (const b of s.pending) engine.write(b);
    s.pending = [];
  }

  #write(sid: string, data: Buffer): void {
    const s = this.#sessions.get(sid);
    if (!s || s.closed) return;
    if (s.engine) this.#input(s.engine, s, data);
    else s.pending.push(data);
  }

  async #resize(sid: string, width: number, height: number): Promise<void> {
    const s = this.#sessions.get(sid);
    if (!s || s.closed) return;
    try {
      if (s.kind === 'exec' && s.execId) await this.#engine.resizeExec(s.execId, height, width);
      else if (s.kind === 'attach' && s.containerId) await this.#engine.resize(s.containerId, height, width);
    } catch (e) {
      this.#log.debug({ sid, err: e instanceof Error ? e.message : String(e) }, 'resize failed');
    }
  }

  /**
   * Ends a session once. `tell`: the end came from this side, so the server is told (with a raw exec's
   * exit code; the plain sessions of the Zun API carry none).
   */
  #end(sid: string, tell: boolean, exitCode?: number, error?: { status: number; message: string }): void {
    const s = this.#sessions.get(sid);
    if (!s || s.closed) return;
    s.closed = true;
    this.#sessions.delete(sid);
    s.abort.abort();
    s.engine?.destroy();
    if (tell) this.#send({ type: 'stream-close', sid, ...(exitCode === undefined ? {} : { exitCode }), ...(error ? { error } : {}) });
  }
}
