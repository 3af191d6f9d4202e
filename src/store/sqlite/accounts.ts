/**
 * Accounts: creation with the default mailboxes (RFC 6154 special-use), lookup, password change, deletion
 * with all mail.
 */
import { StoreError, type Account } from '../types.js';
import { DEFAULT_MAILBOXES } from '../mailbox-names.js';
import type { Db } from './db.js';
import { unindexAccount } from './fts.js';
import { insertMailbox } from './mailboxes.js';
import { ACCOUNT_COLUMNS, type AccountRow } from './schema.js';

function toAccount(row: AccountRow): Account {
  return { id: row.id, email: row.email, passwordHash: row.password_hash, createdAt: row.created_at };
}

/** createAccount creates the account (email lower-cased) with DEFAULT_MAILBOXES, subscribed, in one transaction. Throws ALREADYEXISTS. */
export function createAccount(db: Db, email: string, passwordHash: string): Account {
  const normalized = email.toLowerCase();
  return db.write(() => {
    if (db.get('SELECT 1 FROM accounts WHERE email = ?', normalized)) {
      throw new StoreError('ALREADYEXISTS', 'Account already exists');
    }
    const row = db.get<AccountRow>(
      `INSERT INTO accounts (email, password_hash, created_at) VALUES (?, ?, ?) RETURNING ${ACCOUNT_COLUMNS}`,
      normalized,
      passwordHash,
      Date.now(),
    )!;
    for (const [name, specialUse] of DEFAULT_MAILBOXES) {
      insertMailbox(db, row.id, name, specialUse);
      db.run('INSERT INTO subscriptions (account_id, name) VALUES (?, ?)', row.id, name);
    }
    return toAccount(row);
  });
}

/** getAccount looks an account up by email, case-insensitively; null if none. */
export function getAccount(db: Db, email: string): Account | null {
  const row = db.get<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE email = ?`, email.toLowerCase());
  return row ? toAccount(row) : null;
}

/** listAccounts returns every account, sorted by email. */
export function listAccounts(db: Db): Account[] {
  return db.all<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts ORDER BY email`).map(toAccount);
}

/** setPasswordHash replaces the PHC password hash. Throws NONEXISTENT. */
export function setPasswordHash(db: Db, accountId: number, passwordHash: string): void {
  db.write(() => {
    if (db.run('UPDATE accounts SET password_hash = ? WHERE id = ?', passwordHash, accountId) === 0) {
      throw new StoreError('NONEXISTENT', 'Account does not exist');
    }
  });
}

/** deleteAccount deletes the account and everything keyed by it, in one transaction. Throws NONEXISTENT. */
export function deleteAccount(db: Db, accountId: number): void {
  db.write(() => {
    if (!db.get('SELECT 1 FROM accounts WHERE id = ?', accountId)) throw new StoreError('NONEXISTENT', 'Account does not exist');
    unindexAccount(db, accountId);
    // Children before parents, so every foreign key holds at each step.
    for (const table of ['messages', 'expunged', 'search_text', 'envelopes', 'bodies', 'subscriptions', 'mailboxes']) {
      db.run(`DELETE FROM ${table} WHERE account_id = ?`, accountId);
    }
    db.run('DELETE FROM accounts WHERE id = ?', accountId);
  });
}
