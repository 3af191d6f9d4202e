/**
 * The listings (uid, modseq, flags of every message) of large mailboxes, kept for the next SELECT by both
 * backends. Every change to a mailbox's messages raises its HIGHESTMODSEQ in the same transaction, also
 * when another process (`letterbox import`) or another node writes, so a listing whose HIGHESTMODSEQ and
 * UIDVALIDITY match the mailbox row read now is the current one. The MessageMeta objects are shared:
 * nothing changes them (views replace them).
 */
import { LISTING_CACHE_MAILBOXES, LISTING_CACHE_MIN_MESSAGES } from '../limits.js';
import type { MailboxState } from './sort-dates.js';
import type { MessageMeta } from './types.js';

interface Listing {
  uidValidity: number;
  highestModseq: number;
  messages: readonly MessageMeta[];
}

/**
 * ListingCache keeps the listings of the LISTING_CACHE_MAILBOXES most recently listed mailboxes of at least
 * LISTING_CACHE_MIN_MESSAGES messages (about 5 MiB per 100,000 messages), by "account/mailbox".
 */
export class ListingCache {
  private readonly entries = new Map<string, Listing>();

  /** get returns the listing kept for the mailbox when it is as of `mb` (marking it most recently used), else undefined. */
  get(accountId: number, mailboxId: number, mb: Pick<MailboxState, 'uidValidity' | 'highestModseq'>): readonly MessageMeta[] | undefined {
    const key = `${accountId}/${mailboxId}`;
    const hit = this.entries.get(key);
    if (hit === undefined || hit.uidValidity !== mb.uidValidity || hit.highestModseq !== mb.highestModseq) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.messages;
  }

  /**
   * keep stores `messages`, read after the mailbox row `mb`, in place of what was kept for the mailbox, if
   * the mailbox is large. Rows written between reading the row and the messages make the listing newer than
   * mb's HIGHESTMODSEQ; it is then never used, since HIGHESTMODSEQ only grows. Of two reads at once, the one
   * that saw the later state is kept.
   */
  keep(accountId: number, mailboxId: number, mb: Pick<MailboxState, 'uidValidity' | 'highestModseq'>, messages: readonly MessageMeta[]): void {
    const key = `${accountId}/${mailboxId}`;
    const other = this.entries.get(key);
    if (other && other.uidValidity === mb.uidValidity && other.highestModseq > mb.highestModseq) return;
    this.entries.delete(key);
    if (messages.length < LISTING_CACHE_MIN_MESSAGES) return;
    this.entries.set(key, { uidValidity: mb.uidValidity, highestModseq: mb.highestModseq, messages });
    if (this.entries.size > LISTING_CACHE_MAILBOXES) this.entries.delete(this.entries.keys().next().value!);
  }
}

const caches = new WeakMap<object, ListingCache>();

/** listingCacheOf returns the ListingCache of a database connection (a Db of either backend), made on first use. */
export function listingCacheOf(db: object): ListingCache {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new ListingCache()));
  return cache;
}
