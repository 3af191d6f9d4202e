/**
 * Session state of RFC 7162 (CONDSTORE and QRESYNC): whether the client has enabled them, and the
 * untagged responses whose form depends on that (MODSEQ in FETCH, VANISHED instead of EXPUNGE).
 */
import { formatSequenceSet } from '../protocol/encoder.js';
import type { SequenceSet } from '../protocol/types.js';
import type { SelectedMailbox } from './selected.js';
import type { Session } from './session.js';

/** condstoreOn tells whether a CONDSTORE enabling command has been seen (RFC 7162 section 3.1); QRESYNC implies it (section 3.2.3). */
export function condstoreOn(s: Pick<Session, 'enabled'>): boolean {
  return s.enabled.has('CONDSTORE') || s.enabled.has('QRESYNC');
}

/** qresyncOn tells whether the client sent ENABLE QRESYNC (RFC 7162 section 3.2.3). */
export function qresyncOn(s: Pick<Session, 'enabled'>): boolean {
  return s.enabled.has('QRESYNC');
}

/**
 * enableCondstore records a CONDSTORE enabling command (RFC 7162 section 3.1: SELECT/EXAMINE (CONDSTORE),
 * STATUS HIGHESTMODSEQ, FETCH MODSEQ or CHANGEDSINCE, SEARCH MODSEQ, STORE UNCHANGEDSINCE, ENABLE CONDSTORE):
 * from then on every FETCH response carrying FLAGS also carries MODSEQ. The first one issued while a mailbox
 * is selected (`view`) is answered with `* OK [HIGHESTMODSEQ n]` for it (section 3.1: the client may not have kept
 * the one SELECT sent before it cared).
 */
export function enableCondstore(s: Pick<Session, 'enabled' | 'out'>, view: SelectedMailbox | null): void {
  if (condstoreOn(s)) return;
  s.enabled.add('CONDSTORE');
  if (view) s.out.untagged(`OK [HIGHESTMODSEQ ${view.pendingSince ?? view.knownModseq}] Highest`);
}

/**
 * writeExpunged removes `uids` from the selected `view` and announces them: one `* VANISHED uid-set` under
 * QRESYNC (RFC 7162 section 3.2.10), else `* n EXPUNGE` for each, ascending, each sequence number as it
 * is after the ones before it (RFC 9051 section 7.5.1).
 */
export function writeExpunged(s: Session, view: SelectedMailbox, uids: readonly number[]): void {
  const sorted = [...uids].sort((a, b) => a - b);
  if (qresyncOn(s)) {
    const gone = sorted.filter((uid) => view.remove(uid) > 0);
    if (gone.length > 0) s.out.untagged(`VANISHED ${formatSequenceSet(gone)}`);
    return;
  }
  for (const uid of sorted) {
    const seq = view.remove(uid);
    if (seq > 0) s.out.untagged(`${seq} EXPUNGE`);
  }
}

/**
 * uidSetContains tells whether a UID set contains `uid`; "*" stands for `maxUid` (RFC 9051 section 9:
 * the largest UID in use). "$" (a saved result) contains the UIDs of `saved`.
 */
export function uidSetContains(set: SequenceSet, uid: number, maxUid: number, saved: readonly number[] = []): boolean {
  if (set.kind === 'saved') return saved.includes(uid);
  for (const r of set.ranges) {
    let a = r.start ?? maxUid;
    let b = r.end ?? maxUid;
    if (a > b) [a, b] = [b, a];
    if (uid >= a && uid <= b) return true;
  }
  return false;
}
