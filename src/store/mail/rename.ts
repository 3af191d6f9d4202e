/**
 * RENAME (RFC 9051 section 6.3.6): a mailbox moves with its children and keeps its UIDVALIDITY; INBOX is
 * special: its messages move to a new mailbox and INBOX stays, empty.
 */
import { StoreError } from '../types.js';
import { reserveUids } from './append.js';
import type { Dialect } from './dialect.js';
import { lockAccount, mailboxByName } from './locks.js';
import { insertMailbox } from './mailboxes.js';
import { changed, exec, many, one, type Rule } from './rule.js';
import type { MailboxRow } from './rows.js';

/**
 * renameMailbox renames `from` and every "from/..." child to `to` and "to/...", and moves the matching
 * subscriptions along. For INBOX see renameInbox. Does not create missing parents of `to` (the caller
 * does, as for CREATE). Throws NONEXISTENT, ALREADYEXISTS (`to` or a child's new name exists), CANNOT
 * (`to` is inside `from`).
 */
export function* renameMailbox(sql: Dialect, accountId: number, from: string, to: string): Rule<void> {
  const src = yield* mailboxByName(sql, accountId, from, true);
  if (!src) throw new StoreError('NONEXISTENT', 'Mailbox does not exist');
  if (to === 'INBOX' || (yield* mailboxByName(sql, accountId, to))) throw new StoreError('ALREADYEXISTS', 'Target mailbox already exists');
  yield* changed(accountId, null);
  if (from === 'INBOX') return yield* renameInbox(sql, accountId, src, to);
  if (to.startsWith(from + '/')) throw new StoreError('CANNOT', 'Cannot move a mailbox into itself');
  // Names are created and changed under the account lock (insertMailbox), so none appears meanwhile.
  yield* lockAccount(sql, accountId);

  // Children are the names in [from + "/", from + "0"): "0" is the character after "/", so this is an index range.
  const children = yield* many<{ id: number; name: string }>(
    'SELECT id, name FROM mailboxes WHERE account_id = ? AND name >= ? AND name < ? ORDER BY name',
    accountId,
    from + '/',
    from + '0',
  );
  const moves = [{ id: src.id, name: to }, ...children.map((c) => ({ id: c.id, name: to + c.name.slice(from.length) }))];
  const moving = new Set(moves.map((m) => m.id));
  for (const m of moves) {
    const existing = yield* mailboxByName(sql, accountId, m.name);
    if (existing && !moving.has(existing.id)) throw new StoreError('ALREADYEXISTS', 'Target mailbox already exists');
  }
  // Two passes, so a name freed by one move and taken by another never trips the unique index. (U+0001:
  // PostgreSQL text cannot hold NUL; mailbox names cannot hold control characters.)
  for (const m of moves) yield* exec('UPDATE mailboxes SET name = ? WHERE account_id = ? AND id = ?', `\u0001rename\u0001${m.id}`, accountId, m.id);
  for (const m of moves) yield* exec('UPDATE mailboxes SET name = ? WHERE account_id = ? AND id = ?', m.name, accountId, m.id);

  const subs = yield* many<{ name: string }>(
    'SELECT name FROM subscriptions WHERE account_id = ? AND (name = ? OR (name >= ? AND name < ?))',
    accountId,
    from,
    from + '/',
    from + '0',
  );
  for (const s of subs) yield* exec('DELETE FROM subscriptions WHERE account_id = ? AND name = ?', accountId, s.name);
  for (const s of subs) {
    yield* exec('INSERT INTO subscriptions (account_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING', accountId, to + s.name.slice(from.length));
  }
}

/**
 * renameInbox creates mailbox `to` (new UIDVALIDITY) holding INBOX's messages with UIDs 1.. in the order of
 * their old UIDs (same bodies and flags), and expunges them from INBOX, which stays. INBOX's children and
 * subscriptions are untouched (RFC 9051 section 6.3.6). Runs inside renameMailbox's transaction, which
 * holds INBOX's row lock.
 */
function* renameInbox(sql: Dialect, accountId: number, inbox: MailboxRow, to: string): Rule<void> {
  const dst = yield* insertMailbox(sql, accountId, to, null);
  const n = (yield* one<{ n: number }>('SELECT COUNT(*) AS n FROM messages WHERE account_id = ? AND mailbox_id = ?', accountId, inbox.id))!.n;
  if (n === 0) return;
  reserveUids(dst, n);
  const dstModseq = dst.highest_modseq + 1;
  const big = sql.bigint;
  yield* exec(
    `INSERT INTO messages (account_id, mailbox_id, uid, body_id, modseq, sys_flags, keywords, internal_date, save_date, size, sent_date)
     SELECT account_id, ?${big}, ROW_NUMBER() OVER (ORDER BY uid), body_id, ?${big}, sys_flags, keywords, internal_date, ?${big}, size, sent_date
       FROM messages WHERE account_id = ? AND mailbox_id = ?`,
    dst.id,
    dstModseq,
    Date.now(),
    accountId,
    inbox.id,
  );
  yield* exec('UPDATE mailboxes SET uid_next = ?, highest_modseq = ? WHERE account_id = ? AND id = ?', n + 1, dstModseq, accountId, dst.id);

  const inboxModseq = inbox.highest_modseq + 1;
  yield* exec(
    `INSERT INTO expunged (account_id, mailbox_id, modseq, uid)
     SELECT account_id, mailbox_id, ?${big}, uid FROM messages WHERE account_id = ? AND mailbox_id = ?`,
    inboxModseq,
    accountId,
    inbox.id,
  );
  yield* exec('DELETE FROM messages WHERE account_id = ? AND mailbox_id = ?', accountId, inbox.id);
  yield* exec('UPDATE mailboxes SET highest_modseq = ? WHERE account_id = ? AND id = ?', inboxModseq, accountId, inbox.id);
  yield* changed(accountId, inbox.id);
}
