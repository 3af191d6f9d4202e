/**
 * APPEND (RFC 9051 section 6.3.12) and the UID allocation every write that adds messages shares: UIDs
 * uid_next.. and modseq highest_modseq + 1, read under the mailbox row's lock, so appends from any number of
 * sessions or nodes get distinct, increasing UIDs (RFC 9051 section 2.3.1.1, RFC 7162 section 3.1).
 */
import { StoreError, type NewMessage, type QuotaDefaults } from '../types.js';
import { encodeKeywords, parseFlags } from '../flags.js';
import { insertBodies } from './bodies.js';
import type { Dialect } from './dialect.js';
import { requireMailbox } from './locks.js';
import { chargeUsage } from './quota.js';
import { changed, exec, type Rule } from './rule.js';
import { MAX_UID, type MailboxRow, type MessageInsert } from './rows.js';

/**
 * reserveUids checks that `n` more UIDs fit below 2^32 (RFC 9051 section 2.3.1.1) and returns the first;
 * the caller bumps uid_next. `mb` must have been read with its row lock. Throws LIMIT.
 */
export function reserveUids(mb: MailboxRow, n: number): number {
  if (mb.uid_next + n - 1 > MAX_UID) throw new StoreError('LIMIT', 'Mailbox has run out of UIDs');
  return mb.uid_next;
}

/** addMessages writes `rows` into mailbox `mb` (locked), moves its uid_next past them and its HIGHESTMODSEQ to `modseq`, and announces the change. */
export function* addMessages(sql: Dialect, mb: MailboxRow, rows: readonly MessageInsert[], modseq: number): Rule<void> {
  yield* sql.insertMessages(mb.account_id, mb.id, rows);
  yield* exec('UPDATE mailboxes SET uid_next = ?, highest_modseq = ? WHERE account_id = ? AND id = ?', mb.uid_next + rows.length, modseq, mb.account_id, mb.id);
  yield* changed(mb.account_id, mb.id);
}

/**
 * appendMessages stores `messages` in the caller's write transaction: bodies, UIDs uid_next.., all with
 * modseq highest_modseq + 1. Durable when the write resolves. Throws TRYCREATE (no such mailbox), LIMIT,
 * OVERQUOTA (checked against `quota` and charged in the same transaction).
 */
export function* appendMessages(
  sql: Dialect,
  accountId: number,
  mailboxId: number,
  messages: readonly NewMessage[],
  quota: QuotaDefaults,
): Rule<{ uidValidity: number; uids: number[] }> {
  const mb = yield* requireMailbox(sql, accountId, mailboxId, 'TRYCREATE', true);
  if (messages.length === 0) return { uidValidity: mb.uid_validity, uids: [] };
  const firstUid = reserveUids(mb, messages.length);
  // Charging takes the account row's lock (after the mailbox's), which also guards the bodies we insert.
  yield* chargeUsage(
    sql,
    accountId,
    messages.reduce((n, m) => n + m.raw.length, 0),
    messages.length,
    quota,
  );
  const modseq = mb.highest_modseq + 1;
  const now = Date.now();
  const bodyIds = yield* insertBodies(sql, accountId, messages);
  const rows = messages.map((msg, i): MessageInsert => {
    const flags = parseFlags(msg.flags);
    return {
      uid: firstUid + i,
      bodyId: bodyIds[i]!,
      modseq,
      sysFlags: flags.sys,
      keywords: encodeKeywords(flags.keywords),
      internalDate: msg.internalDate,
      saveDate: now,
      size: msg.raw.length,
      sentDate: msg.sentDate,
    };
  });
  yield* addMessages(sql, mb, rows, modseq);
  return { uidValidity: mb.uid_validity, uids: rows.map((r) => r.uid) };
}
