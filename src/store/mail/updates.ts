/**
 * Changes to existing messages: STORE (RFC 9051 section 6.4.6, RFC 7162 section 3.1.3 UNCHANGEDSINCE),
 * EXPUNGE (section 6.4.3), COPY (section 6.4.7, RFC 4315 COPYUID), MOVE (RFC 6851) and REPLACE (RFC 8508).
 * Every change of a transaction gets modseq = highest_modseq + 1 of its mailbox (RFC 7162 section 3.1),
 * read under the mailbox row's lock, so modseqs strictly increase across sessions and nodes.
 */
import { StoreError, type FlagOperation, type MessageMeta, type NewMessage, type QuotaDefaults } from '../types.js';
import { DELETED, applyFlags, decodeFlags, encodeKeywords, parseFlags, sameFlags } from '../flags.js';
import { addMessages, appendMessages, reserveUids } from './append.js';
import { queueOrphanBodies } from './bodies.js';
import type { Dialect } from './dialect.js';
import { lockAccount, lockPair, requireMailbox, requirePair } from './locks.js';
import { chargeUsage, releaseUsage } from './quota.js';
import { changed, exec, many, one, type Rule } from './rule.js';
import type { FlagUpdate, MessageInsert, MetaRow } from './rows.js';

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
export function* storeFlags(
  sql: Dialect,
  accountId: number,
  mailboxId: number,
  uids: readonly number[],
  op: FlagOperation,
  flags: readonly string[],
  unchangedSince?: number,
): Rule<FlagsResult> {
  const mb = yield* requireMailbox(sql, accountId, mailboxId, 'NONEXISTENT', true);
  const rows = yield* many<MetaRow>(
    `SELECT uid, modseq, sys_flags, keywords FROM messages
      WHERE account_id = ? AND mailbox_id = ? AND ${sql.inIds('uid')} ORDER BY uid`,
    accountId,
    mailboxId,
    sql.ids(uids),
  );
  const change = parseFlags(flags);
  const modseq = mb.highest_modseq + 1;
  const result: FlagsResult = { updated: [], unchanged: [], failed: [] };
  const writes: FlagUpdate[] = [];
  for (const row of rows) {
    if (unchangedSince !== undefined && row.modseq > unchangedSince) {
      result.failed.push(row.uid);
      continue;
    }
    const cur = { sys: row.sys_flags, keywords: row.keywords === '' ? [] : row.keywords.split(' ') };
    const next = applyFlags(cur, op, change);
    if (sameFlags(cur, next)) {
      result.unchanged.push({ uid: row.uid, modseq: row.modseq, flags: decodeFlags(row.sys_flags, row.keywords) });
      continue;
    }
    const keywords = encodeKeywords(next.keywords);
    writes.push({ uid: row.uid, sys: next.sys, keywords });
    result.updated.push({ uid: row.uid, modseq, flags: decodeFlags(next.sys, keywords) });
  }
  if (writes.length > 0) {
    yield* sql.setFlags(accountId, mailboxId, modseq, writes);
    yield* exec('UPDATE mailboxes SET highest_modseq = ? WHERE account_id = ? AND id = ?', modseq, accountId, mailboxId);
    yield* changed(accountId, mailboxId);
  }
  return result;
}

/** Removed is what removeMessages needs of a message: its UID, body and size. */
type Removed = { uid: number; body_id: number; size: number };

/**
 * removeMessages deletes messages of a mailbox (inside the caller's transaction, which holds the mailbox
 * row's lock), records their UIDs in expunged with a new modseq, queues the bodies no other message uses for
 * the upkeep's purge (bodies.ts) and (when `release`) subtracts them from the account's quota usage. `rows`
 * ascending UID.
 */
export function* removeMessages(sql: Dialect, accountId: number, mailboxId: number, rows: readonly Removed[], release = true): Rule<void> {
  if (rows.length === 0) return;
  const mb = yield* requireMailbox(sql, accountId, mailboxId, 'NONEXISTENT', true);
  if (release) yield* releaseUsage(sql, accountId, rows.reduce((n, r) => n + r.size, 0), rows.length);
  const modseq = mb.highest_modseq + 1;
  yield* sql.deleteMessages(
    accountId,
    mailboxId,
    rows.map((r) => r.uid),
    modseq,
  );
  yield* queueOrphanBodies(
    sql,
    accountId,
    rows.map((r) => r.body_id),
  );
  yield* exec('UPDATE mailboxes SET highest_modseq = ? WHERE account_id = ? AND id = ?', modseq, accountId, mailboxId);
  yield* changed(accountId, mailboxId);
}

/**
 * expunge removes the messages flagged \Deleted (only among `uids` when given; with `deletedOnly` false every
 * message among `uids`) and returns their UIDs, ascending (Store.expunge). Throws NONEXISTENT.
 */
export function* expunge(sql: Dialect, accountId: number, mailboxId: number, uids?: readonly number[], deletedOnly = true): Rule<number[]> {
  if (!deletedOnly && uids === undefined) throw new Error('expunge: deletedOnly false needs a UID list');
  const flagged = deletedOnly ? `AND sys_flags & ${DELETED} <> 0` : '';
  yield* requireMailbox(sql, accountId, mailboxId, 'NONEXISTENT', true);
  const rows =
    uids === undefined
      ? yield* many<Removed>(
          `SELECT uid, body_id, size FROM messages WHERE account_id = ? AND mailbox_id = ? AND sys_flags & ${DELETED} <> 0 ORDER BY uid`,
          accountId,
          mailboxId,
        )
      : yield* many<Removed>(
          `SELECT uid, body_id, size FROM messages
            WHERE account_id = ? AND mailbox_id = ? AND ${sql.inIds('uid')} ${flagged}
            ORDER BY uid`,
          accountId,
          mailboxId,
          sql.ids(uids),
        );
  yield* removeMessages(sql, accountId, mailboxId, rows);
  return rows.map((r) => r.uid);
}

/** CopyResult is the COPYUID data of RFC 4315 section 3: source and destination UIDs pairwise. */
export interface CopyResult {
  uidValidity: number;
  sourceUids: number[];
  destUids: number[];
}

interface CopyRow extends Removed {
  sys_flags: number;
  keywords: string;
  internal_date: number;
  sent_date: number | null;
}

function* copyRows(
  sql: Dialect,
  accountId: number,
  fromMailboxId: number,
  uids: readonly number[],
  toMailboxId: number,
  quota: QuotaDefaults | null,
): Rule<{ result: CopyResult; rows: CopyRow[] }> {
  const dst = yield* requirePair(sql, accountId, fromMailboxId, toMailboxId);
  // The account lock keeps the bodies we are about to share from being deleted as orphans meanwhile.
  yield* lockAccount(sql, accountId);
  const rows = yield* many<CopyRow>(
    `SELECT uid, body_id, sys_flags, keywords, internal_date, size, sent_date FROM messages
      WHERE account_id = ? AND mailbox_id = ? AND ${sql.inIds('uid')} ORDER BY uid`,
    accountId,
    fromMailboxId,
    sql.ids(uids),
  );
  const result: CopyResult = { uidValidity: dst.uid_validity, sourceUids: [], destUids: [] };
  if (rows.length === 0) return { result, rows };
  const firstUid = reserveUids(dst, rows.length);
  // Copies share bodies but count against the quota again. MOVE (quota null) charges nothing: it adds
  // and removes the same messages in one transaction, so usage does not change.
  if (quota) yield* chargeUsage(sql, accountId, rows.reduce((n, r) => n + r.size, 0), rows.length, quota);
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
  yield* addMessages(sql, dst, inserts, modseq);
  result.sourceUids = rows.map((r) => r.uid);
  result.destUids = inserts.map((m) => m.uid);
  return { result, rows };
}

/**
 * copyMessages copies those `uids` that exist to another mailbox of the account (same bodies, flags and
 * internal dates; new UIDs, modseq and save date). Throws NONEXISTENT (source), TRYCREATE (target), LIMIT, OVERQUOTA.
 */
export function* copyMessages(
  sql: Dialect,
  accountId: number,
  fromMailboxId: number,
  uids: readonly number[],
  toMailboxId: number,
  quota: QuotaDefaults,
): Rule<CopyResult> {
  return (yield* copyRows(sql, accountId, fromMailboxId, uids, toMailboxId, quota)).result;
}

/**
 * moveMessages is copyMessages followed by expunging the sources, in one transaction (RFC 6851 section 3.3).
 * Usage is unchanged, so it is never OVERQUOTA (RFC 9208 section 5).
 */
export function* moveMessages(sql: Dialect, accountId: number, fromMailboxId: number, uids: readonly number[], toMailboxId: number): Rule<CopyResult> {
  const { result, rows } = yield* copyRows(sql, accountId, fromMailboxId, uids, toMailboxId, null);
  // The copies were not charged, so removing the sources releases nothing.
  yield* removeMessages(sql, accountId, fromMailboxId, rows, false);
  return result;
}

/**
 * replaceMessage appends `message` to `toMailboxId` and expunges UID `uid` of `fromMailboxId`, in one
 * transaction (REPLACE, RFC 8508). Returns null, changing nothing, when that UID does not exist.
 * Throws NONEXISTENT (source mailbox), TRYCREATE (target), LIMIT, OVERQUOTA.
 */
export function* replaceMessage(
  sql: Dialect,
  accountId: number,
  fromMailboxId: number,
  uid: number,
  toMailboxId: number,
  message: NewMessage,
  quota: QuotaDefaults,
): Rule<{ uidValidity: number; uid: number } | null> {
  // Both mailbox rows first, in id order, then (releasing, charging) the account row: the lock order, so a
  // REPLACE and an APPEND or MOVE on the same mailboxes cannot deadlock.
  const { src, dst } = yield* lockPair(sql, accountId, fromMailboxId, toMailboxId);
  if (!src) throw new StoreError('NONEXISTENT', 'Mailbox does not exist');
  const old = yield* one<Removed>(
    'SELECT uid, body_id, size FROM messages WHERE account_id = ? AND mailbox_id = ? AND uid = ?',
    accountId,
    fromMailboxId,
    Number.isSafeInteger(uid) && uid > 0 ? uid : 0,
  );
  if (!old) return null;
  if (!dst) throw new StoreError('TRYCREATE', 'Target mailbox does not exist');
  // The old message is released before the new one is charged, so replacing a message by one of the same
  // size is never OVERQUOTA (RFC 8508 section 3.3: the append and the expunge are one operation). A refused
  // append rolls the expunge back with the transaction.
  yield* removeMessages(sql, accountId, fromMailboxId, [old]);
  const { uidValidity, uids } = yield* appendMessages(sql, accountId, toMailboxId, [message], quota);
  return { uidValidity, uid: uids[0]! };
}
