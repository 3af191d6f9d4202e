/**
 * ChangeSignal is one session's note that its selected mailbox may have changed: set by the store's change
 * notifications (and by the session's own writes to that mailbox), taken by the next sync, and awaited by
 * IDLE. A notification only hastens a sync: every command reads the committed HIGHESTMODSEQ anyway
 * (sync.ts syncIfBehind), so a notification that comes late or never loses no update.
 */
export class ChangeSignal {
  private changed = true;
  private waiter: (() => void) | null = null;

  /** mark records a change and wakes a session waiting in wait(). */
  mark(): void {
    this.changed = true;
    this.wake();
  }

  /** wake ends a wait without recording a change (a client line arrived, the connection closed). */
  wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /** take returns whether a change was marked since the last take, and clears it. */
  take(): boolean {
    const changed = this.changed;
    this.changed = false;
    return changed;
  }

  /** wait resolves at the next mark or wake, or at once when `ready` (a change is marked and counts, or input waits). */
  async wait(ready: (changed: boolean) => boolean): Promise<void> {
    if (ready(this.changed)) return;
    await new Promise<void>((resolve) => (this.waiter = resolve));
  }
}
