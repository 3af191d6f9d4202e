/**
 * Mailboxes and subscriptions of an account (RFC 9051 sections 6.3.4-6.3.8), except RENAME (rename.ts).
 */
import { StoreError, type Mailbox, type MailboxCounts, type SpecialUse } from '../types.js';
import { DELETED, SEEN } from '../flags.js';
import { queueOrphanBodies } from './bodies.js';
import type { Dialect } from './dialect.js';
import { mailboxByName, requireMailbox } from './locks.js';
import { releaseUsage } from './quota.js';
import { changed, exec, many, one, type Rule } from './rule.js';
import { MAILBOX_COLUMNS, MAX_UID, toMailbox, type MailboxRow } from './rows.js';

/** highestModseq returns the mailbox's highest_modseq, or null when the account has no mailbox `id`. */
export function* highestModseq(accountId: number, id: number): Rule<number | null> {
  return (yield* one<{ highest_modseq: number }>('SELECT highest_modseq FROM mailboxes WHERE account_id = ? AND id = ?', accountId, id))?.highest_modseq ?? null;
}

/**
 * claimRecent moves the mailbox's first_recent_uid up to `upTo` (never down) and returns the value it had
 * (Store.claimRecent), under the mailbox row's lock so two nodes never claim one UID. Throws NONEXISTENT.
 */
export function* claimRecent(sql: Dialect, accountId: number, id: number, upTo: number): Rule<number> {
  const first = (yield* requireMailbox(sql, accountId, id, 'NONEXISTENT', true)).first_recent_uid;
  if (first < upTo) yield* exec('UPDATE mailboxes SET first_recent_uid = ? WHERE account_id = ? AND id = ?', upTo, accountId, id);
  return first;
}

/**
 * insertMailbox creates a mailbox with a new id and a new UIDVALIDITY: the account's counter plus one, or
 * the clock in seconds if that is larger (as Dovecot does), so a name deleted and re-created never gets an
 * old UIDVALIDITY back (RFC 9051 section 2.3.1.1). uid_next starts at 1, highest_modseq at 1 (a
 * HIGHESTMODSEQ must be positive; RFC 7162 section 3.1.1). The counters are read under the account row's
 * lock. Throws ALREADYEXISTS, NONEXISTENT (no account), LIMIT.
 */
export function* insertMailbox(sql: Dialect, accountId: number, name: string, specialUse: SpecialUse | null): Rule<MailboxRow> {
  const a = yield* one<{ next_mailbox_id: number; last_uid_validity: number }>(
    `SELECT next_mailbox_id, last_uid_validity FROM accounts WHERE id = ?${sql.forNoKeyUpdate}`,
    accountId,
  );
  if (!a) throw new StoreError('NONEXISTENT', 'Account does not exist');
  // Checked under the account lock, so two nodes creating one name cannot both pass.
  if (yield* mailboxByName(sql, accountId, name)) throw new StoreError('ALREADYEXISTS', 'Mailbox already exists');
  const uidValidity = Math.max(a.last_uid_validity + 1, Math.floor(Date.now() / 1000));
  if (uidValidity > MAX_UID) throw new StoreError('LIMIT', 'No UIDVALIDITY left for this account');
  yield* exec('UPDATE accounts SET next_mailbox_id = ?, last_uid_validity = ? WHERE id = ?', a.next_mailbox_id + 1, uidValidity, accountId);
  const row: MailboxRow = {
    account_id: accountId,
    id: a.next_mailbox_id,
    name,
    uid_validity: uidValidity,
    uid_next: 1,
    highest_modseq: 1,
    special_use: specialUse,
    first_recent_uid: 1,
  };
  yield* exec(
    `INSERT INTO mailboxes (${MAILBOX_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    row.account_id,
    row.id,
    row.name,
    row.uid_validity,
    row.uid_next,
    row.highest_modseq,
    row.special_use,
    row.first_recent_uid,
  );
  return row;
}

/** listMailboxes returns every mailbox of the account, sorted by name (bytewise UTF-8). */
export function* listMailboxes(accountId: number): Rule<Mailbox[]> {
  return (yield* many<MailboxRow>(`SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = ? ORDER BY name`, accountId)).map(toMailbox);
}

/** getMailbox returns the mailbox with exactly this name, or null. */
export function* getMailbox(sql: Dialect, accountId: number, name: string): Rule<Mailbox | null> {
  const row = yield* mailboxByName(sql, accountId, name);
  return row ? toMailbox(row) : null;
}

/** createMailbox creates one mailbox (not its parents). Throws ALREADYEXISTS, NONEXISTENT. */
export function* createMailbox(sql: Dialect, accountId: number, name: string, specialUse: SpecialUse | null): Rule<Mailbox> {
  const row = yield* insertMailbox(sql, accountId, name, specialUse);
  yield* changed(accountId, null);
  return toMailbox(row);
}

/**
 * deleteMailbox deletes the mailbox, its messages (released from the quota usage) and its change history, and
 * queues the bodies no other message uses for the upkeep's purge (bodies.ts). Children ("a/x" of "a") stay
 * (RFC 9051 section 6.3.4); subscriptions stay (section 6.3.7). Throws NONEXISTENT, CANNOT for INBOX.
 */
export function* deleteMailbox(sql: Dialect, accountId: number, name: string): Rule<void> {
  if (name === 'INBOX') throw new StoreError('CANNOT', 'INBOX cannot be deleted');
  const mb = yield* mailboxByName(sql, accountId, name, true);
  if (!mb) throw new StoreError('NONEXISTENT', 'Mailbox does not exist');
  const rows = yield* many<{ body_id: number; size: number }>(
    'DELETE FROM messages WHERE account_id = ? AND mailbox_id = ? RETURNING body_id, size',
    accountId,
    mb.id,
  );
  yield* releaseUsage(sql, accountId, rows.reduce((n, r) => n + r.size, 0), rows.length);
  yield* queueOrphanBodies(
    sql,
    accountId,
    rows.map((r) => r.body_id),
  );
  yield* exec('DELETE FROM expunged WHERE account_id = ? AND mailbox_id = ?', accountId, mb.id);
  yield* exec('DELETE FROM mailboxes WHERE account_id = ? AND id = ?', accountId, mb.id);
  yield* changed(accountId, null);
}

/** setSubscribed adds or removes a name from the subscriptions; the mailbox need not exist (RFC 9051 section 6.3.7). Throws NONEXISTENT (no account). */
export function* setSubscribed(accountId: number, name: string, subscribed: boolean): Rule<void> {
  if (!(yield* one('SELECT 1 FROM accounts WHERE id = ?', accountId))) throw new StoreError('NONEXISTENT', 'Account does not exist');
  if (subscribed) yield* exec('INSERT INTO subscriptions (account_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING', accountId, name);
  else yield* exec('DELETE FROM subscriptions WHERE account_id = ? AND name = ?', accountId, name);
}

/** listSubscriptions returns the subscribed names of the account, sorted. */
export function* listSubscriptions(accountId: number): Rule<string[]> {
  return (yield* many<{ name: string }>('SELECT name FROM subscriptions WHERE account_id = ? ORDER BY name', accountId)).map((r) => r.name);
}

/** mailboxCounts counts the messages of a mailbox for STATUS/SELECT (one range read of the mailbox). Throws NONEXISTENT. */
export function* mailboxCounts(sql: Dialect, accountId: number, mailboxId: number): Rule<MailboxCounts> {
  const mb = yield* requireMailbox(sql, accountId, mailboxId);
  const row = yield* one<{ messages: number; unseen: number | null; deleted: number | null; size: number | null; deleted_size: number | null; recent: number | null }>(
    `SELECT COUNT(*) AS messages,
            SUM(CASE WHEN sys_flags & ${SEEN} = 0 THEN 1 ELSE 0 END) AS unseen,
            SUM(CASE WHEN sys_flags & ${DELETED} <> 0 THEN 1 ELSE 0 END) AS deleted,
            SUM(size) AS size,
            SUM(CASE WHEN sys_flags & ${DELETED} <> 0 THEN size ELSE 0 END) AS deleted_size,
            SUM(CASE WHEN uid >= ? THEN 1 ELSE 0 END) AS recent
       FROM messages WHERE account_id = ? AND mailbox_id = ?`,
    mb.first_recent_uid,
    accountId,
    mailboxId,
  );
  return {
    messages: row?.messages ?? 0,
    unseen: row?.unseen ?? 0,
    deleted: row?.deleted ?? 0,
    size: row?.size ?? 0,
    deletedSize: row?.deleted_size ?? 0,
    recent: row?.recent ?? 0,
  };
}
