/**
 * syncSelected brings a session's selected view up to date with the mailbox's change feed and writes
 * what RFC 9051 section 7 says the client must learn: `* n EXISTS` for new messages, `* n EXPUNGE`
 * for removed ones (only when allowed: never while answering FETCH, STORE or SEARCH, section 7.5.1), or one
 * `* VANISHED uid-set` once QRESYNC is enabled (RFC 7162 section 3.2.10), and `* n FETCH (UID u FLAGS (...))`
 * for flag changes made by other sessions, with MODSEQ once CONDSTORE is enabled (RFC 7162 section 3.1.4).
 * A keyword new to the mailbox is announced with FLAGS and PERMANENTFLAGS first (RFC 9051 section 7.3.5),
 * and an IMAP4rev1 session that claims new messages as \Recent hears `* n RECENT` (RFC 3501 section 7.3.2).
 */
import { flagList } from '../protocol/encoder.js';
import { StoreError, type MessageMeta } from '../store/types.js';
import type { Account } from '../store/types.js';
import type { SelectedMailbox } from './selected.js';
import type { Session } from './session.js';
import { condstoreOn, qresyncOn, writeExpunged } from './condstore.js';
import { ImapError } from './errors.js';
import { announceKeywords } from './flags.js';

/**
 * syncIfBehind runs syncSelected when the session's view may be behind: a change was notified (`notified`),
 * pending expunges may be announced now (or keep HIGHESTMODSEQ below them under CONDSTORE), or the
 * mailbox's committed HIGHESTMODSEQ is above what the view has applied. No notification does not mean no
 * change: another process or node may have committed one that has not reached this one yet, and a change
 * acknowledged anywhere must show at this session's next command; so that read (one by primary key) is
 * made at every command. Does nothing without a selected mailbox. Throws as syncSelected.
 */
export async function syncIfBehind(session: Session, notified: boolean, allowExpunge: boolean): Promise<void> {
  const status = session.status;
  if (status.state !== 'selected') return;
  const { account, view } = status;
  const force = view.pendingExpunge.size > 0 && (allowExpunge || (view.pendingSince !== null && condstoreOn(session)));
  if (!notified && !force) {
    const highest = await session.store.highestModseq(account.id, view.mailbox.id);
    if (highest !== null && highest <= view.knownModseq) return;
  }
  await syncView(session, account, view, allowExpunge);
}

/** syncSelected: see the module doc. Throws ImapError BYE when the selected mailbox no longer exists. */
export async function syncSelected(session: Session, allowExpunge: boolean): Promise<void> {
  const status = session.status;
  if (status.state === 'selected') await syncView(session, status.account, status.view, allowExpunge);
}

async function syncView(session: Session, account: Account, view: SelectedMailbox, allowExpunge: boolean): Promise<void> {
  const changes = await gone(session.store.changesSince(account.id, view.mailbox.id, view.knownModseq));
  const out = session.out;

  for (const uid of changes.expunged) {
    if (view.seqOf(uid) === 0 || view.pendingExpunge.has(uid)) continue;
    view.pendingExpunge.add(uid);
    view.pendingSince ??= view.knownModseq;
  }
  // Under QRESYNC the client learns the modseq of what VANISHED reports from the HIGHESTMODSEQ that follows it.
  const vanished = allowExpunge && view.pendingExpunge.size > 0 && qresyncOn(session);
  if (allowExpunge && view.pendingExpunge.size > 0) writeExpunged(session, view, [...view.pendingExpunge]);
  if (view.pendingExpunge.size === 0) view.pendingSince = null;

  const before = view.count;
  const lastUid = view.uids[view.count - 1] ?? 0;
  const flagUpdates: number[] = [];
  const condstore = condstoreOn(session);
  const shown: MessageMeta[] = [];
  for (const m of changes.changed) {
    if (m.uid > lastUid) {
      view.add(m);
      shown.push(m);
      continue;
    }
    const known = view.get(m.uid);
    if (!known || view.pendingExpunge.has(m.uid)) continue;
    // Under CONDSTORE the client tracks modseqs too, so a new modseq is news even with the same flags.
    if (!sameFlags(known.flags, m.flags) || (condstore && known.modseq !== m.modseq)) {
      flagUpdates.push(m.uid);
      shown.push(m);
    }
    view.update(m);
  }
  announceKeywords(session, view, shown);
  if (view.count !== before) {
    if (view.claimsRecent) {
      const upTo = view.uids[view.count - 1]! + 1;
      view.recent.add(await gone(session.store.claimRecent(account.id, view.mailbox.id, upTo, changes.firstRecentUid)), upTo);
    }
    out.untagged(`${view.count} EXISTS`);
    if (!session.rev2) out.untagged(`${view.recent.countIn(view.uids)} RECENT`);
  }
  for (const uid of flagUpdates) {
    const m = view.get(uid)!;
    out.untagged(`${view.seqOf(uid)} FETCH (UID ${uid} FLAGS ${flagList(view.flagsOf(m))}${condstore ? ` MODSEQ (${m.modseq})` : ''})`);
  }
  view.knownModseq = Math.max(view.knownModseq, changes.highestModseq);
  // A client may keep the highest MODSEQ it saw as its resync point; while an expunge it has not been told
  // of waits, a HIGHESTMODSEQ below that expunge's modseq overrides it (RFC 7162 section 3.2).
  if (condstore && view.pendingSince !== null) out.untagged(`OK [HIGHESTMODSEQ ${view.pendingSince}] Highest`);
  else if (vanished) out.untagged(`OK [HIGHESTMODSEQ ${view.knownModseq}] Highest`);
}

/** gone turns the store's NONEXISTENT for the selected mailbox into the BYE that ends the session (RFC 9051 section 7.1.5). */
async function gone<T>(read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (err) {
    if (err instanceof StoreError && err.kind === 'NONEXISTENT') {
      throw new ImapError('BYE', null, 'The selected mailbox was deleted or renamed by another session.');
    }
    throw err;
  }
}

/** sameFlags compares flag sets ignoring order and case. */
export function sameFlags(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a.map((f) => f.toLowerCase()));
  return b.every((f) => s.has(f.toLowerCase()));
}
