/**
 * SelectedMailbox is one session's view of its selected mailbox (RFC 9051 section 2.3.1.2): the map
 * between 1-based message sequence numbers and UIDs, the flags the session has been told about, and the
 * modseq up to which it has seen the change feed. Other sessions' changes reach it only through
 * Session.sync(), at the moments RFC 9051 section 7 allows, so sequence numbers never shift under a
 * command that is running.
 */
import { bad } from './errors.js';
import type { SequenceSet } from '../protocol/types.js';
import type { Mailbox, MessageMeta } from '../store/types.js';
import { RecentUids, withRecent } from './recent.js';

/** The UIDs of a listing, for views built from the same (shared, unchanged) listing. */
const uidsOf = new WeakMap<readonly MessageMeta[], number[]>();

/**
 * FlagSummary: what SELECT reports of a mailbox's flags (RFC 9051 section 7.3, 7.1): the keywords in use
 * (first spelling of each, case-insensitively), and the sequence number of the first message without
 * \Seen (0 when every message has it).
 */
export interface FlagSummary {
  keywords: string[];
  firstUnseen: number;
}

/** The FlagSummary of a message list, for views built from the same (shared, unchanged) listing. */
const summaryOf = new WeakMap<readonly MessageMeta[], FlagSummary>();

export class SelectedMailbox {
  /** UIDs in ascending order; index i is sequence number i + 1. */
  private uidList: number[];
  /**
   * metaList[i] is the state of the message at sequence number i + 1: an array beside uidList rather than a
   * Map keyed by UID, so SELECT of a large mailbox builds no hash table (lookups by UID binary-search uidList).
   */
  private metaList: MessageMeta[];
  /** False while uidList and metaList may be shared with other views (copied before the first change). */
  private owned = false;
  /** UIDs expunged by another session and not yet announced with EXPUNGE (still hold a sequence number). */
  readonly pendingExpunge = new Set<number>();
  /** Highest modseq of the change feed this view has applied. */
  knownModseq: number;
  /**
   * While expunges are pending: knownModseq from before the oldest of them was learned, so below its modseq.
   * Reported as HIGHESTMODSEQ while they wait (RFC 7162 section 3.2), else null.
   */
  pendingSince: number | null = null;
  /** The saved search result (RFC 5182 SEARCHRES "$"), as UIDs. */
  savedResult: number[] = [];
  /** The UIDs that are \Recent in this session (recent.ts); always empty after ENABLE IMAP4rev2. */
  readonly recent = new RecentUids();
  /** True when this session claims new messages as \Recent as it learns of them (read-write, IMAP4rev1; recent.ts). */
  claimsRecent = false;
  /**
   * The keywords the client has been told of in FLAGS (RFC 9051 section 7.3.5), lower-case to spelling: a
   * keyword new to the mailbox is announced with a new FLAGS response before any FETCH shows it.
   */
  private readonly announced = new Map<string, string>();

  /**
   * @param mailbox the mailbox row as of SELECT (its counters are not kept up to date; knownModseq is)
   * @param readOnly true for EXAMINE (or SELECT of a read-only mailbox)
   * @param messages every message, ascending UID (Store.listMessages); never changed: the view copies it
   *   before its first change, so a store may hand the same array to every session
   */
  constructor(
    public mailbox: Mailbox,
    readonly readOnly: boolean,
    messages: readonly MessageMeta[],
  ) {
    this.metaList = messages as MessageMeta[];
    let uids = uidsOf.get(messages);
    if (!uids) {
      uids = new Array<number>(messages.length);
      for (let i = 0; i < messages.length; i++) uids[i] = messages[i]!.uid;
      uidsOf.set(messages, uids);
    }
    this.uidList = uids;
    this.knownModseq = mailbox.highestModseq;
  }

  /** flagsOf returns the flags the client sees for `meta`: the stored ones, plus \Recent where it is recent in this session. */
  flagsOf(meta: MessageMeta): readonly string[] {
    return this.recent.has(meta.uid) ? withRecent(meta.flags) : meta.flags;
  }

  /** isRecent tells whether the message with this UID is \Recent in this session (SEARCH RECENT, NEW, OLD). */
  isRecent(uid: number): boolean {
    return this.recent.has(uid);
  }

  /**
   * announce records keywords the client is told of in a FLAGS response and returns those that were new
   * (first spelling of each, case-insensitively), in order.
   */
  announce(flags: Iterable<string>): string[] {
    const added: string[] = [];
    for (const f of flags) {
      if (f.startsWith('\\')) continue;
      const key = f.toLowerCase();
      if (this.announced.has(key)) continue;
      this.announced.set(key, f);
      added.push(f);
    }
    return added;
  }

  /** The keywords announced so far, in the order they were announced. */
  get keywords(): string[] {
    return [...this.announced.values()];
  }

  /** Number of messages as the client knows it (the last EXISTS). */
  get count(): number {
    return this.uidList.length;
  }

  /** All UIDs in sequence order (do not modify). */
  get uids(): readonly number[] {
    return this.uidList;
  }

  /** UID at a 1-based sequence number, or undefined. */
  uidAt(seq: number): number | undefined {
    return this.uidList[seq - 1];
  }

  /** 1-based sequence number of a UID, or 0 when the UID is not in the view. Binary search, O(log n). */
  seqOf(uid: number): number {
    let lo = 0;
    let hi = this.uidList.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.uidList[mid]!;
      if (v === uid) return mid + 1;
      if (v < uid) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }

  /** The 0-based index of the first UID >= `uid` in the view (the count when there is none). */
  private firstAtOrAbove(uid: number): number {
    let lo = 0;
    let hi = this.uidList.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.uidList[mid]! < uid) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * seqsOf returns the 1-based sequence number of each of `uids` (ascending) in one walk of the view,
   * 0 for a UID not in the view. O(n + m), where seqOf per UID would be O(m log n).
   */
  seqsOf(uids: readonly number[]): number[] {
    const out: number[] = new Array<number>(uids.length);
    let j = 0;
    for (let i = 0; i < uids.length; i++) {
      const uid = uids[i]!;
      while (j < this.uidList.length && this.uidList[j]! < uid) j++;
      out[i] = this.uidList[j] === uid ? j + 1 : 0;
    }
    return out;
  }

  /** The message state as the session knows it, or undefined. */
  get(uid: number): MessageMeta | undefined {
    const seq = this.seqOf(uid);
    return seq === 0 ? undefined : this.metaList[seq - 1];
  }

  /**
   * flagSummary returns the keywords in use and the first message without \Seen, computed once per listing:
   * views of an unchanged mailbox share theirs, so SELECT of a large mailbox reads no message again.
   */
  flagSummary(): FlagSummary {
    // Only a shared listing is never changed; a view's own copy changes in place, so it is not memoised.
    let summary = this.owned ? undefined : summaryOf.get(this.metaList);
    if (summary === undefined) {
      const keywords = new Map<string, string>();
      let firstUnseen = 0;
      // Most messages share one flag list (the store's decoded lists are shared), so each list is read once.
      let last: readonly string[] | null = null;
      let lastSeen = false;
      for (let i = 0; i < this.metaList.length; i++) {
        const flags = this.metaList[i]!.flags;
        if (flags !== last) {
          last = flags;
          lastSeen = false;
          for (const f of flags) {
            if (f.startsWith('\\')) {
              if (f === '\\Seen') lastSeen = true;
            } else if (!keywords.has(f.toLowerCase())) keywords.set(f.toLowerCase(), f);
          }
        }
        if (!lastSeen && firstUnseen === 0) firstUnseen = i + 1;
      }
      summary = { keywords: [...keywords.values()], firstUnseen };
      if (!this.owned) summaryOf.set(this.metaList, summary);
    }
    return summary;
  }

  /** The message state at a 1-based sequence number, or undefined. */
  metaAt(seq: number): MessageMeta | undefined {
    return this.metaList[seq - 1];
  }

  /** Records a message's new flags/modseq (after STORE or a change from the feed). */
  update(m: MessageMeta): void {
    const seq = this.seqOf(m.uid);
    if (seq === 0) return;
    this.own();
    this.metaList[seq - 1] = m;
  }

  /** Makes the view's arrays its own before it changes them. */
  private own(): void {
    if (this.owned) return;
    this.uidList = this.uidList.slice();
    this.metaList = this.metaList.slice();
    this.owned = true;
  }

  /** Appends a new message at the end (EXISTS). UIDs must arrive ascending. */
  add(m: MessageMeta): void {
    const last = this.uidList[this.uidList.length - 1];
    if (last !== undefined && m.uid <= last) return;
    this.own();
    this.uidList.push(m.uid);
    this.metaList.push(m);
  }

  /** Removes a message; returns its former 1-based sequence number (for the EXPUNGE response), or 0. */
  remove(uid: number): number {
    const seq = this.seqOf(uid);
    if (seq === 0) return 0;
    this.own();
    this.uidList.splice(seq - 1, 1);
    this.metaList.splice(seq - 1, 1);
    this.pendingExpunge.delete(uid);
    return seq;
  }

  /**
   * Resolves a sequence set to the UIDs it names that are in the view, ascending, without duplicates.
   * By sequence number (byUid false): "*" is the last message; a number beyond the count is a client
   * error (BAD, RFC 9051 section 9 seq-number). By UID: "*" is the highest UID (or none in an empty
   * mailbox) and UIDs not present are ignored (RFC 9051 section 6.4.9).
   * "$" is the saved search result (RFC 5182).
   */
  resolve(set: SequenceSet, byUid: boolean): number[] {
    if (set.kind === 'saved') return this.savedResult.filter((u) => this.seqOf(u) !== 0);
    const n = this.uidList.length;
    if (!byUid && set.ranges.length === 1) {
      // One range (1:*, 99901:100000): a slice, without a set of every sequence number.
      if (n === 0) throw bad('Invalid message sequence number: the mailbox is empty');
      const r = set.ranges[0]!;
      let a = r.start ?? n;
      let b = r.end ?? n;
      if (a > b) [a, b] = [b, a];
      if (a < 1 || b > n) throw bad(`Invalid message sequence number: ${b > n ? b : a} (the mailbox has ${n})`);
      return this.uidList.slice(a - 1, b);
    }
    if (!byUid) {
      const seqs = new Set<number>();
      for (const r of set.ranges) {
        if (n === 0) throw bad('Invalid message sequence number: the mailbox is empty');
        let a = r.start ?? n;
        let b = r.end ?? n;
        if (a > b) [a, b] = [b, a];
        if (a < 1 || b > n) throw bad(`Invalid message sequence number: ${b > n ? b : a} (the mailbox has ${n})`);
        for (let s = a; s <= b; s++) seqs.add(s);
      }
      return [...seqs].sort((x, y) => x - y).map((s) => this.uidList[s - 1]!);
    }
    if (n === 0) return [];
    const maxUid = this.uidList[n - 1]!;
    if (set.ranges.length === 1) {
      // One range (1:*): the slice between its ends, found by binary search.
      const r = set.ranges[0]!;
      let a = r.start ?? maxUid;
      let b = r.end ?? maxUid;
      if (a > b) [a, b] = [b, a];
      return this.uidList.slice(this.firstAtOrAbove(a), this.firstAtOrAbove(b + 1));
    }
    const out: number[] = [];
    const ranges = set.ranges.map((r) => {
      let a = r.start ?? maxUid;
      let b = r.end ?? maxUid;
      if (a > b) [a, b] = [b, a];
      return [a, b] as const;
    });
    for (const uid of this.uidList) {
      for (const [a, b] of ranges) {
        if (uid >= a && uid <= b) {
          out.push(uid);
          break;
        }
      }
    }
    return out;
  }
}
