/**
 * The change feed of a mailbox (RFC 7162 sections 3.1 CONDSTORE, 3.2 QRESYNC): what changed after a modseq.
 */
import type { Changes } from '../types.js';
import type { Db } from './db.js';
import { requireMailbox } from './mailboxes.js';
import { toMeta } from './messages.js';
import type { MetaRow } from './schema.js';

/**
 * changesSince returns the messages with modseq > `since` (new or flags changed) and the UIDs expunged
 * with modseq > `since`, both ascending UID, plus the mailbox's HIGHESTMODSEQ and UIDNEXT. Both reads are
 * range scans of (account_id, mailbox_id, modseq) indexes, so the cost grows with the changes. Reads in
 * one REPEATABLE READ transaction, so the result is one consistent snapshot. Throws NONEXISTENT.
 */
export async function changesSince(db: Db, accountId: number, mailboxId: number, since: number): Promise<Changes> {
  return db.read(async (tx) => {
    const mb = await requireMailbox(tx, accountId, mailboxId);
    const out: Changes = { changed: [], expunged: [], highestModseq: mb.highest_modseq, uidNext: mb.uid_next };
    if (since >= mb.highest_modseq) return out;
    out.changed = (
      await tx.all<MetaRow>(
        'SELECT uid, modseq, sys_flags, keywords FROM messages WHERE account_id = ? AND mailbox_id = ? AND modseq > ?',
        accountId,
        mailboxId,
        since,
      )
    )
      .sort((a, b) => a.uid - b.uid)
      .map(toMeta);
    out.expunged = (
      await tx.all<{ uid: number }>('SELECT uid FROM expunged WHERE account_id = ? AND mailbox_id = ? AND modseq > ?', accountId, mailboxId, since)
    )
      .map((r) => r.uid)
      .sort((a, b) => a - b);
    return out;
  });
}
