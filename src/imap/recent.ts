/**
 * \Recent for IMAP4rev1 sessions (RFC 3501 sections 2.3.2, 6.3.1, 6.3.2 and 7.3.2). A message is recent in
 * exactly one session: the first to select its mailbox read-write, or to learn of it while it has the mailbox
 * selected read-write, after it arrived. That session claims it in the store (Store.claimRecent), which
 * hands out each UID once, across processes and nodes. EXAMINE shows as recent what no session has claimed
 * yet and claims nothing. IMAP4rev2 removed \Recent (RFC 9051 appendix E): a session that enabled it claims
 * nothing and sees no \Recent.
 */

/**
 * RecentUids is the set of UIDs recent in one session: the ranges it was given, ascending and disjoint. A
 * session that claims new messages while other sessions claim some too gets a range per claim, so lookups
 * are binary searches, and countIn forgets the ranges below the view's lowest UID (expunged: UIDs are never
 * given again), which keeps them to about as many as the mailbox has messages.
 */
export class RecentUids {
  /** [lo, hi) pairs: UIDs lo to hi - 1, ascending. Claims arrive in ascending order. */
  private readonly ranges: Array<[number, number]> = [];

  /** add makes UIDs `lo` to `hi` - 1 recent; nothing when lo >= hi. Ranges must come in ascending order. */
  add(lo: number, hi: number): void {
    if (lo >= hi) return;
    const last = this.ranges[this.ranges.length - 1];
    if (last && lo <= last[1]) last[1] = Math.max(last[1], hi);
    else this.ranges.push([lo, hi]);
  }

  /** has tells whether `uid` is recent in this session. O(log ranges). */
  has(uid: number): boolean {
    // The last range that starts at or below uid holds it, if any does.
    let lo = 0;
    let hi = this.ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ranges[mid]![0] <= uid) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && uid < this.ranges[lo - 1]![1];
  }

  /**
   * countIn returns how many of `uids` (ascending: the view's, SelectedMailbox.uids) are recent, the RECENT
   * response's number, and forgets the ranges wholly below uids[0].
   */
  countIn(uids: readonly number[]): number {
    if (uids.length === 0) return 0;
    let below = 0;
    while (below < this.ranges.length && this.ranges[below]![1] <= uids[0]!) below++;
    if (below > 0) this.ranges.splice(0, below);
    let n = 0;
    for (const [lo, hi] of this.ranges) n += lowerBound(uids, hi) - lowerBound(uids, lo);
    return n;
  }
}

/** The index of the first element of ascending `a` that is >= `x` (a.length when none is). */
function lowerBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The flag list of a recent message, one per stored flag list, so per-list caches (FETCH's FLAGS bytes) keep working. */
const WITH_RECENT = new WeakMap<readonly string[], readonly string[]>();

/** withRecent returns `flags` followed by \Recent (RFC 3501 section 2.3.2), the same array for the same list. */
export function withRecent(flags: readonly string[]): readonly string[] {
  let out = WITH_RECENT.get(flags);
  if (out === undefined) {
    out = Object.freeze([...flags, '\\Recent']);
    WITH_RECENT.set(flags, out);
  }
  return out;
}
