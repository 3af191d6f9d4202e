/**
 * Change notifications: in-process after each commit, and from other processes writing the same file
 * (e.g. `letterbox import` while the server runs) by polling PRAGMA data_version. Control messages
 * (Store.sendControl, e.g. `letterbox user delete` ending the user's sessions) come the same two ways:
 * in-process at once, from another process as rows of session_control read when data_version moves.
 */
import type { Logger } from 'pino';
import { Listeners } from '../listeners.js';
import type { StoredControl } from '../mail/control.js';
import type { ChangeListener, ChangePeers, ControlListener, ControlMessage } from '../types.js';

/** POLL_INTERVAL_MS is how often another process's commits are looked for while anyone listens (ms). */
export const POLL_INTERVAL_MS = 250;

/**
 * Notifier keeps the change listeners. emit() calls them at once, so every session has been told of a
 * commit before the session that made it is answered (a listener only marks its session and wakes it;
 * it must not block or write), and passes each change on to the sibling processes (`peers`, the workers of
 * one server), whose changes come back the same way. While at least one listener is registered, an unref'd timer polls
 * `dataVersion` and calls every listener with (null, null) when another connection has committed.
 */
export class Notifier extends Listeners {
  private timer: NodeJS.Timeout | null = null;
  private lastVersion = 0;
  private lastControl = 0;
  /** Ids of the control messages this process sent and gave its listeners already, skipped when the poll reads them. */
  private readonly sent = new Set<number>();

  /**
   * @param dataVersion PRAGMA data_version
   * @param control reads session_control: the highest id (0 for none), and the messages above an id
   */
  constructor(
    private readonly dataVersion: () => number,
    private readonly control: { last(): number; after(afterId: number): StoredControl[] },
    log?: Logger,
    private readonly intervalMs = POLL_INTERVAL_MS,
    private readonly peers?: ChangePeers,
  ) {
    super(log);
    peers?.subscribe((accountId, mailboxId) => this.call(accountId, mailboxId));
  }

  /** add registers a listener and returns the function that removes it. */
  add(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    this.start();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.controlListeners.size === 0) this.stop();
    };
  }

  /** addControl registers a control listener (messages sent after this call) and returns the function that removes it. */
  addControl(listener: ControlListener): () => void {
    if (this.controlListeners.size === 0) {
      this.lastControl = this.control.last();
      this.sent.clear();
    }
    this.controlListeners.add(listener);
    this.start();
    return () => {
      this.controlListeners.delete(listener);
      if (this.listeners.size === 0 && this.controlListeners.size === 0) this.stop();
    };
  }

  /** emitControl gives `message`, sent by this process as row `id`, to this process's control listeners on a later turn. */
  emitControl(message: ControlMessage, id: number): void {
    if (this.controlListeners.size === 0) return;
    this.sent.add(id);
    setImmediate(() => this.callControl([message]));
  }

  private start(): void {
    if (this.timer || this.closed) return;
    this.lastVersion = this.dataVersion();
    this.timer = setInterval(() => this.poll(), this.intervalMs);
    this.timer.unref();
  }

  /**
   * emit tells every listener now that (accountId, mailboxId) changed; the store calls it after the commit
   * and before the writer's promise settles, so the change reaches IDLE before the writer is answered.
   */
  emit(accountId: number, mailboxId: number | null): void {
    this.call(accountId, mailboxId);
    if (!this.closed) this.peers?.publish(accountId, mailboxId);
  }

  /** close stops polling and drops every listener. */
  close(): void {
    this.closed = true;
    this.stop();
    this.listeners.clear();
    this.controlListeners.clear();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private poll(): void {
    let control: ControlMessage[] = [];
    try {
      const v = this.dataVersion();
      if (v === this.lastVersion) return;
      this.lastVersion = v;
      if (this.controlListeners.size > 0) {
        for (const row of this.control.after(this.lastControl)) {
          this.lastControl = row.id;
          if (!this.sent.delete(row.id)) control.push(row.message);
        }
      }
    } catch (err) {
      this.log?.error({ err }, 'polling the database for changes failed');
      return;
    }
    this.call(null, null);
    if (control.length > 0) this.callControl(control);
  }
}
