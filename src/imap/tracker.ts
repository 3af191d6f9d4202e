/**
 * MailboxTracker routes the store's change notifications to the sessions that have the changed mailbox
 * selected, as go-imap's imapserver/tracker.go does: the server registers one store listener, and each
 * change is looked up once by (account, mailbox) instead of being filtered by every connection. A routed
 * change only marks the session's ChangeSignal (which wakes IDLE); the session's next sync reads the change
 * feed. No session asks for changes of mailboxes it has not selected (there is no NOTIFY), so the tracker
 * keeps selected mailboxes only.
 *
 * A change of unknown origin (another process wrote the SQLite file: the store only knows that something
 * was committed) is narrowed with `probe` (the store's HIGHESTMODSEQ read): one read per selected mailbox,
 * and only the sessions of a mailbox whose HIGHESTMODSEQ moved are marked (and those that selected it since
 * the last read, whose views may be older than that read). Every change a session reports
 * (new, expunged or changed messages) raises it, and a marked session would itself find nothing newer
 * than its view otherwise; so at 10,000 idle sessions a commit elsewhere costs one read per mailbox instead
 * of waking every session to read the same row.
 */
import type { ChangeSignal } from './change-signal.js';

/** ModseqProbe reads a mailbox's HIGHESTMODSEQ (Store.highestModseq): null when the mailbox is gone. */
export type ModseqProbe = (accountId: number, mailboxId: number) => Promise<number | null>;

/** MailboxTracker: see the module doc. Not tied to a store: the server feeds it with changed(). */
export class MailboxTracker {
  /** account id -> mailbox id -> the signals of the sessions that have that mailbox selected. */
  private readonly byAccount = new Map<number, Map<number, Set<ChangeSignal>>>();
  /** "account/mailbox" -> the HIGHESTMODSEQ the last sweep read, after which its sessions were marked or were up to date. */
  private readonly probed = new Map<string, number>();
  /** "account/mailbox" -> the sessions tracked since the last sweep read it: their views may be older than that read. */
  private readonly fresh = new Map<string, Set<ChangeSignal>>();
  /** The sweep under way of a change of unknown origin, and whether another is wanted after it. */
  private sweeping: Promise<void> | null = null;
  private again = false;

  /** @param probe narrows changes of unknown origin (see the module doc); without it they mark every tracked session. */
  constructor(private readonly probe?: ModseqProbe) {}

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
    // The new session's view may be older than what the last sweep read: the next sweep marks it whatever it reads.
    const key = `${accountId}/${mailboxId}`;
    let fresh = this.fresh.get(key);
    if (!fresh) this.fresh.set(key, (fresh = new Set()));
    fresh.add(signal);
    return () => this.untrack(accountId, mailboxId, signal);
  }

  /**
   * changed marks every session that may need to hear of a committed change (the store's ChangeListener):
   * those with (accountId, mailboxId) selected; with mailboxId null, those with any mailbox of the account
   * selected; with accountId null (a change of unknown origin, e.g. another process), every tracked session
   * whose mailbox's HIGHESTMODSEQ moved (all of them without a probe), once the probe has answered.
   */
  changed(accountId: number | null, mailboxId: number | null): void {
    if (accountId === null) {
      if (!this.probe) {
        for (const mailboxes of this.byAccount.values()) markAll(mailboxes);
        return;
      }
      if (this.sweeping) {
        this.again = true;
        return;
      }
      this.sweeping = this.sweep(this.probe).finally(() => {
        this.sweeping = null;
        if (this.again) {
          this.again = false;
          this.changed(null, null);
        }
      });
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

  /** idle resolves once no sweep of a change of unknown origin is under way (tests). */
  async idle(): Promise<void> {
    while (this.sweeping) await this.sweeping;
  }

  /** sweep reads the HIGHESTMODSEQ of every tracked mailbox and marks the sessions of those whose value moved (or cannot be read). */
  private async sweep(probe: ModseqProbe): Promise<void> {
    const tracked: Array<[number, number]> = [];
    for (const [accountId, mailboxes] of this.byAccount) for (const mailboxId of mailboxes.keys()) tracked.push([accountId, mailboxId]);
    for (const [accountId, mailboxId] of tracked) {
      const key = `${accountId}/${mailboxId}`;
      let highest: number | null;
      try {
        highest = await probe(accountId, mailboxId);
      } catch {
        highest = null;
      }
      const fresh = this.fresh.get(key);
      this.fresh.delete(key);
      if (highest !== null && this.probed.get(key) === highest) {
        if (fresh) for (const signal of fresh) signal.mark();
        continue;
      }
      if (highest === null) this.probed.delete(key);
      else this.probed.set(key, highest);
      const signals = this.byAccount.get(accountId)?.get(mailboxId);
      if (signals) for (const signal of signals) signal.mark();
    }
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
    this.fresh.get(`${accountId}/${mailboxId}`)?.delete(signal);
    if (signals.size > 0) return;
    mailboxes.delete(mailboxId);
    this.probed.delete(`${accountId}/${mailboxId}`);
    this.fresh.delete(`${accountId}/${mailboxId}`);
    if (mailboxes.size === 0) this.byAccount.delete(accountId);
  }
}

function markAll(mailboxes: Map<number, Set<ChangeSignal>>): void {
  for (const signals of mailboxes.values()) for (const signal of signals) signal.mark();
}
