/**
 * \Recent for IMAP4rev1 sessions (RFC 3501 sections 2.3.2, 6.3.1, 6.3.2 and 7.3.2). A message is recent in
 * exactly one session: the first to select its mailbox read-write, or to learn of it while it has the mailbox
 * selected read-write, after it arrived. That session claims it in the store (Store.claimRecent), which
 * hands out each UID once, across processes and nodes. EXAMINE shows as recent what no session has claimed
 * yet and claims nothing. IMAP4rev2 removed \Recent (RFC 9051 appendix E): a session that enabled it claims
 * nothing and sees no \Recent.
 */

/** RecentUids is the set of UIDs recent in one session: the ranges it was given, ascending and disjoint. */
export class RecentUids {
  /** [lo, hi) pairs: UIDs lo to hi - 1. Claims arrive in ascending order, so this stays one or a few ranges. */
  private readonly ranges: Array<[number, number]> = [];

  /** add makes UIDs `lo` to `hi` - 1 recent; nothing when lo >= hi. Ranges must come in ascending order. */
  add(lo: number, hi: number): void {
    if (lo >= hi) return;
    const last = this.ranges[this.ranges.length - 1];
    if (last && lo <= last[1]) last[1] = Math.max(last[1], hi);
    else this.ranges.push([lo, hi]);
  }

  /** has tells whether `uid` is recent in this session. */
  has(uid: number): boolean {
    for (let i = this.ranges.length - 1; i >= 0; i--) {
      const [lo, hi] = this.ranges[i]!;
      if (uid >= hi) return false;
      if (uid >= lo) return true;
    }
    return false;
  }

  /** countIn returns how many of `uids` (ascending, as SelectedMailbox.uids) are recent: the RECENT response's number. */
  countIn(uids: readonly number[]): number {
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
