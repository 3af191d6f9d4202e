/**
 * The change and control listeners of one process, which both backends' notification transports
 * (sqlite/notify.ts, postgres/notify.ts) deliver to: calling each listener so that one that throws is
 * logged and never stops the others, and nothing once closed.
 */
import type { Logger } from 'pino';
import type { ChangeListener, ControlListener, ControlMessage } from './types.js';

/** Listeners keeps the change and control listeners; a transport extends it with how notifications arrive. */
export class Listeners {
  protected readonly listeners = new Set<ChangeListener>();
  protected readonly controlListeners = new Set<ControlListener>();
  protected closed = false;

  constructor(protected readonly log?: Logger) {}

  /** call tells every change listener now that (accountId, mailboxId) changed (null: unknown, see ChangeListener). */
  protected call(accountId: number | null, mailboxId: number | null): void {
    if (this.closed) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(accountId, mailboxId);
      } catch (err) {
        this.log?.error({ err }, 'change listener threw');
      }
    }
  }

  /** callControl gives each of `messages`, in order, to every control listener. */
  protected callControl(messages: readonly ControlMessage[]): void {
    if (this.closed) return;
    for (const m of messages) {
      for (const listener of [...this.controlListeners]) {
        try {
          listener(m);
        } catch (err) {
          this.log?.error({ err }, 'control listener threw');
        }
      }
    }
  }
}
