/**
 * The dates and sizes SORT by ARRIVAL, DATE and SIZE orders by (RFC 5256 section 3), kept in memory per
 * large mailbox so a SORT of 100,000 messages reads no rows. They never change for a given UID under a given
 * UIDVALIDITY, so the cache needs no invalidation: each read brings it up to the mailbox's current
 * HIGHESTMODSEQ by reading the UIDs expunged since (the `expunged` table, as QRESYNC does) and the messages
 * added since (UIDs from the cached UIDNEXT on). The Store facade (mail/store.ts) keeps one for either backend.
 */
import { LISTING_CACHE_MAILBOXES, LISTING_CACHE_MIN_MESSAGES } from '../limits.js';

/**
 * SortDates: messages of one mailbox, ascending UID, as parallel arrays. `arrival` is the internal date
 * (ms since epoch); `date` the sent date (ms since epoch; RFC 5256 section 2.2: the Date header as
 * mime/sent-date.ts parses it, the internal date where it is missing or cannot be parsed); `size` is
 * RFC822.SIZE in octets.
 */
export interface SortDates {
  readonly uids: readonly number[];
  readonly arrival: readonly number[];
  readonly date: readonly number[];
  readonly size: readonly number[];
}

/** Columns: SortDates being built. */
interface Columns {
  uids: number[];
  arrival: number[];
  date: number[];
  size: number[];
}

/** MailboxState: what a read of the mailbox row says (UIDVALIDITY, HIGHESTMODSEQ, UIDNEXT). */
export interface MailboxState {
  uidValidity: number;
  highestModseq: number;
  uidNext: number;
}

/** SortDateRow: one message as a backend reads it: [uid, internal date ms, size octets, sent date ms or null]. */
export type SortDateRow = [number, number, number, number | null];

/**
 * SortDateSource: the reads the cache needs from a backend. Each throws StoreError NONEXISTENT when the
 * mailbox does not exist.
 */
export interface SortDateSource {
  /** The mailbox row as it is now. */
  mailbox(accountId: number, mailboxId: number): Promise<MailboxState>;
  /** UIDs expunged with modseq in (after, upTo], any order. */
  expunged(accountId: number, mailboxId: number, after: number, upTo: number): Promise<number[]>;
  /** Messages with from <= UID < below, ascending UID. */
  rows(accountId: number, mailboxId: number, from: number, below: number): Promise<SortDateRow[]>;
}

/** An entry's columns are never changed once stored: a refresh that finds messages added or expunged builds a new entry, so a reader holding one sees one state. */
interface Entry extends Columns, MailboxState {}

function addRows(e: Columns, rows: readonly SortDateRow[]): void {
  for (const [uid, internalDate, size, sentDate] of rows) {
    e.uids.push(uid);
    e.arrival.push(internalDate);
    e.date.push(sentDate ?? internalDate);
    e.size.push(size);
  }
}

/**
 * SortDateCache answers getSortDates for a store. Mailboxes of at least LISTING_CACHE_MIN_MESSAGES messages
 * are kept, the LISTING_CACHE_MAILBOXES most recently read (about 3 MiB per 100,000 messages); smaller ones
 * are read whole each time, which takes a few ms.
 */
export class SortDateCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly source: SortDateSource,
    private readonly maxMailboxes = LISTING_CACHE_MAILBOXES,
    private readonly minMessages = LISTING_CACHE_MIN_MESSAGES,
  ) {}

  /**
   * get returns the sort dates of every message in the mailbox now, ascending UID. While the mailbox does not
   * change, a large mailbox's answer is the same object each time (callers may memoise on it) and must not
   * be changed. Throws StoreError NONEXISTENT when the mailbox does not exist.
   */
  async get(accountId: number, mailboxId: number): Promise<SortDates> {
    const key = `${accountId}/${mailboxId}`;
    const mb = await this.source.mailbox(accountId, mailboxId);
    let e = this.entries.get(key);
    if (e === undefined || e.uidValidity !== mb.uidValidity || e.highestModseq > mb.highestModseq) {
      e = { ...mb, uids: [], arrival: [], date: [], size: [] };
      addRows(e, await this.source.rows(accountId, mailboxId, 1, mb.uidNext));
    } else if (e.highestModseq < mb.highestModseq) {
      e = await this.refresh(accountId, mailboxId, e, mb);
    }
    // Of two reads that refreshed at once, the one that saw the later state is kept; deleted and set again,
    // the entry becomes the most recently used.
    const other = this.entries.get(key);
    this.entries.delete(key);
    if (e.uids.length >= this.minMessages) {
      this.entries.set(key, other !== undefined && other.uidValidity === e.uidValidity && other.highestModseq > e.highestModseq ? other : e);
      if (this.entries.size > this.maxMailboxes) this.entries.delete(this.entries.keys().next().value!);
    }
    return e;
  }

  /** refresh builds `e` brought to `mb`: without the UIDs expunged since, with the messages added since. */
  private async refresh(accountId: number, mailboxId: number, e: Entry, mb: MailboxState): Promise<Entry> {
    const { highestModseq, uidNext } = e;
    const gone = new Set(await this.source.expunged(accountId, mailboxId, highestModseq, mb.highestModseq));
    const added = mb.uidNext > uidNext ? await this.source.rows(accountId, mailboxId, uidNext, mb.uidNext) : [];
    // Flags changed, nothing else: the same columns under the new HIGHESTMODSEQ (the old entry is dropped).
    if (gone.size === 0 && added.length === 0) return Object.assign(e, mb);
    const next: Entry = { ...mb, uids: [], arrival: [], date: [], size: [] };
    for (let i = 0; i < e.uids.length; i++) {
      if (gone.has(e.uids[i]!)) continue;
      next.uids.push(e.uids[i]!);
      next.arrival.push(e.arrival[i]!);
      next.date.push(e.date[i]!);
      next.size.push(e.size[i]!);
    }
    addRows(next, added);
    return next;
  }
}
