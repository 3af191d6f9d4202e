/**
 * Changes to existing messages: STORE (RFC 9051 section 6.4.6, RFC 7162 section 3.1.3 UNCHANGEDSINCE),
 * EXPUNGE (section 6.4.3), COPY (section 6.4.7, RFC 4315 COPYUID), MOVE (RFC 6851) and REPLACE (RFC 8508).
 * Every change of a transaction gets modseq = highest_modseq + 1 of its mailbox (RFC 7162 section 3.1),
 * read under the mailbox row's lock, so modseqs strictly increase across nodes.
 */
import type { BlobStore } from '../blobs.js';
import { StoreError, type FlagOperation, type MessageMeta, type NewMessage, type QuotaDefaults } from '../types.js';
import { lockAccount } from './accounts.js';
import { deleteOrphanBodies } from './bodies.js';
import type { Db, Tx } from './db.js';
import { DELETED, applyFlags, decodeFlags, encodeKeywords, parseFlags, sameFlags } from '../flags.js';
import { mailboxById, requireMailbox } from './mailboxes.js';
import { appendInTx, idList, insertMessages, reserveUids, type MessageInsert } from './messages.js';
import { chargeUsage, releaseUsage } from './quota.js';
import type { MailboxRow, MetaRow } from './schema.js';

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
export async function storeFlags(
  db: Db,
  accountId: number,
  mailboxId: number,
  uids: readonly number[],
  op: FlagOperation,
  flags: readonly string[],
  unchangedSince?: number,
): Promise<FlagsResult> {
  return db.write(async (tx) => {
    const mb = await requireMailbox(tx, accountId, mailboxId, 'NONEXISTENT', true);
    const rows = await tx.all<MetaRow>(
      `SELECT uid, modseq, sys_flags, keywords FROM messages
        WHERE account_id = ? AND mailbox_id = ? AND uid = ANY(?::bigint[]) ORDER BY uid`,
      accountId,
      mailboxId,
      idList(uids),
    );
    const change = parseFlags(flags);
    const modseq = mb.highest_modseq + 1;
    const updated: MessageMeta[] = [];
    const unchanged: MessageMeta[] = [];
    const failed: number[] = [];
    const sysFlags: number[] = [];
    const keywordList: string[] = [];
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
      sysFlags.push(next.sys);
      keywordList.push(keywords);
      updated.push({ uid: row.uid, modseq, flags: decodeFlags(next.sys, keywords) });
    }
    if (updated.length > 0) {
      // One statement for the whole set: a STORE 1:* on a large mailbox is one round trip, not one per message.
      await tx.run(
        `UPDATE messages m SET sys_flags = u.sys_flags, keywords = u.keywords, modseq = ?
           FROM UNNEST(?::bigint[], ?::int[], ?::text[]) AS u (uid, sys_flags, keywords)
          WHERE m.account_id = ? AND m.mailbox_id = ? AND m.uid = u.uid`,
        modseq,
        updated.map((u) => u.uid),
        sysFlags,
        keywordList,
        accountId,
        mailboxId,
      );
      await tx.run('UPDATE mailboxes SET highest_modseq = ? WHERE account_id = ? AND id = ?', modseq, accountId, mailboxId);
      tx.notify(accountId, mailboxId);
    }
    return { updated, unchanged, failed };
  });
}

/**
 * removeMessages deletes messages of a mailbox (inside the caller's transaction, which holds the mailbox
 * row's lock), records their UIDs in expunged with a new modseq, deletes bodies no other message uses and
 * (when `release`) subtracts them from the account's quota usage. `rows` ascending UID.
 */
export async function removeMessages(
  tx: Tx,
  blobs: BlobStore<Tx>,
  accountId: number,
  mailboxId: number,
  rows: ReadonlyArray<{ uid: number; body_id: number; size: number }>,
  release = true,
): Promise<void> {
  if (rows.length === 0) return;
  const mb = await requireMailbox(tx, accountId, mailboxId, 'NONEXISTENT', true);
  if (release) await releaseUsage(tx, accountId, rows.reduce((n, r) => n + r.size, 0), rows.length);
  const modseq = mb.highest_modseq + 1;
  const uids = rows.map((r) => r.uid);
  await tx.run('DELETE FROM messages WHERE account_id = ? AND mailbox_id = ? AND uid = ANY(?::bigint[])', accountId, mailboxId, uids);
  await tx.run(
    'INSERT INTO expunged (account_id, mailbox_id, modseq, uid) SELECT ?::bigint, ?::bigint, ?::bigint, * FROM UNNEST(?::bigint[])',
    accountId,
    mailboxId,
    modseq,
    uids,
  );
  await deleteOrphanBodies(
    tx,
    blobs,
    accountId,
    rows.map((r) => r.body_id),
  );
  await tx.run('UPDATE mailboxes SET highest_modseq = ? WHERE account_id = ? AND id = ?', modseq, accountId, mailboxId);
  tx.notify(accountId, mailboxId);
}

/**
 * expunge removes the messages flagged \Deleted (only among `uids` when given; with `deletedOnly` false every
 * message among `uids`) and returns their UIDs, ascending (Store.expunge). Throws NONEXISTENT.
 */
export async function expunge(
  db: Db,
  blobs: BlobStore<Tx>,
  accountId: number,
  mailboxId: number,
  uids?: readonly number[],
  deletedOnly = true,
): Promise<number[]> {
  if (!deletedOnly && uids === undefined) throw new Error('expunge: deletedOnly false needs a UID list');
  const flagged = deletedOnly ? `AND sys_flags & ${DELETED} <> 0` : '';
  return db.write(async (tx) => {
    await requireMailbox(tx, accountId, mailboxId, 'NONEXISTENT', true);
    const rows =
      uids === undefined
        ? await tx.all<{ uid: number; body_id: number; size: number }>(
            `SELECT uid, body_id, size FROM messages WHERE account_id = ? AND mailbox_id = ? AND sys_flags & ${DELETED} <> 0 ORDER BY uid`,
            accountId,
            mailboxId,
          )
        : await tx.all<{ uid: number; body_id: number; size: number }>(
            `SELECT uid, body_id, size FROM messages
              WHERE account_id = ? AND mailbox_id = ? AND uid = ANY(?::bigint[]) ${flagged}
              ORDER BY uid`,
            accountId,
            mailboxId,
            idList(uids),
          );
    await removeMessages(tx, blobs, accountId, mailboxId, rows);
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

/**
 * lockPair locks the source and target mailbox rows in id order (two MOVEs in opposite directions must not
 * deadlock) and returns both, undefined where missing. Locking stops at a missing source, as it is an error.
 */
async function lockPair(
  tx: Tx,
  accountId: number,
  fromMailboxId: number,
  toMailboxId: number,
): Promise<{ src: MailboxRow | undefined; dst: MailboxRow | undefined }> {
  const out: { src: MailboxRow | undefined; dst: MailboxRow | undefined } = { src: undefined, dst: undefined };
  for (const id of [...new Set([fromMailboxId, toMailboxId])].sort((a, b) => a - b)) {
    const row = await mailboxById(tx, accountId, id, true);
    if (id === fromMailboxId) out.src = row;
    if (id === toMailboxId) out.dst = row;
    if (id === fromMailboxId && !row) break;
  }
  return out;
}

/** requirePair is lockPair that returns the target. Throws NONEXISTENT (source), TRYCREATE (target). */
async function requirePair(tx: Tx, accountId: number, fromMailboxId: number, toMailboxId: number): Promise<MailboxRow> {
  const { src, dst } = await lockPair(tx, accountId, fromMailboxId, toMailboxId);
  if (!src) throw new StoreError('NONEXISTENT', 'Mailbox does not exist');
  if (!dst) throw new StoreError('TRYCREATE', 'Target mailbox does not exist');
  return dst;
}

async function copyRows(
  tx: Tx,
  accountId: number,
  fromMailboxId: number,
  uids: readonly number[],
  toMailboxId: number,
  quota: QuotaDefaults | null,
): Promise<{ result: CopyResult; rows: CopyRow[] }> {
  const dst = await requirePair(tx, accountId, fromMailboxId, toMailboxId);
  // The account lock keeps the bodies we are about to share from being deleted as orphans meanwhile.
  await lockAccount(tx, accountId);
  const rows = await tx.all<CopyRow>(
    `SELECT uid, body_id, sys_flags, keywords, internal_date, size, sent_date FROM messages
      WHERE account_id = ? AND mailbox_id = ? AND uid = ANY(?::bigint[]) ORDER BY uid`,
    accountId,
    fromMailboxId,
    idList(uids),
  );
  const result: CopyResult = { uidValidity: dst.uid_validity, sourceUids: [], destUids: [] };
  if (rows.length === 0) return { result, rows };
  const firstUid = reserveUids(dst, rows.length);
  // Copies share bodies but count against the quota again. MOVE (quota null) charges nothing: it adds
  // and removes the same messages in one transaction, so usage does not change.
  if (quota) await chargeUsage(tx, accountId, rows.reduce((n, r) => n + r.size, 0), rows.length, quota);
  const modseq = dst.highest_modseq + 1;
  const now = Date.now();
  const inserts: MessageInsert[] = rows.map((r, i) => ({
    uid: firstUid + i,
    bodyId: r.body_id,
    modseq,
    sysFlags: r.sys_flags,
    keywords: r.keywords,
    internalDate: r.internal_date,
    saveDate: now,
    size: r.size,
    sentDate: r.sent_date,
  }));
  await insertMessages(tx, accountId, toMailboxId, inserts);
  result.sourceUids = rows.map((r) => r.uid);
  result.destUids = inserts.map((m) => m.uid);
  await tx.run(
    'UPDATE mailboxes SET uid_next = ?, highest_modseq = ? WHERE account_id = ? AND id = ?',
    firstUid + rows.length,
    modseq,
    accountId,
    toMailboxId,
  );
  tx.notify(accountId, toMailboxId);
  return { result, rows };
}

/**
 * copyMessages copies those `uids` that exist to another mailbox of the account (same bodies, flags and
 * internal dates; new UIDs, modseq and save date). Throws NONEXISTENT (source), TRYCREATE (target), LIMIT, OVERQUOTA.
 */
export async function copyMessages(
  db: Db,
  accountId: number,
  fromMailboxId: number,
  uids: readonly number[],
  toMailboxId: number,
  quota: QuotaDefaults,
): Promise<CopyResult> {
  return db.write(async (tx) => (await copyRows(tx, accountId, fromMailboxId, uids, toMailboxId, quota)).result);
}

/**
 * moveMessages is copyMessages followed by expunging the sources, in one transaction (RFC 6851 section 3.3).
 * Usage is unchanged, so it is never OVERQUOTA (RFC 9208 section 5).
 */
export async function moveMessages(
  db: Db,
  blobs: BlobStore<Tx>,
  accountId: number,
  fromMailboxId: number,
  uids: readonly number[],
  toMailboxId: number,
): Promise<CopyResult> {
  return db.write(async (tx) => {
    const { result, rows } = await copyRows(tx, accountId, fromMailboxId, uids, toMailboxId, null);
    // The copies were not charged, so removing the sources releases nothing.
    await removeMessages(tx, blobs, accountId, fromMailboxId, rows, false);
    return result;
  });
}

/**
 * replaceMessage appends `message` to `toMailboxId` and expunges UID `uid` of `fromMailboxId`, in one
 * transaction (REPLACE, RFC 8508). Returns null, changing nothing, when that UID does not exist.
 * Throws NONEXISTENT (source mailbox), TRYCREATE (target), LIMIT, OVERQUOTA.
 */
export async function replaceMessage(
  db: Db,
  blobs: BlobStore<Tx>,
  accountId: number,
  fromMailboxId: number,
  uid: number,
  toMailboxId: number,
  message: NewMessage,
  quota: QuotaDefaults,
): Promise<{ uidValidity: number; uid: number } | null> {
  return db.write(async (tx) => {
    // Both mailbox rows first, in id order, then (releasing, charging) the account row: the backend's lock
    // order, so a REPLACE and an APPEND or MOVE on the same mailboxes cannot deadlock.
    const { src, dst } = await lockPair(tx, accountId, fromMailboxId, toMailboxId);
    if (!src) throw new StoreError('NONEXISTENT', 'Mailbox does not exist');
    const old = await tx.get<{ uid: number; body_id: number; size: number }>(
      'SELECT uid, body_id, size FROM messages WHERE account_id = ? AND mailbox_id = ? AND uid = ?',
      accountId,
      fromMailboxId,
      idList([uid])[0] ?? 0,
    );
    if (!old) return null;
    if (!dst) throw new StoreError('TRYCREATE', 'Target mailbox does not exist');
    // The old message is released before the new one is charged, so replacing a message by one of the same
    // size is never OVERQUOTA (RFC 8508 section 3.3: the append and the expunge are one operation). A refused
    // append rolls the expunge back with the transaction.
    await removeMessages(tx, blobs, accountId, fromMailboxId, [old]);
    const { uidValidity, uids } = await appendInTx(tx, blobs, accountId, toMailboxId, [message], quota);
    return { uidValidity, uid: uids[0]! };
  });
}
