/**
 * Changes to existing messages: STORE (RFC 9051 section 6.4.6, RFC 7162 section 3.1.3 UNCHANGEDSINCE),
 * EXPUNGE (section 6.4.3), COPY (section 6.4.7, RFC 4315 COPYUID) and MOVE (RFC 6851).
 * Every change of a transaction gets modseq = highest_modseq + 1 of its mailbox (RFC 7162 section 3.1).
 */
import { StoreError, type FlagOperation, type MessageMeta, type NewMessage, type QuotaDefaults } from '../types.js';
import { deleteOrphanBodies } from './bodies.js';
import { idList, type Db } from './db.js';
import { DELETED, applyFlags, decodeFlags, encodeKeywords, parseFlags, sameFlags } from '../flags.js';
import { requireMailbox } from './mailboxes.js';
import { appendMessages, insertMessage, reserveUids } from './messages.js';
import { chargeUsage, releaseUsage } from './quota.js';
import type { MetaRow } from './schema.js';

/**
 * FlagsResult is what storeFlags returns: the new state of changed messages, the state of the other targeted
 * messages (which this STORE left as they were, possibly changed by someone else meanwhile), and the UIDs
 * refused by UNCHANGEDSINCE.
 */
export interface FlagsResult {
  updated: MessageMeta[];
  unchanged: MessageMeta[];
  failed: number[];
}

/**
 * storeFlags changes the flags of those `uids` that exist. Only messages whose flags really change (keywords
 * compared case-insensitively) get the new modseq; with `unchangedSince`, messages with a greater modseq are
 * left alone and reported in `failed`; the others that exist are in `unchanged` as they are now. Every list
 * ascending UID. Throws NONEXISTENT.
 */
export function storeFlags(
  db: Db,
  accountId: number,
  mailboxId: number,
  uids: readonly number[],
  op: FlagOperation,
  flags: readonly string[],
  unchangedSince?: number,
): FlagsResult {
  return db.write(() => {
    const mb = requireMailbox(db, accountId, mailboxId);
    const rows = db.all<MetaRow>(
      `SELECT uid, modseq, sys_flags, keywords FROM messages
        WHERE account_id = ? AND mailbox_id = ? AND uid IN (SELECT value FROM json_each(?)) ORDER BY uid`,
      accountId,
      mailboxId,
      idList(uids),
    );
    const change = parseFlags(flags);
    const modseq = mb.highest_modseq + 1;
    const updated: MessageMeta[] = [];
    const unchanged: MessageMeta[] = [];
    const failed: number[] = [];
    for (const row of rows) {
      if (unchangedSince !== undefined && row.modseq > unchangedSince) {
        failed.push(row.uid);
        continue;
      }
      const cur = { sys: row.sys_flags, keywords: row.keywords === '' ? [] : row.keywords.split(' ') };
      const next = applyFlags(cur, op, change);
      if (sameFlags(cur, next)) {
        unchanged.push({ uid: row.uid, modseq: row.modseq, flags: decodeFlags(row.sys_flags, row.keywords) });
        continue;
      }
      const keywords = encodeKeywords(next.keywords);
      db.run(
        'UPDATE messages SET sys_flags = ?, keywords = ?, modseq = ? WHERE account_id = ? AND mailbox_id = ? AND uid = ?',
        next.sys,
        keywords,
        modseq,
        accountId,
        mailboxId,
        row.uid,
      );
      updated.push({ uid: row.uid, modseq, flags: decodeFlags(next.sys, keywords) });
    }
    if (updated.length > 0) {
      db.run('UPDATE mailboxes SET highest_modseq = ? WHERE account_id = ? AND id = ?', modseq, accountId, mailboxId);
    }
    return { updated, unchanged, failed };
  });
}

/**
 * removeMessages deletes messages of a mailbox (inside the caller's transaction), records their UIDs in
 * expunged with a new modseq, deletes bodies no other message uses and (when `release`) subtracts them from the
 * account's quota usage. `rows` ascending UID.
 */
export function removeMessages(
  db: Db,
  accountId: number,
  mailboxId: number,
  rows: ReadonlyArray<{ uid: number; body_id: number; size: number }>,
  release = true,
): void {
  if (rows.length === 0) return;
  if (release) releaseUsage(db, accountId, rows.reduce((n, r) => n + r.size, 0), rows.length);
  const mb = requireMailbox(db, accountId, mailboxId);
  const modseq = mb.highest_modseq + 1;
  for (const r of rows) {
    db.run('DELETE FROM messages WHERE account_id = ? AND mailbox_id = ? AND uid = ?', accountId, mailboxId, r.uid);
    db.run('INSERT INTO expunged (account_id, mailbox_id, modseq, uid) VALUES (?, ?, ?, ?)', accountId, mailboxId, modseq, r.uid);
  }
  deleteOrphanBodies(
    db,
    accountId,
    rows.map((r) => r.body_id),
  );
  db.run('UPDATE mailboxes SET highest_modseq = ? WHERE account_id = ? AND id = ?', modseq, accountId, mailboxId);
}

/**
 * expunge removes the messages flagged \Deleted (only among `uids` when given; with `deletedOnly` false every
 * message among `uids`) and returns their UIDs, ascending (Store.expunge). Throws NONEXISTENT.
 */
export function expunge(db: Db, accountId: number, mailboxId: number, uids?: readonly number[], deletedOnly = true): number[] {
  if (!deletedOnly && uids === undefined) throw new Error('expunge: deletedOnly false needs a UID list');
  const flagged = deletedOnly ? `AND sys_flags & ${DELETED} <> 0` : '';
  return db.write(() => {
    requireMailbox(db, accountId, mailboxId);
    const rows =
      uids === undefined
        ? db.all<{ uid: number; body_id: number; size: number }>(
            `SELECT uid, body_id, size FROM messages WHERE account_id = ? AND mailbox_id = ? AND sys_flags & ${DELETED} <> 0 ORDER BY uid`,
            accountId,
            mailboxId,
          )
        : db.all<{ uid: number; body_id: number; size: number }>(
            `SELECT uid, body_id, size FROM messages
              WHERE account_id = ? AND mailbox_id = ? AND uid IN (SELECT value FROM json_each(?)) ${flagged}
              ORDER BY uid`,
            accountId,
            mailboxId,
            idList(uids),
          );
    removeMessages(db, accountId, mailboxId, rows);
    return rows.map((r) => r.uid);
  });
}

/** CopyResult is the COPYUID data of RFC 4315 section 3: source and destination UIDs pairwise. */
export interface CopyResult {
  uidValidity: number;
  sourceUids: number[];
  destUids: number[];
}

interface CopyRow {
  uid: number;
  body_id: number;
  sys_flags: number;
  keywords: string;
  internal_date: number;
  size: number;
  sent_date: number | null;
}

function copyRows(
  db: Db,
  accountId: number,
  fromMailboxId: number,
  uids: readonly number[],
  toMailboxId: number,
  quota: QuotaDefaults | null,
): { result: CopyResult; rows: CopyRow[] } {
  requireMailbox(db, accountId, fromMailboxId);
  const dst = requireMailbox(db, accountId, toMailboxId, 'TRYCREATE');
  const rows = db.all<CopyRow>(
    `SELECT uid, body_id, sys_flags, keywords, internal_date, size, sent_date FROM messages
      WHERE account_id = ? AND mailbox_id = ? AND uid IN (SELECT value FROM json_each(?)) ORDER BY uid`,
    accountId,
    fromMailboxId,
    idList(uids),
  );
  const result: CopyResult = { uidValidity: dst.uid_validity, sourceUids: [], destUids: [] };
  if (rows.length === 0) return { result, rows };
  const firstUid = reserveUids(dst, rows.length);
  // Copies share bodies but count against the quota again. MOVE (quota null) charges nothing: it adds
  // and removes the same messages in one transaction, so usage does not change.
  if (quota) chargeUsage(db, accountId, rows.reduce((n, r) => n + r.size, 0), rows.length, quota);
  const modseq = dst.highest_modseq + 1;
  const now = Date.now();
  rows.forEach((r, i) => {
    insertMessage(db, accountId, toMailboxId, {
      uid: firstUid + i,
      bodyId: r.body_id,
      modseq,
      sysFlags: r.sys_flags,
      keywords: r.keywords,
      internalDate: r.internal_date,
      saveDate: now,
      size: r.size,
      sentDate: r.sent_date,
    });
    result.sourceUids.push(r.uid);
    result.destUids.push(firstUid + i);
  });
  db.run(
    'UPDATE mailboxes SET uid_next = ?, highest_modseq = ? WHERE account_id = ? AND id = ?',
    firstUid + rows.length,
    modseq,
    accountId,
    toMailboxId,
  );
  return { result, rows };
}

/**
 * copyMessages copies those `uids` that exist to another mailbox of the account (same bodies, flags and
 * internal dates; new UIDs, modseq and save date). Throws NONEXISTENT (source), TRYCREATE (target), LIMIT, OVERQUOTA.
 */
export function copyMessages(
  db: Db,
  accountId: number,
  fromMailboxId: number,
  uids: readonly number[],
  toMailboxId: number,
  quota: QuotaDefaults,
): CopyResult {
  return db.write(() => copyRows(db, accountId, fromMailboxId, uids, toMailboxId, quota).result);
}

/**
 * moveMessages is copyMessages followed by expunging the sources, in one transaction (RFC 6851 section 3.3).
 * Usage is unchanged, so it is never OVERQUOTA (RFC 9208 section 5).
 */
export function moveMessages(db: Db, accountId: number, fromMailboxId: number, uids: readonly number[], toMailboxId: number): CopyResult {
  return db.write(() => {
    const { result, rows } = copyRows(db, accountId, fromMailboxId, uids, toMailboxId, null);
    // The copies were not charged, so removing the sources releases nothing.
    removeMessages(db, accountId, fromMailboxId, rows, false);
    return result;
  });
}


/**
 * replaceMessage appends `message` to `toMailboxId` and expunges UID `uid` of `fromMailboxId`, in one
 * transaction (REPLACE, RFC 8508). Returns null, changing nothing, when that UID does not exist.
 * Throws NONEXISTENT (source mailbox), TRYCREATE (target), LIMIT, OVERQUOTA.
 */
export function replaceMessage(
  db: Db,
  accountId: number,
  fromMailboxId: number,
  uid: number,
  toMailboxId: number,
  message: NewMessage,
  quota: QuotaDefaults,
): { uidValidity: number; uid: number } | null {
  return db.write(() => {
    requireMailbox(db, accountId, fromMailboxId);
    const old = db.get<{ uid: number; body_id: number; size: number }>(
      'SELECT uid, body_id, size FROM messages WHERE account_id = ? AND mailbox_id = ? AND uid = ?',
      accountId,
      fromMailboxId,
      uid,
    );
    if (!old) return null;
    // The old message is released before the new one is charged, so replacing a message by one of the same
    // size is never OVERQUOTA (RFC 8508 section 3.3: the append and the expunge are one operation). A refused
    // append rolls the expunge back with the transaction.
    removeMessages(db, accountId, fromMailboxId, [old]);
    const { uidValidity, uids } = appendMessages(db, accountId, toMailboxId, [message], quota);
    return { uidValidity, uid: uids[0]! };
  });
}
