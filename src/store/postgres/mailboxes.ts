/**
 * Mailboxes and subscriptions of an account (RFC 9051 sections 6.3.4-6.3.8), except RENAME (rename.ts).
 * Functions taking a Tx run inside the caller's transaction; the others open their own.
 */
import { StoreError, type Mailbox, type MailboxCounts, type SpecialUse, type StoreErrorKind } from '../types.js';
import { toMailbox } from '../sqlite/mailboxes.js';
import type { BlobStore } from '../blobs.js';
import { deleteOrphanBodies } from './bodies.js';
import type { Db, Q, Tx } from './db.js';
import { DELETED, SEEN } from '../flags.js';
import { releaseUsage } from './quota.js';
import { MAILBOX_COLUMNS, MAX_UID, type MailboxRow } from './schema.js';

export { toMailbox };

/**
 * mailboxById returns the mailbox `id` of the account, or undefined (also when it belongs to another account).
 * With `lock`, the row stays locked (FOR UPDATE) until the transaction ends: UIDs and modseqs of the
 * mailbox are allocated under this lock, so concurrent writers on any node take turns.
 */
export async function mailboxById(q: Q, accountId: number, id: number, lock = false): Promise<MailboxRow | undefined> {
  return q.get<MailboxRow>(`SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = ? AND id = ?${lock ? ' FOR UPDATE' : ''}`, accountId, id);
}

/** highestModseq returns the mailbox's highest_modseq, or null when the account has no mailbox `id`. */
export async function highestModseq(q: Q, accountId: number, id: number): Promise<number | null> {
  return (await q.get<{ highest_modseq: number }>('SELECT highest_modseq FROM mailboxes WHERE account_id = ? AND id = ?', accountId, id))?.highest_modseq ?? null;
}

/**
 * claimRecent moves the mailbox's first_recent_uid up to `upTo` (never down) and returns the value it had
 * (Store.claimRecent), under the mailbox row's lock so two nodes never claim one UID. Throws NONEXISTENT.
 */
export async function claimRecent(db: Db, accountId: number, id: number, upTo: number): Promise<number> {
  // Most calls find nothing left to claim (another session was first): one read, no transaction.
  const seen = await mailboxById(db, accountId, id);
  if (!seen) throw new StoreError('NONEXISTENT', 'Mailbox does not exist');
  if (seen.first_recent_uid >= upTo) return seen.first_recent_uid;
  return db.write(async (tx) => {
    const first = (await requireMailbox(tx, accountId, id, 'NONEXISTENT', true)).first_recent_uid;
    if (first < upTo) await tx.run('UPDATE mailboxes SET first_recent_uid = ? WHERE account_id = ? AND id = ?', upTo, accountId, id);
    return first;
  });
}

/** requireMailbox is mailboxById that throws StoreError `kind` (NONEXISTENT, or TRYCREATE for a target) when missing. */
export async function requireMailbox(q: Q, accountId: number, id: number, kind: StoreErrorKind = 'NONEXISTENT', lock = false): Promise<MailboxRow> {
  const row = await mailboxById(q, accountId, id, lock);
  if (!row) throw new StoreError(kind, kind === 'TRYCREATE' ? 'Target mailbox does not exist' : 'Mailbox does not exist');
  return row;
}

/** mailboxByName returns the mailbox with exactly this name, or undefined; `lock` as for mailboxById. */
export async function mailboxByName(q: Q, accountId: number, name: string, lock = false): Promise<MailboxRow | undefined> {
  return q.get<MailboxRow>(`SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = ? AND name = ?${lock ? ' FOR UPDATE' : ''}`, accountId, name);
}

/**
 * insertMailbox creates a mailbox with a new id and a new UIDVALIDITY: the account's counter plus one, or
 * the clock in seconds if that is larger (as Dovecot does), so a name deleted and re-created never gets an
 * old UIDVALIDITY back (RFC 9051 section 2.3.1.1). uid_next starts at 1, highest_modseq at 1 (a
 * HIGHESTMODSEQ must be positive; RFC 7162 section 3.1.1). The counters are read under the account row's
 * lock. Throws ALREADYEXISTS, NONEXISTENT (no account).
 */
export async function insertMailbox(tx: Tx, accountId: number, name: string, specialUse: SpecialUse | null): Promise<MailboxRow> {
  const a = await tx.get<{ next_mailbox_id: number; last_uid_validity: number }>(
    'SELECT next_mailbox_id, last_uid_validity FROM accounts WHERE id = ? FOR NO KEY UPDATE',
    accountId,
  );
  if (!a) throw new StoreError('NONEXISTENT', 'Account does not exist');
  // Checked under the account lock, so two nodes creating one name cannot both pass.
  if (await mailboxByName(tx, accountId, name)) throw new StoreError('ALREADYEXISTS', 'Mailbox already exists');
  const uidValidity = Math.max(a.last_uid_validity + 1, Math.floor(Date.now() / 1000));
  if (uidValidity > MAX_UID) throw new StoreError('LIMIT', 'No UIDVALIDITY left for this account');
  await tx.run('UPDATE accounts SET next_mailbox_id = ?, last_uid_validity = ? WHERE id = ?', a.next_mailbox_id + 1, uidValidity, accountId);
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
  await tx.run(
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
export async function listMailboxes(db: Db, accountId: number): Promise<Mailbox[]> {
  return (await db.all<MailboxRow>(`SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = ? ORDER BY name`, accountId)).map(toMailbox);
}

/** getMailbox returns the mailbox with exactly this name, or null. */
export async function getMailbox(db: Db, accountId: number, name: string): Promise<Mailbox | null> {
  const row = await mailboxByName(db, accountId, name);
  return row ? toMailbox(row) : null;
}

/** createMailbox creates one mailbox (not its parents) in its own transaction. Throws ALREADYEXISTS, NONEXISTENT. */
export async function createMailbox(db: Db, accountId: number, name: string, specialUse: SpecialUse | null): Promise<Mailbox> {
  return toMailbox(
    await db.write(async (tx) => {
      const row = await insertMailbox(tx, accountId, name, specialUse);
      tx.notify(accountId, null);
      return row;
    }),
  );
}

/**
 * deleteMailbox deletes the mailbox, its messages (released from the quota usage), its change history and the
 * bodies no other message uses, in one transaction. Children ("a/x" of "a") stay (RFC 9051 section 6.3.4); subscriptions stay (section 6.3.7).
 * Throws NONEXISTENT, CANNOT for INBOX.
 */
export async function deleteMailbox(db: Db, blobs: BlobStore<Tx>, accountId: number, name: string): Promise<void> {
  if (name === 'INBOX') throw new StoreError('CANNOT', 'INBOX cannot be deleted');
  await db.write(async (tx) => {
    const mb = await mailboxByName(tx, accountId, name, true);
    if (!mb) throw new StoreError('NONEXISTENT', 'Mailbox does not exist');
    const rows = await tx.all<{ body_id: number; size: number }>(
      'DELETE FROM messages WHERE account_id = ? AND mailbox_id = ? RETURNING body_id, size',
      accountId,
      mb.id,
    );
    await releaseUsage(tx, accountId, rows.reduce((n, r) => n + r.size, 0), rows.length);
    await deleteOrphanBodies(
      tx,
      blobs,
      accountId,
      rows.map((r) => r.body_id),
    );
    await tx.run('DELETE FROM expunged WHERE account_id = ? AND mailbox_id = ?', accountId, mb.id);
    await tx.run('DELETE FROM mailboxes WHERE account_id = ? AND id = ?', accountId, mb.id);
    tx.notify(accountId, null);
  });
}

/** setSubscribed adds or removes a name from the subscriptions; the mailbox need not exist (RFC 9051 section 6.3.7). */
export async function setSubscribed(db: Db, accountId: number, name: string, subscribed: boolean): Promise<void> {
  await db.write(async (tx) => {
    if (!(await tx.get('SELECT 1 FROM accounts WHERE id = ?', accountId))) throw new StoreError('NONEXISTENT', 'Account does not exist');
    if (subscribed) await tx.run('INSERT INTO subscriptions (account_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING', accountId, name);
    else await tx.run('DELETE FROM subscriptions WHERE account_id = ? AND name = ?', accountId, name);
  });
}

/** listSubscriptions returns the subscribed names of the account, sorted. */
export async function listSubscriptions(db: Db, accountId: number): Promise<string[]> {
  return (await db.all<{ name: string }>('SELECT name FROM subscriptions WHERE account_id = ? ORDER BY name', accountId)).map((r) => r.name);
}

/** mailboxCounts counts the messages of a mailbox for STATUS/SELECT (one range read of the mailbox). Throws NONEXISTENT. */
export async function mailboxCounts(db: Db, accountId: number, mailboxId: number): Promise<MailboxCounts> {
  return db.read(async (tx) => {
    const mb = await requireMailbox(tx, accountId, mailboxId);
    const row = await tx.get<{ messages: number; unseen: number | null; deleted: number | null; size: number | null; deleted_size: number | null; recent: number | null }>(
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
  });
}
