/**
 * Mailboxes and subscriptions of an account (RFC 9051 sections 6.3.4-6.3.8), except RENAME (rename.ts).
 * Functions run inside the caller's transaction where they write; the store wraps them.
 */
import { StoreError, type Mailbox, type MailboxCounts, type SpecialUse, type StoreErrorKind } from '../types.js';
import { deleteOrphanBodies } from './bodies.js';
import type { Db } from './db.js';
import { DELETED, SEEN } from '../flags.js';
import { releaseUsage } from './quota.js';
import { MAILBOX_COLUMNS, MAX_UID, type MailboxRow } from './schema.js';

/** toMailbox maps a MailboxRow to the Mailbox of the Store interface. */
export function toMailbox(row: MailboxRow): Mailbox {
  return {
    id: row.id,
    accountId: row.account_id,
    name: row.name,
    uidValidity: row.uid_validity,
    uidNext: row.uid_next,
    highestModseq: row.highest_modseq,
    specialUse: row.special_use as SpecialUse | null,
    firstRecentUid: row.first_recent_uid,
  };
}

/** mailboxById returns the mailbox `id` of the account, or undefined (also when it belongs to another account). */
export function mailboxById(db: Db, accountId: number, id: number): MailboxRow | undefined {
  return db.get<MailboxRow>(`SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = ? AND id = ?`, accountId, id);
}

/** highestModseq returns the mailbox's highest_modseq, or null when the account has no mailbox `id`. */
export function highestModseq(db: Db, accountId: number, id: number): number | null {
  return db.get<{ highest_modseq: number }>('SELECT highest_modseq FROM mailboxes WHERE account_id = ? AND id = ?', accountId, id)?.highest_modseq ?? null;
}

/**
 * claimRecent moves the mailbox's first_recent_uid up to `upTo` (never down) and returns the value it had
 * (Store.claimRecent). Write it inside a transaction. Throws NONEXISTENT.
 */
export function claimRecent(db: Db, accountId: number, id: number, upTo: number): number {
  const first = requireMailbox(db, accountId, id).first_recent_uid;
  if (first < upTo) db.run('UPDATE mailboxes SET first_recent_uid = ? WHERE account_id = ? AND id = ?', upTo, accountId, id);
  return first;
}

/** requireMailbox is mailboxById that throws StoreError `kind` (NONEXISTENT, or TRYCREATE for a target) when missing. */
export function requireMailbox(db: Db, accountId: number, id: number, kind: StoreErrorKind = 'NONEXISTENT'): MailboxRow {
  const row = mailboxById(db, accountId, id);
  if (!row) throw new StoreError(kind, kind === 'TRYCREATE' ? 'Target mailbox does not exist' : 'Mailbox does not exist');
  return row;
}

/** mailboxByName returns the mailbox with exactly this name, or undefined. */
export function mailboxByName(db: Db, accountId: number, name: string): MailboxRow | undefined {
  return db.get<MailboxRow>(`SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = ? AND name = ?`, accountId, name);
}

/**
 * insertMailbox creates a mailbox with a new id and a new UIDVALIDITY: the account's counter plus one, or
 * the clock in seconds if that is larger (as Dovecot does), so a name deleted and re-created never gets an
 * old UIDVALIDITY back (RFC 9051 section 2.3.1.1). uid_next starts at 1, highest_modseq at 1 (a
 * HIGHESTMODSEQ must be positive; RFC 7162 section 3.1.1). Throws ALREADYEXISTS, NONEXISTENT (no account).
 */
export function insertMailbox(db: Db, accountId: number, name: string, specialUse: SpecialUse | null): MailboxRow {
  if (mailboxByName(db, accountId, name)) throw new StoreError('ALREADYEXISTS', 'Mailbox already exists');
  const a = db.get<{ next_mailbox_id: number; last_uid_validity: number }>(
    'SELECT next_mailbox_id, last_uid_validity FROM accounts WHERE id = ?',
    accountId,
  );
  if (!a) throw new StoreError('NONEXISTENT', 'Account does not exist');
  const uidValidity = Math.max(a.last_uid_validity + 1, Math.floor(Date.now() / 1000));
  if (uidValidity > MAX_UID) throw new StoreError('LIMIT', 'No UIDVALIDITY left for this account');
  db.run('UPDATE accounts SET next_mailbox_id = ?, last_uid_validity = ? WHERE id = ?', a.next_mailbox_id + 1, uidValidity, accountId);
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
  db.run(
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
export function listMailboxes(db: Db, accountId: number): Mailbox[] {
  return db.all<MailboxRow>(`SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = ? ORDER BY name`, accountId).map(toMailbox);
}

/** getMailbox returns the mailbox with exactly this name, or null. */
export function getMailbox(db: Db, accountId: number, name: string): Mailbox | null {
  const row = mailboxByName(db, accountId, name);
  return row ? toMailbox(row) : null;
}

/** createMailbox creates one mailbox (not its parents) in its own transaction. Throws ALREADYEXISTS, NONEXISTENT. */
export function createMailbox(db: Db, accountId: number, name: string, specialUse: SpecialUse | null): Mailbox {
  return toMailbox(db.write(() => insertMailbox(db, accountId, name, specialUse)));
}

/**
 * deleteMailbox deletes the mailbox, its messages (released from the quota usage), its change history and the
 * bodies no other message uses, in one transaction. Children ("a/x" of "a") stay (RFC 9051 section 6.3.4); subscriptions stay (section 6.3.7).
 * Throws NONEXISTENT, CANNOT for INBOX.
 */
export function deleteMailbox(db: Db, accountId: number, name: string): void {
  if (name === 'INBOX') throw new StoreError('CANNOT', 'INBOX cannot be deleted');
  db.write(() => {
    const mb = mailboxByName(db, accountId, name);
    if (!mb) throw new StoreError('NONEXISTENT', 'Mailbox does not exist');
    const rows = db.all<{ body_id: number; size: number }>(
      'DELETE FROM messages WHERE account_id = ? AND mailbox_id = ? RETURNING body_id, size',
      accountId,
      mb.id,
    );
    releaseUsage(db, accountId, rows.reduce((n, r) => n + r.size, 0), rows.length);
    deleteOrphanBodies(
      db,
      accountId,
      rows.map((r) => r.body_id),
    );
    db.run('DELETE FROM expunged WHERE account_id = ? AND mailbox_id = ?', accountId, mb.id);
    db.run('DELETE FROM mailboxes WHERE account_id = ? AND id = ?', accountId, mb.id);
  });
}

/** setSubscribed adds or removes a name from the subscriptions; the mailbox need not exist (RFC 9051 section 6.3.7). */
export function setSubscribed(db: Db, accountId: number, name: string, subscribed: boolean): void {
  db.write(() => {
    if (!db.get('SELECT 1 FROM accounts WHERE id = ?', accountId)) throw new StoreError('NONEXISTENT', 'Account does not exist');
    if (subscribed) db.run('INSERT INTO subscriptions (account_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING', accountId, name);
    else db.run('DELETE FROM subscriptions WHERE account_id = ? AND name = ?', accountId, name);
  });
}

/** listSubscriptions returns the subscribed names of the account, sorted. */
export function listSubscriptions(db: Db, accountId: number): string[] {
  return db.all<{ name: string }>('SELECT name FROM subscriptions WHERE account_id = ? ORDER BY name', accountId).map((r) => r.name);
}

/** mailboxCounts counts the messages of a mailbox for STATUS/SELECT (one range read of the mailbox). Throws NONEXISTENT. */
export function mailboxCounts(db: Db, accountId: number, mailboxId: number): MailboxCounts {
  const mb = requireMailbox(db, accountId, mailboxId);
  const row = db.get<{ messages: number; unseen: number | null; deleted: number | null; size: number | null; deleted_size: number | null; recent: number | null }>(
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
