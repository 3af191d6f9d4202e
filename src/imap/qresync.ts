/**
 * Quick mailbox resynchronisation (RFC 7162 section 3.2, QRESYNC): the QRESYNC select parameter and the
 * VANISHED (EARLIER) answers of SELECT and UID FETCH (VANISHED). Both read Store.changesSince, whose cost
 * grows with the changes since the client's modseq, not with the mailbox.
 */
import { flagList, formatSequenceSet } from '../protocol/encoder.js';
import { ParseError, type ArgReader, type SequenceSet } from '../protocol/types.js';
import type { SelectedContext } from './command.js';
import { uidSetContains } from './condstore.js';

/** Responses written between two awaits of the writer's drain(): bounds what a large resync buffers. */
const DRAIN_EVERY = 200;

/**
 * QresyncParam is `QRESYNC (uidvalidity modseq [known-uids] [(known-sequence-set known-uid-set)])` (RFC 7162
 * section 3.2.5). The sequence match data is parsed and ignored: it only helps servers that forget expunged
 * UIDs, and this one keeps them all.
 */
export interface QresyncParam {
  uidValidity: number;
  modseq: number;
  /** The UIDs the client knows, or null for all. */
  knownUids: SequenceSet | null;
}

/** parseQresyncParam reads the parenthesised QRESYNC select parameter (after "QRESYNC SP"). Throws ParseError. */
export function parseQresyncParam(r: ArgReader): QresyncParam {
  if (!r.tryChar('(')) throw new ParseError('Expected "(" after QRESYNC');
  const uidValidity = r.nzNumber();
  r.space();
  const modseq = r.number64();
  let knownUids: SequenceSet | null = null;
  if (r.tryChar(' ')) {
    if (r.peek() === '(') skipSeqMatchData(r);
    else {
      knownUids = r.sequenceSet();
      if (knownUids.kind === 'saved') throw new ParseError('"$" is not a list of known UIDs');
      // known-uids is a sequence-set without "*" (RFC 7162 section 7: seq-number is nz-number there).
      if (knownUids.ranges.some((r) => r.start === null || r.end === null)) throw new ParseError('"*" is not allowed in the known UIDs of QRESYNC');
      if (r.tryChar(' ')) skipSeqMatchData(r);
    }
  }
  if (!r.tryChar(')')) throw new ParseError('Expected ")" after QRESYNC parameters');
  return { uidValidity, modseq, knownUids };
}

/** skipSeqMatchData reads `(known-sequence-set SP known-uid-set)`. */
function skipSeqMatchData(r: ArgReader): void {
  if (!r.tryChar('(')) throw new ParseError('Expected "(" before QRESYNC sequence match data');
  r.sequenceSet();
  r.space();
  r.sequenceSet();
  if (!r.tryChar(')')) throw new ParseError('Expected ")" after QRESYNC sequence match data');
}

/**
 * vanishedSince returns the UIDs expunged after `modseq` that `within` contains (all when null) and that the
 * selected view no longer holds, ascending. A UID the view still holds was expunged after SELECT listed the
 * mailbox; it is announced later as a plain VANISHED, so the client's sequence numbers stay right.
 */
export async function vanishedSince({ session: s, account, view }: SelectedContext, modseq: number, within: SequenceSet | null): Promise<number[]> {
  const changes = await s.store.changesSince(account.id, view.mailbox.id, modseq);
  const maxUid = Math.max(changes.uidNext - 1, view.uids[view.count - 1] ?? 0);
  return changes.expunged.filter((uid) => view.seqOf(uid) === 0 && (within === null || uidSetContains(within, uid, maxUid, view.savedResult)));
}

/**
 * resyncSelected answers a SELECT/EXAMINE with a QRESYNC parameter whose UIDVALIDITY matches (RFC 7162
 * section 3.2.5.1): `* VANISHED (EARLIER) uids` for messages expunged since the client's modseq, then
 * `* n FETCH (UID u FLAGS (...) MODSEQ (m))` for each message changed (or added) since then, both limited
 * to the known UIDs when given.
 */
export async function resyncSelected({ session: s, account, view }: SelectedContext, q: QresyncParam): Promise<void> {
  const changes = await s.store.changesSince(account.id, view.mailbox.id, q.modseq);
  const maxUid = Math.max(changes.uidNext - 1, view.uids[view.count - 1] ?? 0);
  const known = (uid: number): boolean => q.knownUids === null || uidSetContains(q.knownUids, uid, maxUid);
  const vanished = changes.expunged.filter((uid) => view.seqOf(uid) === 0 && known(uid));
  if (vanished.length > 0) s.out.untagged(`VANISHED (EARLIER) ${formatSequenceSet(vanished)}`);
  let written = 0;
  for (const m of changes.changed) {
    const meta = view.get(m.uid);
    // Changes newer than the view's listing reach the client through the next sync instead.
    if (!meta || meta.modseq <= q.modseq || !known(m.uid)) continue;
    s.out.untagged(`${view.seqOf(m.uid)} FETCH (UID ${m.uid} FLAGS ${flagList(view.flagsOf(meta))} MODSEQ (${meta.modseq}))`);
    if (++written % DRAIN_EVERY === 0) await s.out.drain();
  }
}
