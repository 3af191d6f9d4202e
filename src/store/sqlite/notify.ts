/**
 * Change notifications: in-process after each commit, and from other processes writing the same file
 * (e.g. `letterbox import` while the server runs) by polling PRAGMA data_version.
 */
import type { Logger } from 'pino';
import type { ChangeListener } from '../types.js';

/** POLL_INTERVAL_MS is how often another process's commits are looked for while anyone listens (ms). */
export const POLL_INTERVAL_MS = 250;

/**
 * Notifier keeps the change listeners. emit() calls them at once, so every session has been told of a
 * commit before the session that made it is answered (a listener only marks its session and wakes it;
 * it must not block or write). While at least one listener is registered, an unref'd timer polls
 * `dataVersion` and calls every listener with (null, null) when another connection has committed.
 */
export class Notifier {
  private readonly listeners = new Set<ChangeListener>();
  private timer: NodeJS.Timeout | null = null;
  private lastVersion = 0;
  private closed = false;

  constructor(
    private readonly dataVersion: () => number,
    private readonly log?: Logger,
    private readonly intervalMs = POLL_INTERVAL_MS,
  ) {}

  /** add registers a listener and returns the function that removes it. */
  add(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    if (!this.timer && !this.closed) {
      this.lastVersion = this.dataVersion();
      this.timer = setInterval(() => this.poll(), this.intervalMs);
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /**
   * emit tells every listener now that (accountId, mailboxId) changed; the store calls it after the commit
   * and before the writer's promise settles, so the change reaches IDLE before the writer is answered.
   */
  emit(accountId: number | null, mailboxId: number | null): void {
    this.call(accountId, mailboxId);
  }

  /** close stops polling and drops every listener. */
  close(): void {
    this.closed = true;
    this.stop();
    this.listeners.clear();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private poll(): void {
    try {
      const v = this.dataVersion();
      if (v === this.lastVersion) return;
      this.lastVersion = v;
    } catch (err) {
      this.log?.error({ err }, 'polling the database for changes failed');
      return;
    }
    this.call(null, null);
  }

  private call(accountId: number | null, mailboxId: number | null): void {
    if (this.closed) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(accountId, mailboxId);
      } catch (err) {
        this.log?.error({ err }, 'change listener threw');
      }
    }
  }
}
