/**
 * Maildrop is one POP3 session's view of the account's INBOX (RFC 1939 sections 4 and 5): the messages
 * that were there at login, numbered 1..n in UID order for the whole session, with their sizes, and the
 * session's DELE marks. Mail that arrives later is left for the next session; a message another session
 * expunged keeps its number here and RETR/TOP then answer that it is gone. The marks are the session's
 * own: QUIT expunges the marked messages (UPDATE state), anything else forgets them.
 */
import type { Store } from '../store/types.js';
import { refuse } from './errors.js';

/** MaildropMessage is one message of the view: its number in this session, UID and size in octets (RFC822.SIZE, what RETR sends before byte-stuffing). */
export interface MaildropMessage {
  n: number;
  uid: number;
  size: number;
}

export class Maildrop {
  private readonly marked = new Set<number>();

  /**
   * @param mailboxId the INBOX's id
   * @param uidValidity the INBOX's UIDVALIDITY (part of each unique-id)
   * @param uids ascending UIDs; index i is message number i + 1 (never changed)
   * @param sizes sizes in octets, parallel to uids (never changed)
   */
  constructor(
    readonly mailboxId: number,
    readonly uidValidity: number,
    private readonly uids: readonly number[],
    private readonly sizes: readonly number[],
  ) {}

  /**
   * load reads the account's INBOX as it is now: its UIDs and sizes (Store.getSortDates, which keeps them
   * in memory for large mailboxes). Throws Pop3Error SYS/PERM when the account has no INBOX; store errors
   * propagate.
   */
  static async load(store: Store, accountId: number): Promise<Maildrop> {
    const inbox = await store.getMailbox(accountId, 'INBOX');
    if (!inbox) throw refuse('The INBOX of this account is missing.', 'SYS/PERM');
    const columns = await store.getSortDates(accountId, inbox.id);
    return new Maildrop(inbox.id, inbox.uidValidity, columns.uids, columns.size);
  }

  /** stat is what STAT reports: the messages not marked deleted and their total size in octets. */
  stat(): { count: number; octets: number } {
    let count = 0;
    let octets = 0;
    for (let i = 0; i < this.uids.length; i++) {
      if (this.marked.has(i + 1)) continue;
      count++;
      octets += this.sizes[i]!;
    }
    return { count, octets };
  }

  /** messages lists the messages not marked deleted, by number. */
  messages(): MaildropMessage[] {
    const out: MaildropMessage[] = [];
    for (let i = 0; i < this.uids.length; i++) if (!this.marked.has(i + 1)) out.push({ n: i + 1, uid: this.uids[i]!, size: this.sizes[i]! });
    return out;
  }

  /** get returns message `n`. Throws Pop3Error when there is no such message or it is marked deleted (RFC 1939 section 5: it may not be referenced). */
  get(n: number): MaildropMessage {
    if (n < 1 || n > this.uids.length) {
      throw refuse(`There is no message ${n}; the maildrop has ${this.uids.length} message${this.uids.length === 1 ? '' : 's'}.`);
    }
    if (this.marked.has(n)) throw refuse(`Message ${n} is already deleted.`);
    return { n, uid: this.uids[n - 1]!, size: this.sizes[n - 1]! };
  }

  /** mark marks message `n` deleted (DELE). Throws as get does. */
  mark(n: number): void {
    this.get(n);
    this.marked.add(n);
  }

  /** reset unmarks every message (RSET). */
  reset(): void {
    this.marked.clear();
  }

  /** markedUids are the UIDs of the messages marked deleted, ascending (for the UPDATE state). */
  markedUids(): number[] {
    return [...this.marked].sort((a, b) => a - b).map((n) => this.uids[n - 1]!);
  }

  /** uniqueId is message `m`'s UIDL unique-id (uniqueId()). */
  uniqueId(m: MaildropMessage): string {
    return uniqueId(this.uidValidity, m.uid);
  }
}

/**
 * uniqueId is the UIDL unique-id of a message (RFC 1939 section 7): its UID then the mailbox's UIDVALIDITY,
 * each as 8 upper-case hex digits, which is Dovecot's default pop3_uidl_format `%08Xu%08Xv`. Stable across
 * sessions and ports, and never reused: UIDs are not reused within a UIDVALIDITY, and a re-created INBOX
 * gets a new UIDVALIDITY.
 */
export function uniqueId(uidValidity: number, uid: number): string {
  return hex8(uid) + hex8(uidValidity);
}

function hex8(n: number): string {
  return n.toString(16).toUpperCase().padStart(8, '0');
}

