/**
 * MailboxTracker routes the store's change notifications to the sessions that have the changed mailbox
 * selected, as go-imap's imapserver/tracker.go does: the server registers one store listener, and each
 * change is looked up once by (account, mailbox) instead of being filtered by every connection. A routed
 * change only marks the session's ChangeSignal (which wakes IDLE); the session's next sync reads the change
 * feed. No session asks for changes of mailboxes it has not selected (there is no NOTIFY), so the tracker
 * keeps selected mailboxes only.
 */
import type { ChangeSignal } from './change-signal.js';

/** MailboxTracker: see the module doc. Not tied to a store: the server feeds it with changed(). */
export class MailboxTracker {
  /** account id -> mailbox id -> the signals of the sessions that have that mailbox selected. */
  private readonly byAccount = new Map<number, Map<number, Set<ChangeSignal>>>();

  /**
   * track records that the session with `signal` has (accountId, mailboxId) selected, until the returned
   * function is called (deselect, another SELECT, logout). Calling that function again does nothing.
   */
  track(accountId: number, mailboxId: number, signal: ChangeSignal): () => void {
    let mailboxes = this.byAccount.get(accountId);
    if (!mailboxes) this.byAccount.set(accountId, (mailboxes = new Map()));
    let signals = mailboxes.get(mailboxId);
    if (!signals) mailboxes.set(mailboxId, (signals = new Set()));
    signals.add(signal);
    return () => this.untrack(accountId, mailboxId, signal);
  }

  /**
   * changed marks every session that may need to hear of a committed change (the store's ChangeListener):
   * those with (accountId, mailboxId) selected; with mailboxId null, those with any mailbox of the account
   * selected; with accountId null (a change of unknown origin, e.g. another process), every tracked session.
   */
  changed(accountId: number | null, mailboxId: number | null): void {
    if (accountId === null) {
      for (const mailboxes of this.byAccount.values()) markAll(mailboxes);
      return;
    }
    const mailboxes = this.byAccount.get(accountId);
    if (!mailboxes) return;
    if (mailboxId === null) {
      markAll(mailboxes);
      return;
    }
    const signals = mailboxes.get(mailboxId);
    if (signals) for (const signal of signals) signal.mark();
  }

  /** sessionCount returns how many sessions have a mailbox selected (tests). */
  sessionCount(): number {
    let n = 0;
    for (const mailboxes of this.byAccount.values()) for (const signals of mailboxes.values()) n += signals.size;
    return n;
  }

  private untrack(accountId: number, mailboxId: number, signal: ChangeSignal): void {
    const mailboxes = this.byAccount.get(accountId);
    const signals = mailboxes?.get(mailboxId);
    if (!mailboxes || !signals?.delete(signal)) return;
    if (signals.size > 0) return;
    mailboxes.delete(mailboxId);
    if (mailboxes.size === 0) this.byAccount.delete(accountId);
  }
}

function markAll(mailboxes: Map<number, Set<ChangeSignal>>): void {
  for (const signals of mailboxes.values()) for (const signal of signals) signal.mark();
}
